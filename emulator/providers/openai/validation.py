"""Input-file validation for JSONL batch inputs (OpenAI's format, also Bifrost's file style).

Collects every problem, with 1-based line numbers, the way the real service reports a failed
batch; it never stops at the first bad line. Blank lines are skipped but keep their numbers.

Rules that the real service leaves unspecified, fixed here so clients can rely on them:
- the batch's model is the model of the first line with no problem of its own; any other line
  that names a different model is a `model_mismatch`;
- a `custom_id` is taken by the first line (valid or not) that parses with a string id; every
  later line with the same id is a `duplicate_custom_id`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from emulator.core import jsonsafe
from emulator.core.batch import Item, ItemError, LineError
from emulator.core.models import EMBEDDING_DIMS, is_known_model
from emulator.core.service import BatchService

EMBEDDINGS = "/v1/embeddings"
MAX_EMBEDDING_INPUTS = 50_000
LINE_KEYS = ("custom_id", "method", "url", "body")
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
class LineRules:
    """What one provider lets an input line say; OpenAI's rules by default.

    Azure names a *deployment* in `body.model` (any name) and spells line urls with or without
    `/v1`; Groq, Mistral and Together use their own model catalogues.
    """

    model_ok: Callable[[str], bool] = is_known_model
    urls: frozenset[str] = frozenset()  # other spellings of the batch endpoint a line may use


OPENAI_RULES = LineRules()


@dataclass(frozen=True)
class Parsed:
    items: list[Item]
    errors: list[LineError]
    model: str | None


@dataclass
class _Scan:
    """Running state over one file: the ids taken so far and the batch's model."""

    endpoint: str
    rules: LineRules = OPENAI_RULES
    items: list[Item] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)
    model: str | None = None
    requests: int = 0
    embedding_inputs: int = 0

    def add(self, number: int, raw: bytes) -> None:
        self.requests += 1
        line = _decode(raw)
        if line is None:
            self.errors.append(_bad_json(number))
            return
        problems = _check_line(line, number, self.endpoint, self.rules)
        raw_body = line.get("body")
        body: dict[str, Any] = raw_body if isinstance(raw_body, dict) else {}
        if not problems:
            problems += self._check_model(body["model"], number)
        custom_id = line.get("custom_id")
        if isinstance(custom_id, str):
            if custom_id in self.seen:
                problems.append(_duplicate(number))
            self.seen.add(custom_id)
        if self.endpoint == EMBEDDINGS:
            self.embedding_inputs += count_inputs(body.get("input"))
        self.errors += problems
        if not problems:
            error = request_error(self.endpoint, body)
            self.items.append(Item(custom_id=str(custom_id), body=body, error=error))

    def _check_model(self, model: str, number: int) -> list[LineError]:
        self.model = self.model or model
        return [] if model == self.model else [_mismatch(number, model, self.model)]


def parse_jsonl(
    data: bytes, endpoint: str, max_requests: int, rules: LineRules = OPENAI_RULES
) -> Parsed:
    scan = _Scan(endpoint, rules)
    for number, raw in enumerate(_lines(data), start=1):
        if raw.strip():
            scan.add(number, raw)
    errors = scan.errors + _totals(scan.requests, scan.embedding_inputs, max_requests)
    if not scan.items and not errors:
        errors.append(
            LineError(
                "empty_file",
                "The input file is empty. Please ensure that "
                "the batch contains at least one request.",
            )
        )
    return Parsed(items=scan.items, errors=errors, model=scan.model)


def _lines(data: bytes) -> Iterator[bytes]:
    """`data.split(b"\n")`, one line at a time: a 30 MB file is never held twice over."""
    start, find = 0, data.find
    while True:
        end = find(b"\n", start)
        if end < 0:
            yield data[start:]
            return
        yield data[start:end]
        start = end + 1


def _decode(raw: bytes) -> dict[str, Any] | None:
    try:
        value = jsonsafe.loads_strict(raw)  # RFC 8259 (no BOM, NaN, bad UTF-8), depth-limited
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _check_line(
    line: dict[str, Any], n: int, endpoint: str, rules: LineRules = OPENAI_RULES
) -> list[LineError]:
    missing = [k for k in LINE_KEYS if k not in line]
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
    if line["url"] != endpoint and line["url"] not in rules.urls:
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
    return problems + _check_body(body, n, endpoint, rules)


def _check_body(
    body: dict[str, Any], n: int, endpoint: str, rules: LineRules = OPENAI_RULES
) -> list[LineError]:
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
    if not rules.model_ok(model):
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


def request_error(endpoint: str, body: dict[str, Any]) -> ItemError | None:
    """A well-formed line the endpoint itself refuses: it runs, and lands in the error file.

    Only `dimensions` is checked: older embedding models cannot shorten, the 3-series only
    down from their native size.
    """
    if endpoint != EMBEDDINGS or "dimensions" not in body:
        return None
    model, dims = body["model"], body["dimensions"]
    if not model.startswith("text-embedding-3"):
        return ItemError(
            400,
            "invalid_request_error",
            "This model does not support specifying dimensions.",
            param="dimensions",
        )
    native = EMBEDDING_DIMS.get(model, 3072)
    if isinstance(dims, int) and not isinstance(dims, bool) and 1 <= dims <= native:
        return None
    return ItemError(
        400,
        "invalid_request_error",
        f"Invalid 'dimensions': expected an integer between 1 and {native}, got {dims!r}.",
        param="dimensions",
    )


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


def count_inputs(value: Any) -> int:
    """Embedding inputs in one request: a string or one token array is one input."""
    if isinstance(value, list) and value and not all(isinstance(v, int) for v in value):
        return len(value)
    return 1


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


def parse_input_file(
    service: BatchService,
    file_id: str,
    endpoint: str,
    rules: LineRules = OPENAI_RULES,
    *,
    max_requests: int | None = None,
) -> Parsed:
    """Validate a batch's JSONL input file; a missing or wrong-purpose file fails the batch
    asynchronously (it is accepted at create, then fails validation), as the real API does.

    `rules` and `max_requests` let an OpenAI-shaped provider (Azure, Groq) apply its own."""
    stored = service.file_or_none(file_id)
    if stored is None:
        message = f"Cannot find file {file_id}, or organization does not have access to it."
        return Parsed([], [LineError("invalid_request", message, "file_id")], None)
    if stored.purpose != "batch":
        message = (
            f"The file {file_id} has purpose '{stored.purpose}'; a batch input file must have "
            "purpose 'batch'."
        )
        return Parsed([], [LineError("invalid_request", message, "input_file_id")], None)
    limit = service.config.max_batch_requests if max_requests is None else max_requests
    return parse_jsonl(stored.data, endpoint, limit, rules)
