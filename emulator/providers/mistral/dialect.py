"""Pure mapping between the core and Mistral's batch wire format. No I/O, no store access."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson
from starlette.responses import Response

from emulator.core import jsonsafe
from emulator.core.batch import View
from emulator.core.errors import EmulatorError, ErrorKind, Reason, Wording, reworded
from emulator.core.files import StoredFile
from emulator.core.states import BatchState
from emulator.http import json_response
from emulator.providers.mistral import wire
from emulator.providers.openai.validation import LineRules

# Total mapping of the core's states (reference more-providers §3.3; statuses [S, D]).
STATUS: dict[BatchState, str] = {
    BatchState.VALIDATING: "QUEUED",
    BatchState.IN_PROGRESS: "RUNNING",
    BatchState.FINALIZING: "RUNNING",
    BatchState.COMPLETED: "SUCCESS",  # also with some failed requests [I]
    BatchState.FAILED: "FAILED",
    BatchState.EXPIRED: "TIMEOUT_EXCEEDED",
    BatchState.CANCELLING: "CANCELLATION_REQUESTED",
    BatchState.CANCELLED: "CANCELLED",
}
STATES_OF: dict[str, set[BatchState]] = {}
for _state, _name in STATUS.items():
    STATES_OF.setdefault(_name, set()).add(_state)

# The endpoints the emulator can answer for (Mistral accepts more: FIM, OCR, moderations...).
ENDPOINTS = ("/v1/chat/completions", "/v1/embeddings")
MODEL_PREFIXES = (
    "mistral-",
    "open-mistral",
    "open-mixtral",
    "codestral",
    "ministral",
    "pixtral",
    "magistral",
    "devstral",
    "voxtral",
    "ft:",
)
RULES = LineRules(model_ok=lambda name: name.startswith(MODEL_PREFIXES))
PURPOSES = ("fine-tune", "batch", "ocr", "agentic_safety")
ERROR_TYPE = {
    ErrorKind.AUTHENTICATION: "unauthorized",
    ErrorKind.PERMISSION: "forbidden",
    ErrorKind.NOT_FOUND: "not_found",
    ErrorKind.RATE_LIMITED: "rate_limited",
    ErrorKind.SERVER: "internal_server_error",
    ErrorKind.UNAVAILABLE: "service_unavailable",
    ErrorKind.OVERLOADED: "service_unavailable",
}
# The core's reasons in Mistral's words [I: the real messages are not documented].
WORDING: dict[Reason, Callable[[dict[str, Any]], Wording]] = {
    Reason.BATCH_NOT_FOUND: lambda f: Wording(f"Batch job {f['batch_id']} not found."),
    Reason.FILE_NOT_FOUND: lambda f: Wording(f"File {f['file_id']} not found."),
    Reason.NOT_CANCELLABLE: lambda f: Wording(
        f"Batch job {f['batch_id']} has already finished.", kind=ErrorKind.INVALID_REQUEST
    ),
    Reason.NOT_DELETABLE: lambda f: Wording(
        f"Batch job {f['batch_id']} is still running; cancel it first.",
        kind=ErrorKind.INVALID_REQUEST,
    ),
}


def render_error(err: EmulatorError, request_id: str) -> Response:
    err = reworded(err, WORDING)
    body = wire.ErrorBody(
        message=err.message,
        type=ERROR_TYPE.get(err.kind, "invalid_request_error"),
        param=err.param,
        code=err.code,
    )
    return json_response(body.model_dump(), err.status)


def as_openai_lines(data: bytes, endpoint: str, model: str) -> bytes:
    """Mistral's `{custom_id, body}` lines as the core's OpenAI-form lines, line for line.

    The model comes from the job (reference §3.2); a line without `custom_id` gets its line
    number. Lines that are not JSON objects pass through untouched, so the core reports them
    with their own line numbers.
    """
    out = []
    for number, raw in enumerate(data.split(b"\n"), start=1):
        try:
            line = jsonsafe.loads_strict(raw) if raw.strip() else None  # depth-limited
        except ValueError:
            line = None
        if not isinstance(line, dict) or not isinstance(line.get("body"), dict):
            out.append(raw)
            continue
        custom_id = line.get("custom_id")
        converted = {
            "custom_id": str(number - 1) if custom_id is None else custom_id,
            "method": "POST",
            "url": endpoint,
            "body": {**line["body"], "model": model},
        }
        out.append(orjson.dumps(converted))
    return b"\n".join(out)


def sample_type(stored: StoredFile) -> str:
    if stored.purpose == "batch_output":
        return "batch_error" if stored.filename.endswith("_error.jsonl") else "batch_result"
    return {"batch": "batch_request", "fine-tune": "instruct"}.get(stored.purpose, "instruct")


def file_to_wire(stored: StoredFile, *, with_deleted: bool = False) -> dict[str, Any]:
    generated = stored.purpose == "batch_output"
    model = wire.StoredFileObject if with_deleted else wire.FileObject
    return model(
        id=stored.id,
        bytes=stored.size,
        created_at=int(stored.created_at),
        filename=stored.filename,
        purpose="batch" if generated else stored.purpose,
        sample_type=sample_type(stored),
        source="mistral" if generated else "upload",
        num_lines=stored.data.count(b"\n") + (not stored.data.endswith(b"\n")),
        mimetype="application/jsonl",
        expires_at=None if stored.expires_at is None else int(stored.expires_at),
        visibility="workspace",
    ).model_dump()


def _ts(value: float | None) -> int | None:
    return None if value is None else int(value)


def job_to_wire(view: View, outputs: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    batch, m = view.batch, view.moment
    c = view.counts
    before_start = view.state in (BatchState.VALIDATING, BatchState.FAILED) or view.as_created
    failed = 0 if before_start else c.errored
    succeeded = 0 if before_start else c.succeeded
    ended = m.completed_at or m.failed_at or m.expired_at or m.cancelled_at
    errors = [wire.JobError(message=e.message) for e in batch.errors]
    if view.state is not BatchState.FAILED:
        errors = []
    # Recorded (mistralai/cookbook batch_api_example.ipynb): the create answer, QUEUED, reads
    # total_requests=0; the finished job reads the real total. [I] it is known once the job
    # starts running, and a job that never ran keeps 0.
    total = 0 if m.in_progress_at is None or view.as_created else len(batch.items)
    return wire.Job(
        id=batch.id,
        input_files=list(batch.extra.get("input_files", [])),
        metadata=batch.metadata,
        endpoint=batch.endpoint,
        model=batch.model,
        output_file=batch.output_file_id,
        error_file=batch.error_file_id,
        errors=errors,
        outputs=outputs,
        status=STATUS[view.state],
        created_at=int(batch.plan.created_at),
        total_requests=total,
        completed_requests=succeeded + failed,
        succeeded_requests=succeeded,
        failed_requests=failed,
        started_at=_ts(m.in_progress_at),
        completed_at=_ts(ended),
    ).model_dump()
