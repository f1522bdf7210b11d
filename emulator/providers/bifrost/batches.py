"""The unified batch operations, as bodies: shared by `/v1/batches` and the OpenAI-compatible
routes (which answer with the same Bifrost struct once a call is routed away from OpenAI)."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from starlette.requests import Request

from emulator import bodies
from emulator.core import jsonsafe
from emulator.core.batch import View
from emulator.core.errors import EmulatorError
from emulator.core.paging import envelope, page_limit, window
from emulator.core.service import BatchService
from emulator.http import origin
from emulator.providers.bifrost import create as creating
from emulator.providers.bifrost.errors import BifrostError, refused, upstream
from emulator.providers.bifrost.providers import SCOPES, mode
from emulator.providers.bifrost.render import CANCEL_KEYS, CREATE_KEYS, Call, batch_object
from emulator.providers.bifrost.results import results_body

COMPAT_SUFFIXES = ("/openai/v1", "/openai/openai", "/openai")
DEFAULT_LIMIT, MAX_LIMIT = 20, 100
# Our cap on a JSON body (inline `requests` may be large); Bifrost's own is configurable.
MAX_BODY = 100 * bodies.MB


def surface_url(service: BatchService, request: Request) -> str:
    """Absolute URL of the Bifrost surface this request came in on (`<origin>/bifrost` or root)."""
    root = str(request.scope.get("root_path", ""))
    for suffix in COMPAT_SUFFIXES:
        if root.endswith(suffix):
            root = root[: -len(suffix)]
            break
    return origin(service, request) + root


def make_call(service: BatchService, request: Request, provider: str, request_type: str) -> Call:
    default = str(getattr(service.config, "bifrost_mode", "wire"))
    return Call(
        service, provider, request_type, mode(request, default), surface_url(service, request)
    )


@contextmanager
def upstream_errors(call: Call) -> Iterator[None]:
    try:
        yield
    except EmulatorError as err:
        raise upstream(err, call.provider, call.request_type, call.mode) from None


def too_large(request_type: str) -> Callable[[], Exception]:
    return lambda: BifrostError(
        f"request body is larger than {MAX_BODY} bytes", status=413, request_type=request_type
    )


async def read_body(request: Request, request_type: str) -> Any:
    raw = await bodies.read_body(request, MAX_BODY, too_large(request_type))
    try:
        return jsonsafe.loads(raw) if raw.strip() else {}
    except ValueError as exc:
        raise refused(f"invalid request format: {exc}", request_type) from None


def batch_id(call: Call, raw: str) -> str:
    """Gemini jobs are `batches/<x>` on the wire and `<x>` in the store; both are accepted.
    Bedrock jobs are their ARN on the wire and its last part in the store."""
    if call.provider in ("bedrock", "vertex"):  # an ARN, or projects/.../batchPredictionJobs/x
        return raw.rsplit("/", 1)[-1]
    return raw.removeprefix("batches/") if call.provider == "gemini" else raw


def scope(call: Call) -> set[str]:
    return {SCOPES[call.provider]}


# -- operations ---------------------------------------------------------------------------------
def create(call: Call, request: Request, spec: creating.CreateBody) -> dict[str, Any]:
    with upstream_errors(call):
        view = creating.create(call.service, request, call.provider, spec)
        return batch_object(call, view, CREATE_KEYS)


def retrieve(call: Call, raw_id: str) -> dict[str, Any]:
    with upstream_errors(call):
        view = call.service.get_batch(batch_id(call, raw_id), scope(call))
        return batch_object(call, view)


def cancel(call: Call, raw_id: str) -> dict[str, Any]:
    with upstream_errors(call):
        view = call.service.cancel_batch(batch_id(call, raw_id), scope(call))
        if call.provider == "gemini" and call.mode == "wire":
            return _gemini_cancel(call, view)
        body = batch_object(call, view, CANCEL_KEYS)
        if call.provider == "anthropic" and call.mode == "wire":
            body["object"] = "message_batch"  # Bifrost keeps Anthropic's type on cancel only
        return body


def _gemini_cancel(call: Call, view: View) -> dict[str, Any]:
    """Bifrost's Gemini cancel does not read the job back: a synthetic `cancelling`."""
    return {
        "id": "batches/" + view.batch.id,
        "object": "batch",
        "status": "cancelling",
        "request_counts": {"total": 0, "completed": 0, "failed": 0},
        "cancelling_at": int(view.now),
        "extra_fields": call.extra(),
    }


def results(call: Call, raw_id: str) -> dict[str, Any]:
    with upstream_errors(call):
        view = call.service.view(batch_id(call, raw_id), scope(call))
        return results_body(call, view)


# -- list ---------------------------------------------------------------------------------------
def encode_cursor(native: str) -> str:
    """Bifrost's multi-key cursor: base64url of `{"v":1,"i":<key index>,"c":<native cursor>}`."""
    payload = json.dumps({"v": 1, "i": 0, "c": native}, separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode()


def decode_cursor(value: str) -> str:
    """The native cursor inside a Bifrost cursor; a plain batch id is accepted as it is."""
    try:
        decoded = jsonsafe.loads(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))
    except (ValueError, binascii.Error):
        return value
    if isinstance(decoded, dict) and isinstance(decoded.get("c"), str):
        return str(decoded["c"])
    return value


def _list_item(call: Call, view: View) -> dict[str, Any]:
    item = batch_object(call, view)
    if call.provider == "gemini" and call.mode == "wire":
        item["id"] = view.batch.id  # Bifrost lists bare Gemini ids
    return item


def list_batches(call: Call, request: Request) -> dict[str, Any]:
    q = request.query_params
    after = q.get("after") or q.get("next_cursor") or q.get("page_token")
    with upstream_errors(call):
        limit = page_limit(q.get("limit"), default=DEFAULT_LIMIT, maximum=MAX_LIMIT)
        views = call.service.list_batches(scope(call))
        ids = [v.batch.id for v in views]
        cursor = decode_cursor(after) if after else None
        page, more = window(views, ids, after=cursor, before=q.get("before"), limit=limit)
        data = [_list_item(call, v) for v in page]
    body: dict[str, Any] = {"object": "list", **envelope(data, more, sparse=True)}
    if call.mode == "schema":
        body["has_more"] = more
    if more:
        body["next_cursor"] = encode_cursor(page[-1].batch.id)
    body["extra_fields"] = call.extra()
    return body
