"""Pure mapping between the core and OpenAI's wire format. No I/O, no store access."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson
from starlette.responses import Response

from emulator.core.batch import View
from emulator.core.errors import EmulatorError, ErrorKind, Reason, Wording, reworded
from emulator.core.files import StoredFile
from emulator.core.late_results import results_missing
from emulator.core.states import BatchState
from emulator.http import json_response
from emulator.providers.openai import wire

STATUS: dict[BatchState, str] = {state: state.value for state in BatchState}

ERROR_TYPE: dict[ErrorKind, str] = {
    ErrorKind.INVALID_REQUEST: "invalid_request_error",
    ErrorKind.AUTHENTICATION: "invalid_request_error",
    ErrorKind.PERMISSION: "invalid_request_error",
    ErrorKind.NOT_FOUND: "invalid_request_error",
    ErrorKind.METHOD_NOT_ALLOWED: "invalid_request_error",
    ErrorKind.CONFLICT: "invalid_request_error",
    ErrorKind.TOO_LARGE: "invalid_request_error",
    ErrorKind.UNPROCESSABLE: "invalid_request_error",
    ErrorKind.RATE_LIMITED: "requests",
    ErrorKind.SERVER: "server_error",
    ErrorKind.UNAVAILABLE: "server_error",
    ErrorKind.OVERLOADED: "server_error",
}
# The core's reasons in OpenAI's words. File: recorded (openai-dotnet
# tests/SessionRecords/FilesTests/GetFileCanParseServiceError.json). Cancel 409: observed
# (reference openai-batch.md, "Cancel on completed"). Batch not found: inferred text.
WORDING: dict[Reason, Callable[[dict[str, Any]], Wording]] = {
    Reason.BATCH_NOT_FOUND: lambda f: Wording(
        f"No batch found with id '{f['batch_id']}'.", code="batch_not_found"
    ),
    Reason.FILE_NOT_FOUND: lambda f: Wording(f"No such File object: {f['file_id']}", param="id"),
    Reason.NOT_CANCELLABLE: lambda f: Wording(f"Cannot cancel a batch with status '{f['state']}'."),
}


def as_sent(err: EmulatorError) -> EmulatorError:
    """A core error in this provider's words (also what Bifrost relays from it)."""
    return reworded(err, WORDING)


def render_error(err: EmulatorError, request_id: str) -> Response:
    err = as_sent(err)
    code = err.code
    if code is None and err.kind is ErrorKind.RATE_LIMITED:
        code = "rate_limit_exceeded"
    body = wire.ErrorEnvelope(
        error=wire.ErrorBody(
            message=err.message, type=ERROR_TYPE[err.kind], param=err.param, code=code
        )
    )
    return json_response(body.model_dump(), err.status)


def render_files_error(err: EmulatorError, request_id: str) -> Response:
    """A Files error as recorded (openai-dotnet FilesTests, every error there): the envelope
    plus a top-level `detail` holding the message and code again."""
    response = render_error(err, request_id)
    body = orjson.loads(response.body)
    body["detail"] = {"message": body["error"]["message"], "code": body["error"]["code"]}
    return json_response(body, response.status_code)


def file_to_wire(stored: StoredFile) -> dict[str, Any]:
    return wire.FileObject(
        id=stored.id,
        bytes=stored.size,
        created_at=int(stored.created_at),
        expires_at=None if stored.expires_at is None else int(stored.expires_at),
        filename=stored.filename,
        purpose=stored.purpose,
    ).model_dump()


def _ts(value: float | None) -> int | None:
    return None if value is None else int(value)


def started(view: View) -> bool:
    """Whether the batch got past validating: until then it has no model, counts or files."""
    return view.moment.in_progress_at is not None and not view.as_created


def counts(view: View) -> dict[str, int]:
    """Recorded (openai/openai-dotnet ListBatchesProtocol.json, 2,306 real batches): `failed`
    counts only requests that errored. A batch cancelled or expired after it started reads
    {total 1, completed 0, failed 0}; one cancelled while validating stays {0, 0, 0}."""
    if view.state is BatchState.FAILED or not started(view):
        return {"total": 0, "completed": 0, "failed": 0}
    c = view.counts
    return {"total": c.total, "completed": c.succeeded, "failed": c.errored}


def usage(tokens: tuple[int, int] | None) -> dict[str, Any]:
    tokens_in, tokens_out = tokens or (0, 0)
    return {
        "input_tokens": tokens_in,
        "input_tokens_details": {"cached_tokens": 0},
        "output_tokens": tokens_out,
        "output_tokens_details": {"reasoning_tokens": 0},
        "total_tokens": tokens_in + tokens_out,
    }


def batch_to_wire(view: View, tokens: tuple[int, int] | None = None) -> dict[str, Any]:
    """The Batch object; `tokens` (input, output) summed over the successes fill `usage`.

    Built as a plain dict because every poll of every OpenAI-shaped door renders one and
    validating five models per poll was a quarter of a retrieve's cost; `wire.Batch` still
    states the shape, and tests/providers/test_openai_wire_shape.py holds this output to it
    (`extra="forbid"`, strict types) in every state."""
    batch, m = view.batch, view.moment
    errors = None
    if batch.errors and view.state is BatchState.FAILED:
        data = [
            {"code": e.code, "message": e.message, "param": e.param, "line": e.line}
            for e in batch.errors
        ]
        errors = {"object": "list", "data": data}
    plan = batch.plan
    finalizing_at, expired_at = m.finalizing_at, m.expired_at
    if view.state is BatchState.EXPIRED and started(view) and expired_at is not None:
        # Recorded: an expired batch's finalizing_at is one second after its expiry.
        finalizing_at = expired_at = int(expired_at) + 1
    begun, missing = started(view), results_missing(view)
    return {
        "id": batch.id,
        "object": "batch",
        "endpoint": batch.endpoint,
        "model": batch.model if begun else None,  # recorded: null until in_progress
        "errors": errors,
        "input_file_id": batch.input_file_id or "",
        "completion_window": str(batch.extra.get("completion_window", "24h")),
        "status": STATUS[view.state],
        "output_file_id": None if missing else batch.output_file_id,
        "error_file_id": None if missing else batch.error_file_id,
        "created_at": int(plan.created_at),
        "in_progress_at": _ts(m.in_progress_at),
        "expires_at": int(plan.expires_at),
        "finalizing_at": _ts(finalizing_at),
        "completed_at": _ts(m.completed_at),
        "failed_at": _ts(m.failed_at),
        "expired_at": _ts(expired_at),
        "cancelling_at": _ts(m.cancelling_at),
        "cancelled_at": _ts(m.cancelled_at),
        "request_counts": counts(view),
        "usage": usage(tokens),
        "metadata": None if batch.metadata is None else dict(batch.metadata),
    }
