"""Pure mapping between the core and OpenAI's wire format. No I/O, no store access."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.responses import Response

from emulator.core.batch import View
from emulator.core.errors import EmulatorError, ErrorKind, Reason, Wording, reworded
from emulator.core.files import StoredFile
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


def counts(view: View) -> wire.RequestCounts:
    if view.state in (BatchState.VALIDATING, BatchState.FAILED) or view.as_created:
        return wire.RequestCounts(total=0, completed=0, failed=0)
    c = view.counts
    return wire.RequestCounts(total=c.total, completed=c.succeeded, failed=c.errored + c.canceled)


def usage(tokens: tuple[int, int] | None) -> wire.Usage:
    tokens_in, tokens_out = tokens or (0, 0)
    return wire.Usage(
        input_tokens=tokens_in,
        input_tokens_details=wire.InputTokensDetails(),
        output_tokens=tokens_out,
        output_tokens_details=wire.OutputTokensDetails(),
        total_tokens=tokens_in + tokens_out,
    )


def batch_to_wire(view: View, tokens: tuple[int, int] | None = None) -> dict[str, Any]:
    """The Batch object; `tokens` (input, output) summed over the successes fill `usage`."""
    batch, m = view.batch, view.moment
    errors = None
    if batch.errors and view.state is BatchState.FAILED:
        errors = wire.Errors(
            data=[
                wire.BatchError(code=e.code, message=e.message, param=e.param, line=e.line)
                for e in batch.errors
            ]
        )
    plan = batch.plan
    return wire.Batch(
        id=batch.id,
        endpoint=batch.endpoint,
        model=batch.model,
        errors=errors,
        input_file_id=batch.input_file_id or "",
        completion_window=str(batch.extra.get("completion_window", "24h")),
        status=STATUS[view.state],
        output_file_id=batch.output_file_id,
        error_file_id=batch.error_file_id,
        created_at=int(plan.created_at),
        in_progress_at=_ts(m.in_progress_at),
        expires_at=int(plan.expires_at),
        finalizing_at=_ts(m.finalizing_at),
        completed_at=_ts(m.completed_at),
        failed_at=_ts(m.failed_at),
        expired_at=_ts(m.expired_at),
        cancelling_at=_ts(m.cancelling_at),
        cancelled_at=_ts(m.cancelled_at),
        request_counts=counts(view),
        usage=usage(tokens),
        metadata=batch.metadata,
    ).model_dump()
