"""Gemini request validation: proto-JSON rules (both spellings accepted, unknown names refused).

Structural problems in a create call are a synchronous 400, as proto-JSON parsing is on the real
service. A request that parses but cannot run (no `contents`) becomes that request's own error
in the output; a malformed input file fails the batch.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from emulator.core import jsonsafe
from emulator.core.batch import Item, ItemError, LineError
from emulator.core.errors import invalid

INLINE_LIMIT = 20 * 1024 * 1024  # "inline requests total under 20 MB"
BATCH_KEYS = (
    "model",
    "name",
    "displayName",
    "display_name",
    "inputConfig",
    "input_config",
    "priority",
    "webhookConfig",
    "webhook_config",
)
NO_CONTENTS = ItemError(
    400, "INVALID_ARGUMENT", "* GenerateContentRequest.contents: contents is not specified\n"
)


@dataclass(frozen=True)
class Request:
    """One request of a batch, whichever way it arrived."""

    item: Item
    metadata: dict[str, Any] | None = None  # inline: echoed next to the response
    key: str | None = None  # file: echoed as the output line's `key`


@dataclass(frozen=True)
class CreateSpec:
    display_name: str | None
    file_name: str | None
    requests: list[Request]


def pick(obj: dict[str, Any], camel: str, snake: str) -> Any:
    return obj[camel] if camel in obj else obj.get(snake)


def unknown_name(key: str, at: str) -> Exception:
    return invalid(
        f"Invalid JSON payload received. Unknown name \"{key}\" at '{at}': Cannot find field."
    )


def as_object(value: Any, at: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise invalid(
            f"Invalid JSON payload received. Expected an object at '{at}', "
            f"but got {json.dumps(value)[:40]}."
        )
    return value


def only(obj: dict[str, Any], allowed: tuple[str, ...], at: str) -> None:
    for key in obj:
        if key not in allowed:
            raise unknown_name(key, at)


def parse_json(raw: bytes) -> Any:
    try:
        return jsonsafe.loads(raw)
    except ValueError:
        raise invalid("Invalid JSON payload received. Unexpected token.") from None


def too_large() -> Exception:
    return invalid(f"Request payload size exceeds the limit: {INLINE_LIMIT} bytes.")


def parse_create(raw: bytes, max_requests: int) -> CreateSpec:
    if len(raw) > INLINE_LIMIT:
        raise too_large()
    body = as_object(parse_json(raw), "")
    only(body, ("batch",), "")
    batch = as_object(body.get("batch"), "batch")
    only(batch, BATCH_KEYS, "batch")
    name = pick(batch, "displayName", "display_name")
    if name is not None and not isinstance(name, str):
        raise invalid("Invalid value at 'batch.display_name' (TYPE_STRING), expected a string.")
    config = pick(batch, "inputConfig", "input_config")
    if config is None:
        raise invalid("* GenerateContentBatch.input_config: input_config is required")
    config = as_object(config, "batch.input_config")
    only(config, ("requests", "fileName", "file_name"), "batch.input_config")
    file_name = pick(config, "fileName", "file_name")
    if (file_name is None) == (config.get("requests") is None):
        raise invalid(
            "* GenerateContentBatch.input_config: set exactly one of requests or file_name"
        )
    if file_name is not None:
        if not isinstance(file_name, str) or not file_name.startswith("files/"):
            raise invalid("* GenerateContentBatch.input_config.file_name: must be 'files/{id}'")
        return CreateSpec(name, file_name, [])
    return CreateSpec(name, None, _inline(config["requests"], max_requests))


def _inline(value: Any, max_requests: int) -> list[Request]:
    at = "batch.input_config.requests"
    wrapper = as_object(value, at)
    only(wrapper, ("requests",), at)
    items = wrapper.get("requests")
    if not isinstance(items, list) or not items:
        raise invalid(f"* {at}.requests: at least one request is required")
    if len(items) > max_requests:
        raise invalid(f"* {at}.requests: at most {max_requests} requests are allowed")
    seen: set[str] = set()
    out = []
    for index, entry in enumerate(items):
        here = f"{at}.requests[{index}]"
        entry = as_object(entry, here)
        only(entry, ("request", "metadata"), here)
        request = as_object(entry.get("request"), f"{here}.request")
        metadata = entry.get("metadata")
        if metadata is not None:
            metadata = as_object(metadata, f"{here}.metadata")
        key = (metadata or {}).get("key")
        custom_id = _custom_id(key if isinstance(key, str) else None, index, seen)
        out.append(Request(_item(custom_id, request), metadata=metadata))
    return out


def _custom_id(key: str | None, index: int, seen: set[str]) -> str:
    """The user's key when unique (item faults match it), else a positional stand-in."""
    custom_id = key if key is not None and key not in seen else f"{key or ''}#{index + 1}"
    seen.add(custom_id)
    return custom_id


def _item(custom_id: str, request: dict[str, Any]) -> Item:
    contents = request.get("contents")
    runnable = isinstance(contents, list) and len(contents) > 0
    return Item(custom_id, request, None if runnable else NO_CONTENTS)


def parse_jsonl(data: bytes, max_requests: int) -> tuple[list[Request], list[LineError]]:
    """`{"key": ..., "request": {...}}` per line; every bad line is reported, with its number."""
    requests: list[Request] = []
    errors: list[LineError] = []
    seen: set[str] = set()
    for number, raw in enumerate(data.split(b"\n"), start=1):
        if not raw.strip():
            continue
        line, problem = _line(raw)
        if problem is not None or line is None:
            errors.append(LineError("INVALID_ARGUMENT", f"Line {number}: {problem}", None, number))
            continue
        key = line.get("key")
        custom_id = _custom_id(key, len(requests), seen)
        requests.append(Request(_item(custom_id, line["request"]), key=key))
    if not requests and not errors:
        errors.append(LineError("INVALID_ARGUMENT", "The input file contains no requests."))
    if len(requests) > max_requests:
        errors.append(
            LineError("INVALID_ARGUMENT", f"The input file has more than {max_requests} requests.")
        )
    return requests, errors


def _line(raw: bytes) -> tuple[dict[str, Any] | None, str | None]:
    try:
        line = jsonsafe.loads(raw)
    except ValueError:
        return None, "not valid JSON."
    if not isinstance(line, dict):
        return None, "each line must be a JSON object."
    extra = [k for k in line if k not in ("key", "request")]
    if extra:
        return None, f'unknown name "{extra[0]}"; a line holds "key" and "request".'
    if not isinstance(line.get("request"), dict):
        return None, '"request" must be a GenerateContentRequest object.'
    if "key" in line and not isinstance(line["key"], str):
        return None, '"key" must be a string.'
    return line, None


def make_token(last_id: str) -> str:
    return base64.urlsafe_b64encode(last_id.encode()).decode().rstrip("=")


def read_token(token: str | None) -> str | None:
    if not token:
        return None
    try:
        return base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    except ValueError:  # binascii.Error, UnicodeDecodeError, a non-ASCII token
        raise invalid("Invalid page token.") from None


def page(ids: list[str], token: str | None, size: int) -> tuple[int, int, str | None]:
    """(start, stop, next token) over `ids`; the token names the last id already returned."""
    after = read_token(token)
    start = 0
    if after is not None:
        if after not in ids:
            raise invalid("Invalid page token.")
        start = ids.index(after) + 1
    stop = min(start + size, len(ids))
    return start, stop, make_token(ids[stop - 1]) if stop < len(ids) else None
