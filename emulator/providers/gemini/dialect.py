"""Pure mapping between the core and the Gemini wire format. No I/O, no store access."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from starlette.responses import Response

from emulator.core.batch import View
from emulator.core.errors import STATUS, EmulatorError, ErrorKind, Reason, Wording, reworded
from emulator.core.files import StoredFile
from emulator.core.service import ItemResult
from emulator.core.states import BatchState
from emulator.http import json_response
from emulator.providers.gemini import wire
from emulator.providers.gemini.codes import BY_HTTP, RPC_CODE
from emulator.providers.gemini.results import (
    CANCELLED_STATUS,
    EXPIRED_STATUS,
    output_file_id,
    result_status,
)

OUTPUT_PURPOSE = "batch_output"  # what the core's result_files names the files it creates

# Total over the core's states (tested). Gemini has no cancelling state: a batch whose cancel
# the core has not finished is still running as far as the client can tell.
STATE: dict[BatchState, str] = {
    BatchState.VALIDATING: "BATCH_STATE_PENDING",
    BatchState.IN_PROGRESS: "BATCH_STATE_RUNNING",
    BatchState.FINALIZING: "BATCH_STATE_RUNNING",
    BatchState.CANCELLING: "BATCH_STATE_RUNNING",
    BatchState.COMPLETED: "BATCH_STATE_SUCCEEDED",
    BatchState.FAILED: "BATCH_STATE_FAILED",
    BatchState.CANCELLED: "BATCH_STATE_CANCELLED",
    BatchState.EXPIRED: "BATCH_STATE_EXPIRED",
}
ENDED = frozenset(
    {BatchState.COMPLETED, BatchState.FAILED, BatchState.CANCELLED, BatchState.EXPIRED}
)

# Core kinds Google answers differently from their default HTTP status.
BY_KIND: dict[ErrorKind, tuple[int, str]] = {
    ErrorKind.CONFLICT: (400, "FAILED_PRECONDITION"),
    ErrorKind.TOO_LARGE: (400, "INVALID_ARGUMENT"),
    ErrorKind.UNPROCESSABLE: (400, "INVALID_ARGUMENT"),
    ErrorKind.OVERLOADED: (503, "UNAVAILABLE"),
}


def google_status(err: EmulatorError) -> tuple[int, str]:
    """(HTTP status, google.rpc status name): an explicit name in `code` wins."""
    if err.code in RPC_CODE:
        return err.status, err.code
    if err.kind in BY_KIND and err.status == STATUS[err.kind]:
        return BY_KIND[err.kind]
    name = BY_HTTP.get(err.status, "INTERNAL" if err.status >= 500 else "FAILED_PRECONDITION")
    return err.status, name


def entity_not_found() -> EmulatorError:
    return EmulatorError(ErrorKind.NOT_FOUND, "Requested entity was not found.", code="NOT_FOUND")


# The core's reasons in Google's words (reference anthropic-gemini-batch.md; the cancel
# wording for an ended job is inferred).
WORDING: dict[Reason, Callable[[dict[str, Any]], Wording]] = {
    Reason.BATCH_NOT_FOUND: lambda f: Wording("Requested entity was not found.", code="NOT_FOUND"),
    Reason.FILE_NOT_FOUND: lambda f: Wording(
        f"You do not have permission to access the File {f['file_id']} or it may not exist.",
        kind=ErrorKind.PERMISSION,
        code="PERMISSION_DENIED",
    ),
    # Google's rule: 0 or absent means the default, above the maximum is brought down.
    Reason.BAD_LIMIT: lambda f: Wording(
        f"Invalid value at 'page_size' (TYPE_INT32), \"{f['raw']}\""
        if f["problem"] == "type"
        else "page_size must not be negative."
    ),
    Reason.NOT_CANCELLABLE: lambda f: Wording(
        f"Batch batches/{f['batch_id']} is {STATE[BatchState(f['state'])]} and cannot be cancelled."
    ),
}


def as_sent(err: EmulatorError) -> EmulatorError:
    """A core error as Google would send it: its words, and the HTTP status of its code."""
    err = reworded(err, WORDING)
    status, name = google_status(err)
    err.status, err.code = status, name
    return err


def render_error(err: EmulatorError, request_id: str) -> Response:
    err = as_sent(err)
    status, name = err.status, str(err.code)
    body = wire.ErrorEnvelope(error=wire.ErrorBody(code=status, message=err.message, status=name))
    return json_response(body.dump(), status)


def timestamp(at: float) -> str:
    """RFC 3339 in UTC with nanosecond digits, as Google's proto-JSON writes it."""
    return datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f000Z")


def _count(n: int) -> str | None:
    return str(n) if n else None  # proto3 JSON leaves zero values out


def batch_stats(view: View) -> wire.BatchStats:
    """Derived from the core's counts, so the parts always add up to `requestCount`."""
    c = view.counts
    return wire.BatchStats(
        requestCount=_count(c.total),
        successfulRequestCount=_count(c.succeeded),
        failedRequestCount=_count(c.errored + c.canceled + c.expired),
        pendingRequestCount=_count(c.processing),
    )


def inlined(results: list[ItemResult], metadata: list[Any]) -> wire.InlinedResponses:
    """One entry per request, in input order, echoing each request's metadata."""
    entries = []
    for result in sorted(results, key=lambda r: r.index):
        meta = metadata[result.index] if result.index < len(metadata) else None
        entries.append(
            wire.InlinedResponse(
                response=result.body, error=result_status(result), metadata=meta or None
            )
        )
    return wire.InlinedResponses(inlinedResponses=entries)


def _update_time(view: View) -> float:
    m = view.moment
    seen = [view.batch.plan.created_at, m.in_progress_at, m.finalizing_at, m.ended_at]
    return max(at for at in [*seen, m.cancelling_at] if at is not None)


def _ended_status(view: View) -> wire.Status | None:
    state = view.state
    if state is BatchState.FAILED:
        errors = view.batch.errors
        message = errors[0].message if errors else "The batch failed."
        return wire.Status(code=3, message=message)
    if state is BatchState.CANCELLED:
        return CANCELLED_STATUS
    return EXPIRED_STATUS if state is BatchState.EXPIRED else None


@dataclass(frozen=True)
class Rendering:
    """What the routes computed for a view: results (succeeded batches only) and whether
    this is a list entry (which leaves inlined responses out, as the real list does)."""

    results: list[ItemResult] | None = None
    listing: bool = False


def _output(view: View, how: Rendering) -> wire.Output | None:
    batch = view.batch
    if view.state is not BatchState.COMPLETED:
        return None
    if batch.input_file_id is not None:
        return wire.Output(responsesFile="files/" + output_file_id(batch.id))
    if how.listing or how.results is None:
        return None
    return wire.Output(inlinedResponses=inlined(how.results, batch.extra.get("metadata", [])))


def operation(view: View, how: Rendering) -> dict[str, Any]:
    batch, name = view.batch, "batches/" + view.batch.id
    output = _output(view, how)
    ended = view.state in ENDED
    metadata = wire.BatchMetadata(
        model=batch.model,
        displayName=batch.extra.get("display_name"),
        inputConfig=None
        if batch.input_file_id is None
        else wire.InputConfig(fileName=batch.input_file_id),
        output=output,
        createTime=timestamp(batch.plan.created_at),
        updateTime=timestamp(batch.plan.created_at if view.as_created else _update_time(view)),
        endTime=None if view.moment.ended_at is None else timestamp(view.moment.ended_at),
        batchStats=batch_stats(view),
        state=STATE[view.state],
        name=name,
    )
    response = None
    if output is not None:
        response = wire.BatchOutput(
            inlinedResponses=output.inlinedResponses, responsesFile=output.responsesFile
        )
    return wire.Operation(
        name=name,
        metadata=metadata,
        done=True if ended else None,
        response=response,
        error=_ended_status(view) if ended else None,
    ).dump()


def file_to_wire(stored: StoredFile, file_id: str, base: str, version: str) -> dict[str, Any]:
    """`base` is the emulator's own origin, so `uri` and `downloadUri` point back at it."""
    generated = stored.purpose == OUTPUT_PURPOSE
    download = f"{base}/download/{version}/files/{file_id}:download?alt=media"
    return wire.FileObject(
        name="files/" + file_id,
        displayName=stored.display_name,
        mimeType=stored.mime_type,
        sizeBytes=str(stored.size),
        createTime=timestamp(stored.created_at),
        updateTime=timestamp(stored.created_at),
        expirationTime=None if stored.expires_at is None else timestamp(stored.expires_at),
        sha256Hash=base64.b64encode(hashlib.sha256(stored.data).digest()).decode(),
        uri=f"{base}/{version}/files/{file_id}",
        downloadUri=download if generated else None,
        source="GENERATED" if generated else "UPLOADED",
    ).dump()
