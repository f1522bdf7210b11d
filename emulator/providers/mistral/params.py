"""Mistral request parameters: create-job body, list filters, upload form.

Malformed requests answer 400 with a message (the SDK raises `SDKError` for any 4XX and only
exposes status and raw body, reference more-providers §3.1) [I: exact messages].
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from emulator.core import jsonsafe
from emulator.core.errors import invalid
from emulator.providers.mistral.dialect import ENDPOINTS

ALL_ENDPOINTS = (
    "/v1/chat/completions",
    "/v1/embeddings",
    "/v1/fim/completions",
    "/v1/moderations",
    "/v1/chat/moderations",
    "/v1/ocr",
    "/v1/classifications",
    "/v1/chat/classifications",
    "/v1/conversations",
    "/v1/audio/transcriptions",
)
KEYS = ("endpoint", "input_files", "requests", "model", "agent_id", "metadata", "timeout_hours")
# ASCII digits only (`str.isdigit` takes `²` and `٣`), and few enough for `int` to parse.
COUNT = re.compile(r"[0-9]{1,18}\Z", re.ASCII)
MAX_EXPIRY_HOURS = 10 * 365 * 24  # [I] Mistral documents no upper bound; ten years
MAX_HOURS = MAX_EXPIRY_HOURS  # a job's timeout_hours, bounded alike [I]


@dataclass(frozen=True)
class CreateJob:
    endpoint: str
    input_files: list[str]
    requests: list[dict[str, Any]] | None
    model: str
    metadata: dict[str, str] | None
    timeout_hours: int


def _strings(name: str, value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise invalid(f"'{name}' must be a list of strings.", param=name)
    return list(value)


def _requests(value: Any) -> list[dict[str, Any]] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not all(
        isinstance(r, dict) and isinstance(r.get("body"), dict) for r in value
    ):
        raise invalid(
            "'requests' must be a list of objects with a 'body' object.", param="requests"
        )
    return list(value)


def parse_create(body: Any) -> CreateJob:
    if not isinstance(body, dict):
        raise invalid("The request body must be a JSON object.")
    unknown = [k for k in body if k not in KEYS]
    if unknown:
        raise invalid(f"Extra inputs are not permitted: '{unknown[0]}'.", param=unknown[0])
    endpoint = body.get("endpoint")
    if endpoint not in ALL_ENDPOINTS:
        raise invalid(f"Invalid endpoint {endpoint!r}.", param="endpoint")
    if endpoint not in ENDPOINTS:
        raise invalid(
            f"batch-emulator does not emulate {endpoint} batches yet; use one of "
            f"{', '.join(ENDPOINTS)}.",
            param="endpoint",
        )
    files = body.get("input_files")
    requests = _requests(body.get("requests"))
    if (files is None) == (requests is None):
        raise invalid("Exactly one of 'input_files' and 'requests' must be given.")
    if body.get("agent_id") is not None:
        raise invalid("batch-emulator does not emulate agent batches; give 'model'.")
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise invalid("'model' is required.", param="model")
    hours = body.get("timeout_hours", 24)
    if not isinstance(hours, int) or isinstance(hours, bool) or not 1 <= hours <= MAX_HOURS:
        raise invalid(
            f"'timeout_hours' must be an integer from 1 to {MAX_HOURS}.", param="timeout_hours"
        )
    metadata = body.get("metadata")
    if metadata is not None and (
        not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values())
    ):
        raise invalid("'metadata' must be an object of strings.", param="metadata")
    return CreateJob(
        endpoint,
        [] if files is None else _strings("input_files", files),
        requests,
        model,
        metadata,
        hours,
    )


def page_args(query: Any) -> tuple[int, int]:
    page, size = query.get("page", "0"), query.get("page_size", "100")
    if not COUNT.match(page) or not COUNT.match(size) or int(size) < 1:
        raise invalid("'page' must be >= 0 and 'page_size' >= 1.")
    return int(page), int(size)


TRUE = frozenset({"true", "1", "yes", "on"})
FALSE = frozenset({"false", "0", "no", "off"})


def inline_flag(value: str | None) -> bool:
    """`?inline=` of a job read; the SDKs send `true`/`false` (a bool query parameter, so the
    spellings a FastAPI bool accepts are taken and anything else is refused)."""
    if value is None or value.strip().lower() in FALSE:
        return False
    if value.strip().lower() in TRUE:
        return True
    raise invalid("'inline' must be a boolean.", param="inline")


def metadata_filter(value: str | None) -> dict[str, Any]:
    """The list's `metadata` query: a JSON object, else 400 (a list, a number, invalid or
    over-deep JSON included)."""
    if value is None or value == "":
        return {}
    try:
        wanted = jsonsafe.loads(value)
    except ValueError:
        wanted = None
    if not isinstance(wanted, dict):
        raise invalid("'metadata' must be a JSON object.", param="metadata")
    return wanted


def expiry_hours(value: Any) -> int | None:
    """The upload form's `expiry` in hours: a whole number from 1 to MAX_EXPIRY_HOURS."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not COUNT.match(value):
        raise invalid("'expiry' must be a whole number of hours.", param="expiry")
    hours = int(value)
    if not 1 <= hours <= MAX_EXPIRY_HOURS:
        raise invalid(f"'expiry' must be between 1 and {MAX_EXPIRY_HOURS} hours.", param="expiry")
    return hours


def created_after(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        raise invalid(f"Invalid 'created_after': {value!r}.", param="created_after") from None
