"""Pure mapping between the core and OpenAI's wire format. No I/O, no store access."""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

import orjson
from starlette.responses import Response

from emulator.core.batch import ItemError, View
from emulator.core.errors import EmulatorError, ErrorKind
from emulator.core.files import StoredFile
from emulator.core.late_results import results_missing
from emulator.core.service import ItemResult
from emulator.core.states import BatchState, Outcome
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
EXPIRED_LINE = {
    "code": "batch_expired",
    "message": "This request could not be executed before the completion window expired.",
}
CANCELLED_LINE = {
    "code": "batch_cancelled",
    "message": "This request was not executed because the batch was cancelled.",
}


def render_error(err: EmulatorError, request_id: str) -> Response:
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


def started(view: View) -> bool:
    """Whether the batch got past validating: until then it has no model, counts or files."""
    return view.moment.in_progress_at is not None and not view.as_created


def counts(view: View) -> wire.RequestCounts:
    """Recorded (openai/openai-dotnet ListBatchesProtocol.json, 2,306 real batches): `failed`
    counts only requests that errored. A batch cancelled or expired after it started reads
    {total 1, completed 0, failed 0}; one cancelled while validating stays {0, 0, 0}."""
    if view.state is BatchState.FAILED or not started(view):
        return wire.RequestCounts(total=0, completed=0, failed=0)
    c = view.counts
    return wire.RequestCounts(total=c.total, completed=c.succeeded, failed=c.errored)


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
    finalizing_at, expired_at = m.finalizing_at, m.expired_at
    if view.state is BatchState.EXPIRED and started(view) and expired_at is not None:
        # Recorded: an expired batch's finalizing_at is one second after its expiry.
        finalizing_at = expired_at = int(expired_at) + 1
    return wire.Batch(
        id=batch.id,
        endpoint=batch.endpoint,
        model=batch.model if started(view) else None,  # recorded: null until in_progress
        errors=errors,
        input_file_id=batch.input_file_id or "",
        completion_window=str(batch.extra.get("completion_window", "24h")),
        status=STATUS[view.state],
        output_file_id=None if results_missing(view) else batch.output_file_id,
        error_file_id=None if results_missing(view) else batch.error_file_id,
        created_at=int(plan.created_at),
        in_progress_at=_ts(m.in_progress_at),
        expires_at=int(plan.expires_at),
        finalizing_at=_ts(finalizing_at),
        completed_at=_ts(m.completed_at),
        failed_at=_ts(m.failed_at),
        expired_at=_ts(expired_at),
        cancelling_at=_ts(m.cancelling_at),
        cancelled_at=_ts(m.cancelled_at),
        request_counts=counts(view),
        usage=usage(tokens),
        metadata=batch.metadata,
    ).model_dump()


def error_body(error: ItemError) -> dict[str, Any]:
    return {
        "error": {
            "message": error.message,
            "type": error.type,
            "param": error.param,
            "code": error.code,
        }
    }


def output_line(result: ItemResult) -> dict[str, Any]:
    """One line of the output or error file, `BatchRequestOutput` shape."""
    line: dict[str, Any] = {"id": result.line_id, "custom_id": result.custom_id}
    if result.outcome is Outcome.SUCCEEDED:
        line["response"] = {
            "status_code": 200,
            "request_id": result.request_id,
            "body": result.body,
        }
        line["error"] = None
    elif result.outcome is Outcome.ERRORED and result.error is not None:
        line["response"] = {
            "status_code": result.error.status,
            "request_id": result.request_id,
            "body": error_body(result.error),
        }
        line["error"] = None
    else:
        line["response"] = None
        line["error"] = EXPIRED_LINE if result.outcome is Outcome.EXPIRED else CANCELLED_LINE
    return line


def render_files(view: View, results: Iterable[ItemResult]) -> tuple[bytes | None, bytes | None]:
    """Output file (successes) and error file (everything else); None when it would be empty.

    Lines are encoded as they stream past, so only the bytes are ever held, not the dicts.
    A batch cancelled while validating has neither (recorded: all 1,023 such batches).
    """
    if not started(view):
        return None, None
    good, bad = io.BytesIO(), io.BytesIO()
    for result in results:
        line = orjson.dumps(output_line(result), option=orjson.OPT_APPEND_NEWLINE)
        (good if result.outcome is Outcome.SUCCEEDED else bad).write(line)
    # getvalue() hands over BytesIO's own buffer when nothing else holds it: no 45 MB copy.
    return good.getvalue() or None, bad.getvalue() or None
