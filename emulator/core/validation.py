"""Input-file validation for JSONL batch inputs (OpenAI's format, also Bifrost's file style).

Collects every problem, with 1-based line numbers, the way the real service reports a failed
batch; it never stops at the first bad line.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from emulator.core.batch import Item, LineError
from emulator.core.models import is_known_model

EMBEDDINGS = "/v1/embeddings"
MAX_EMBEDDING_INPUTS = 50_000
_LABEL = {
    "/v1/chat/completions": "Chat Completions",
    "/v1/completions": "Completions",
    "/v1/responses": "Responses",
    "/v1/embeddings": "Embeddings",
    "/v1/moderations": "Moderations",
}
_REQUIRED_BODY = {
    "/v1/chat/completions": ("messages", "Messages"),
    "/v1/embeddings": ("input", "Input"),
    "/v1/completions": ("prompt", "Prompt"),
    "/v1/moderations": ("input", "Input"),
    "/v1/responses": ("input", "Input"),
}


@dataclass(frozen=True)
class Parsed:
    items: list[Item]
    errors: list[LineError]
    model: str | None


def parse_jsonl(data: bytes, endpoint: str, max_requests: int) -> Parsed:
    items: list[Item] = []
    errors: list[LineError] = []
    seen: set[str] = set()
    first_model: str | None = None
    embedding_inputs = 0
    for number, raw in enumerate(data.split(b"\n"), start=1):
        if not raw.strip():
            continue
        line = _decode(raw)
        if line is None:
            errors.append(_bad_json(number))
            continue
        problems = _check_line(line, number, endpoint)
        custom_id = line.get("custom_id")
        if isinstance(custom_id, str):
            if custom_id in seen:
                problems.append(_duplicate(number))
            seen.add(custom_id)
        raw_body = line.get("body")
        body: dict[str, Any] = raw_body if isinstance(raw_body, dict) else {}
        model = body.get("model")
        if isinstance(model, str):
            first_model = first_model or model
            if model != first_model:
                problems.append(_mismatch(number, model, first_model))
        if endpoint == EMBEDDINGS:
            embedding_inputs += _count_inputs(body.get("input"))
        errors += problems
        if not problems:
            items.append(Item(custom_id=str(custom_id), body=body))
    errors += _totals(len(items) + _count_failed_lines(errors), embedding_inputs, max_requests)
    if not items and not errors:
        errors.append(
            LineError(
                "empty_file",
                "The input file is empty. Please ensure that "
                "the batch contains at least one request.",
            )
        )
    return Parsed(items=items, errors=errors, model=first_model)


def _decode(raw: bytes) -> dict[str, Any] | None:
    try:
        value = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def _check_line(line: dict[str, Any], n: int, endpoint: str) -> list[LineError]:
    missing = [k for k in ("custom_id", "method", "url", "body") if k not in line]
    if missing:
        return [
            LineError("missing_required_parameter", f"Missing required parameter: '{k}'.", k, n)
            for k in missing
        ]
    problems: list[LineError] = []
    if not isinstance(line["custom_id"], str):
        problems.append(LineError("invalid_request", "custom_id must be a string.", "custom_id", n))
    if line["method"] != "POST":
        problems.append(LineError("invalid_request", "Only POST method is supported.", "method", n))
    if line["url"] != endpoint:
        problems.append(
            LineError(
                "invalid_url",
                "The URL provided for this request does not match the batch endpoint.",
                "url",
                n,
            )
        )
    body = line["body"]
    if not isinstance(body, dict):
        return [*problems, LineError("invalid_request", "body must be a JSON object.", "body", n)]
    return problems + _check_body(body, n, endpoint)


def _check_body(body: dict[str, Any], n: int, endpoint: str) -> list[LineError]:
    label = _LABEL.get(endpoint, "Request")
    if body.get("stream") is True:
        return [
            LineError(
                "streaming_unsupported",
                f"{label}: Streaming is not supported in the Batch API.",
                "body.stream",
                n,
            )
        ]
    model = body.get("model")
    if not isinstance(model, str) or not model:
        return [LineError("invalid_request", "Model parameter is required.", "body.model", n)]
    if not is_known_model(model):
        return [
            LineError(
                "model_not_found",
                f"The provided model '{model}' is not supported by the Batch API.",
                "body.model",
                n,
            )
        ]
    key, name = _REQUIRED_BODY.get(endpoint, ("", ""))
    if key and key not in body:
        return [LineError("invalid_request", f"{name} parameter is required.", f"body.{key}", n)]
    return []


def _bad_json(n: int) -> LineError:
    return LineError("invalid_json_line", "This line is not parseable as valid JSON.", None, n)


def _duplicate(n: int) -> LineError:
    return LineError(
        "duplicate_custom_id",
        "The custom ID for this request is a duplicate of the custom ID in another request.",
        "custom_id",
        n,
    )


def _mismatch(n: int, model: str, first: str) -> LineError:
    return LineError(
        "model_mismatch",
        f"The model '{model}' does not match the model '{first}' "
        "used by the rest of the file; a batch can only use one model.",
        "body.model",
        n,
    )


def _count_inputs(value: Any) -> int:
    if isinstance(value, list):
        return len(value) or 1
    return 1


def _count_failed_lines(errors: list[LineError]) -> int:
    return len({e.line for e in errors if e.line is not None})


def _totals(requests: int, embedding_inputs: int, max_requests: int) -> list[LineError]:
    problems = []
    if requests > max_requests:
        problems.append(
            LineError(
                "too_many_tasks",
                f"The number of requests in the input file exceeds the maximum "
                f"allowed value of {max_requests:,}.",
            )
        )
    if embedding_inputs > MAX_EMBEDDING_INPUTS:
        problems.append(
            LineError(
                "too_many_tasks",
                f"The number of embedding inputs in the input file exceeds the "
                f"maximum allowed value of {MAX_EMBEDDING_INPUTS:,}.",
            )
        )
    return problems
