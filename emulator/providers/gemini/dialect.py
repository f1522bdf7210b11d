"""Pure mapping between the core and the Gemini wire format. No I/O, no store access."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from starlette.responses import Response

from emulator.core.batch import ItemError, View
from emulator.core.errors import STATUS, EmulatorError, ErrorKind
from emulator.core.files import StoredFile
from emulator.core.late_results import results_missing
from emulator.core.service import FileRenderer, ItemResult
from emulator.core.states import BatchState, Outcome
from emulator.http import json_response
from emulator.providers.gemini import wire

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

RPC_CODE: dict[str, int] = {
    "CANCELLED": 1,
    "UNKNOWN": 2,
    "INVALID_ARGUMENT": 3,
    "DEADLINE_EXCEEDED": 4,
    "NOT_FOUND": 5,
    "ALREADY_EXISTS": 6,
    "PERMISSION_DENIED": 7,
    "RESOURCE_EXHAUSTED": 8,
    "FAILED_PRECONDITION": 9,
    "ABORTED": 10,
    "OUT_OF_RANGE": 11,
    "UNIMPLEMENTED": 12,
    "INTERNAL": 13,
    "UNAVAILABLE": 14,
    "DATA_LOSS": 15,
    "UNAUTHENTICATED": 16,
}
# google.rpc's HTTP mapping (https://cloud.google.com/apis/design/errors).
BY_HTTP: dict[int, str] = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    405: "NOT_FOUND",
    409: "ABORTED",
    413: "INVALID_ARGUMENT",
    422: "INVALID_ARGUMENT",
    429: "RESOURCE_EXHAUSTED",
    499: "CANCELLED",
    500: "INTERNAL",
    501: "UNIMPLEMENTED",
    502: "UNAVAILABLE",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}
# Core kinds Google answers differently from their default HTTP status.
BY_KIND: dict[ErrorKind, tuple[int, str]] = {
    ErrorKind.CONFLICT: (400, "FAILED_PRECONDITION"),
    ErrorKind.TOO_LARGE: (400, "INVALID_ARGUMENT"),
    ErrorKind.UNPROCESSABLE: (400, "INVALID_ARGUMENT"),
    ErrorKind.OVERLOADED: (503, "UNAVAILABLE"),
}
CANCELLED_STATUS = wire.Status(code=1, message="The batch was cancelled.")
EXPIRED_STATUS = wire.Status(
    code=4, message="The batch did not finish within 48 hours and has expired."
)


def google_status(err: EmulatorError) -> tuple[int, str]:
    """(HTTP status, google.rpc status name): an explicit name in `code` wins."""
    if err.code in RPC_CODE:
        return err.status, err.code
    if err.kind in BY_KIND and err.status == STATUS[err.kind]:
        return BY_KIND[err.kind]
    name = BY_HTTP.get(err.status, "INTERNAL" if err.status >= 500 else "FAILED_PRECONDITION")
    return err.status, name


def render_error(err: EmulatorError, request_id: str) -> Response:
    status, name = google_status(err)
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


def item_status(error: ItemError) -> wire.Status:
    name = error.type if error.type in RPC_CODE else BY_HTTP.get(error.status, "INTERNAL")
    return wire.Status(code=RPC_CODE[name], message=error.message)


def result_status(result: ItemResult) -> wire.Status | None:
    if result.outcome is Outcome.SUCCEEDED:
        return None
    if result.outcome is Outcome.ERRORED and result.error is not None:
        return item_status(result.error)
    return EXPIRED_STATUS if result.outcome is Outcome.EXPIRED else CANCELLED_STATUS


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


def responses_file(results: Iterable[ItemResult], keys: list[str | None]) -> bytes:
    """The JSONL output file: `{"key", "response"}` or `{"key", "error"}`, in input order."""
    lines = []
    for result in sorted(results, key=lambda r: r.index):
        line: dict[str, Any] = {}
        key = keys[result.index] if result.index < len(keys) else None
        if key is not None:
            line["key"] = key
        status = result_status(result)
        if status is None:
            line["response"] = result.body
        else:
            line["error"] = status.dump()
        lines.append(json.dumps(line, separators=(",", ":"), ensure_ascii=False))
    return ("\n".join(lines) + "\n").encode() if lines else b""


def render_files(keys: list[str | None]) -> FileRenderer:
    """A `FileRenderer` for the core's `result_files`: one responses file, no error file."""

    def render(view: View, results: Iterable[ItemResult]) -> tuple[bytes | None, bytes | None]:
        return responses_file(results, keys), None

    return render


def output_file_id(batch_id: str) -> str:
    return f"batch-{batch_id}"


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
    if view.state is not BatchState.COMPLETED or results_missing(view):
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
        # Recorded (tidyverse/ellmer tests/testthat/_vcr/google-upload.yml): base64 of the
        # *hex digest string*, 88 characters, not of the 32 raw digest bytes.
        sha256Hash=base64.b64encode(hashlib.sha256(stored.data).hexdigest().encode()).decode(),
        uri=f"{base}/{version}/files/{file_id}",
        downloadUri=download if generated else None,
        source="GENERATED" if generated else "UPLOADED",
    ).dump()


def file_id_of(stored: StoredFile) -> str:
    """The Gemini name of a stored file; output files are `batch-<batch id>` as on the wire."""
    if stored.purpose == OUTPUT_PURPOSE:
        return output_file_id(stored.filename.removesuffix("_output.jsonl"))
    return stored.id
