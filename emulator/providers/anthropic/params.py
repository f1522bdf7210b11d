"""Request checks for Message Batches, with the live API's messages.

The envelope (`requests`, `custom_id`, `params` being an object) is checked at create time and
fails the call, as on the real service. Problems *inside* `params` do not: the real service
accepts the batch and reports them as `errored` result lines, so `params_error` only describes
the problem and the core plans it as the item's outcome.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.requests import Request

from emulator import bodies
from emulator.core import jsonsafe
from emulator.core.batch import Item, ItemError
from emulator.core.errors import EmulatorError, ErrorKind, invalid
from emulator.core.models import is_known_model

MAX_BODY_BYTES = 256 * 1024 * 1024  # the documented Message Batches request size limit
MAX_REQUESTS = 100_000
CUSTOM_ID = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
ITEM_KEYS = ("custom_id", "params")
LIMIT_MAX = 1000
TOO_LARGE = "Request exceeds the maximum allowed number of bytes."
STREAM_UNSUPPORTED = '"stream=True" is not supported in the Message Batches API'


def too_large() -> EmulatorError:
    return EmulatorError(ErrorKind.TOO_LARGE, TOO_LARGE)


async def read_body(request: Request) -> Any:
    """The JSON body, refused (413) as soon as it is known to exceed the size limit."""
    raw = await bodies.read_body(request, MAX_BODY_BYTES, too_large)
    try:
        return jsonsafe.loads(raw)
    except ValueError as exc:
        raise invalid(f"The request body is not valid JSON: {exc}") from None


def _require_object(where: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise invalid(f"{where}: Input should be a valid dictionary")
    return value


def _no_extra(where: str, value: dict[str, Any], allowed: tuple[str, ...]) -> None:
    for key in value:
        if key not in allowed:
            raise invalid(f"{where}{key}: Extra inputs are not permitted")


def _custom_id(where: str, value: Any) -> str:
    if not isinstance(value, str):
        raise invalid(f"{where}: Input should be a valid string")
    if not value:
        raise invalid(f"{where}: String should have at least 1 character")
    if len(value) > 64:
        raise invalid(f"{where}: String should have at most 64 characters")
    if CUSTOM_ID.fullmatch(value) is None:
        raise invalid(f"{where}: String should match pattern '{CUSTOM_ID.pattern}'")
    return value


def _item(index: int, raw: Any) -> Item:
    where = f"requests.{index}"
    entry = _require_object(where, raw)
    _no_extra(f"{where}.", entry, ITEM_KEYS)
    for key in ITEM_KEYS:
        if key not in entry:
            raise invalid(f"{where}.{key}: Field required")
    custom_id = _custom_id(f"{where}.custom_id", entry["custom_id"])
    body = _require_object(f"{where}.params", entry["params"])
    return Item(custom_id, body, params_error(body))


def _request_list(body: Any) -> list[Any]:
    envelope = _require_object("body", body)
    _no_extra("", envelope, ("requests",))
    if "requests" not in envelope:
        raise invalid("requests: Field required")
    raw = envelope["requests"]
    if not isinstance(raw, list):
        raise invalid("requests: Input should be a valid list")
    if not raw:
        raise invalid("requests: List should have at least 1 item after validation, not 0")
    if len(raw) > MAX_REQUESTS:
        raise invalid(
            f"requests: List should have at most {MAX_REQUESTS} items after validation, "
            f"not {len(raw)}"
        )
    return raw


def parse_requests(body: Any) -> list[Item]:
    """The create body's items, each carrying its deferred params problem (if any)."""
    items = [_item(index, raw) for index, raw in enumerate(_request_list(body))]
    seen: set[str] = set()
    for item in items:
        if item.custom_id in seen:
            raise invalid(
                "requests: custom_id's must be unique within a batch. "
                f"Duplicate custom_id found: {item.custom_id}"
            )
        seen.add(item.custom_id)
    return items


def _bad(field: str, message: str) -> ItemError:
    return ItemError(400, "invalid_request_error", f"{field}: {message}", param=field)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def params_error(params: dict[str, Any]) -> ItemError | None:
    """What the real service would report for these Messages params, or None if they run."""
    for field in ("model", "max_tokens", "messages"):
        if field not in params:
            return _bad(field, "Field required")
    model, max_tokens, messages = params["model"], params["max_tokens"], params["messages"]
    if not isinstance(model, str):
        return _bad("model", "Input should be a valid string")
    if not _is_int(max_tokens):
        return _bad("max_tokens", "Input should be a valid integer")
    if max_tokens < 1:
        return _bad("max_tokens", "must be greater than or equal to 1")
    if not isinstance(messages, list):
        return _bad("messages", "Input should be a valid list")
    if not messages:
        return _bad("messages", "at least one message is required")
    if params.get("stream") is True:
        return ItemError(400, "invalid_request_error", STREAM_UNSUPPORTED, param="stream")
    if not is_known_model(model):
        return ItemError(404, "not_found_error", f"model: {model}", param="model")
    return None
