"""Pure mapping between the core and Anthropic's Message Batches wire format. No I/O."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.responses import Response

from emulator.core import jsonl, timeline
from emulator.core.batch import ItemError, View
from emulator.core.errors import (
    EmulatorError,
    ErrorKind,
    Reason,
    Wording,
    kind_for_status,
    reworded,
)
from emulator.core.service import ItemResult
from emulator.core.states import TERMINAL, BatchState, Outcome
from emulator.http import json_response
from emulator.providers.anthropic import wire

BATCHES_PATH = "/v1/messages/batches"
# Where a batch that failed validation keeps its custom_ids: the core drops the items of a
# failed batch, but Anthropic has no failed state, so such a batch ends with every line errored.

STATUS: dict[BatchState, wire.ProcessingStatus] = {
    BatchState.VALIDATING: "in_progress",
    BatchState.IN_PROGRESS: "in_progress",
    BatchState.FINALIZING: "in_progress",
    BatchState.CANCELLING: "canceling",
    BatchState.COMPLETED: "ended",
    BatchState.FAILED: "ended",
    BatchState.EXPIRED: "ended",
    BatchState.CANCELLED: "ended",
}

ERROR_TYPE: dict[ErrorKind, str] = {
    ErrorKind.INVALID_REQUEST: "invalid_request_error",
    ErrorKind.AUTHENTICATION: "authentication_error",
    ErrorKind.PERMISSION: "permission_error",
    ErrorKind.NOT_FOUND: "not_found_error",
    ErrorKind.METHOD_NOT_ALLOWED: "invalid_request_error",
    ErrorKind.CONFLICT: "conflict_error",
    ErrorKind.TOO_LARGE: "request_too_large",
    ErrorKind.UNPROCESSABLE: "invalid_request_error",
    ErrorKind.RATE_LIMITED: "rate_limit_error",
    ErrorKind.SERVER: "api_error",
    ErrorKind.UNAVAILABLE: "api_error",
    ErrorKind.OVERLOADED: "overloaded_error",
}
# Documented statuses that have their own type but no neutral kind of their own.
STATUS_TYPE: dict[int, str] = {402: "billing_error", 504: "timeout_error"}
KNOWN_TYPES = frozenset(ERROR_TYPE.values()) | frozenset(STATUS_TYPE.values())


def error_type(kind: ErrorKind, status: int, hint: str | None = None) -> str:
    """An Anthropic error type; `hint` wins when it already is one (an injected fault's)."""
    if hint in KNOWN_TYPES:
        return str(hint)
    return STATUS_TYPE.get(status) or ERROR_TYPE[kind]


# The core's reasons in Anthropic's words (reference anthropic-gemini-batch.md: 404
# not_found_error for an unknown id; 400 when deleting an unfinished batch; results of an
# unfinished batch are a 404).
WORDING: dict[Reason, Callable[[dict[str, Any]], Wording]] = {
    Reason.BATCH_NOT_FOUND: lambda f: Wording(f"Message Batch {f['batch_id']} not found."),
    Reason.NOT_CANCELLABLE: lambda f: Wording(
        f"Message Batch {f['batch_id']} has already ended and cannot be canceled.",
        kind=ErrorKind.INVALID_REQUEST,
    ),
    Reason.NOT_DELETABLE: lambda f: Wording(
        "In progress batches cannot be deleted. Consider canceling the batch instead.",
        kind=ErrorKind.INVALID_REQUEST,
    ),
    Reason.BAD_LIMIT: lambda f: Wording(
        {
            "type": "limit: Input should be a valid integer, unable to parse string as an integer",
            "low": "limit: Input should be greater than or equal to 1",
            "high": f"limit: Input should be less than or equal to {f['maximum']}",
        }[f["problem"]]
    ),
    Reason.RESULTS_NOT_READY: lambda f: Wording(
        f"Message Batch {f['batch_id']} has no available results.", kind=ErrorKind.NOT_FOUND
    ),
}


def as_sent(err: EmulatorError) -> EmulatorError:
    """A core error in this provider's words (also what Bifrost relays from it)."""
    return reworded(err, WORDING)


def render_error(err: EmulatorError, request_id: str) -> Response:
    err = as_sent(err)
    body = wire.ErrorResponse(
        error=wire.ErrorObject(
            type=error_type(err.kind, err.status, err.code), message=err.message
        ),
        request_id=request_id,
    )
    return json_response(body.model_dump(), err.status, error_headers(err))


def error_headers(err: EmulatorError) -> dict[str, str] | None:
    """`X-Should-Retry: false` on the 404 for results read before the batch ended: asking
    again at once cannot help (issue 22 lists it among what real clients saw; no recording
    held, docs/fidelity.md). The Stainless SDKs obey the header before their status rules."""
    if err.reason is Reason.RESULTS_NOT_READY:
        return {"x-should-retry": "false"}
    return None


def poll_headers(view: View) -> dict[str, str] | None:
    """`Retry-After` on a read of an unfinished batch (issue 22's report, not a recording we
    hold). The value is the emulator's own timing: whole seconds until the next planned phase
    change (or the hard expiry), at least 1; 1 when nothing is planned (a `poll` or `manual`
    policy, where only a request or a step moves the batch). So a client that honours it
    polls no sooner than anything could change, and never waits past the change."""
    if STATUS[view.state] == "ended":
        return None
    wait = timeline.next_change(view.batch.plan, view.now)
    return {"retry-after": str(max(1, math.ceil(wait or 0)))}


def rfc3339(ts: float | datetime | None) -> str | None:
    if ts is None:
        return None
    # Recorded: microseconds and `+00:00` (`2026-07-02T14:37:36.471728+00:00`, tidyverse/ellmer
    # tests/testthat/batch/state-capitals-anthropic.json), not the docs' `...Z`.
    at = ts if isinstance(ts, datetime) else datetime.fromtimestamp(ts, UTC)
    return at.isoformat(timespec="microseconds")


def _lifetime(view: View) -> tuple[str, str]:
    """created_at and expires_at, the latter derived from the former so it is exactly +24h."""
    plan = view.batch.plan
    created = datetime.fromtimestamp(plan.created_at, UTC)
    expires = created + timedelta(seconds=round(plan.expires_at - plan.created_at, 3))
    return str(rfc3339(created)), str(rfc3339(expires))


def _failed_ids(view: View) -> list[str]:
    """A failed Anthropic batch (scenario or fault) ends with every request errored."""
    return [item.custom_id for item in view.batch.items]


def request_counts(view: View, incremental: bool) -> wire.RequestCounts:
    """Documented form by default: everything `processing` until the batch has ended."""
    if view.state is BatchState.FAILED:
        failed = len(_failed_ids(view))
        return wire.RequestCounts(processing=0, succeeded=0, errored=failed, canceled=0, expired=0)
    c = view.counts
    if not incremental and view.state not in TERMINAL:
        return wire.RequestCounts(processing=c.total, succeeded=0, errored=0, canceled=0, expired=0)
    return wire.RequestCounts(
        processing=c.processing,
        succeeded=c.succeeded,
        errored=c.errored,
        canceled=c.canceled,
        expired=c.expired,
    )


def batch_to_wire(view: View, origin: str, incremental: bool) -> dict[str, Any]:
    """The MessageBatch; `origin` is this server's base URL as the client reaches it."""
    batch, m = view.batch, view.moment
    ended = STATUS[view.state] == "ended"
    created_at, expires_at = _lifetime(view)
    return wire.MessageBatch(
        id=batch.id,
        processing_status=STATUS[view.state],
        request_counts=request_counts(view, incremental),
        ended_at=rfc3339(m.ended_at),
        created_at=created_at,
        expires_at=expires_at,
        archived_at=None,
        cancel_initiated_at=rfc3339(m.cancelling_at),
        results_url=f"{origin}{BATCHES_PATH}/{batch.id}/results" if ended else None,
    ).model_dump()


def _item_error(error: ItemError, request_id: str | None) -> dict[str, Any]:
    """Validation problems (4xx) carry no request id, as live; failures while running do."""
    kind = kind_for_status(error.status)
    worker = None
    if request_id is not None and error.status >= 500:
        worker = "workerreq_" + request_id.removeprefix("req_")
    return wire.ErroredResult(
        error=wire.ErrorResponse(
            error=wire.ErrorObject(
                type=error_type(kind, error.status, error.type), message=error.message
            ),
            request_id=worker,
        )
    ).model_dump()


# The fixed-shape results, built as plain dicts: a 100,000-line file is rendered per read.
_CANCELED = {"type": "canceled"}
_EXPIRED = {"type": "expired"}


def _result(result: ItemResult) -> dict[str, Any]:
    if result.outcome is Outcome.SUCCEEDED:
        return {"type": "succeeded", "message": result.body or {}}
    if result.outcome is Outcome.ERRORED and result.error is not None:
        return _item_error(result.error, result.request_id)
    return _EXPIRED if result.outcome is Outcome.EXPIRED else _CANCELED


Line = tuple[int, str, dict[str, Any]]  # (input index, custom_id, result)


def _failed_lines(view: View) -> list[Line]:
    first = view.batch.errors[0] if view.batch.errors else None
    error = ItemError(400, "invalid_request_error", first.message if first else "Invalid request.")
    errored = _item_error(error, None)
    return [(index, cid, errored) for index, cid in enumerate(_failed_ids(view))]


def results_jsonl(view: View, results: list[ItemResult], order: list[int]) -> bytes:
    """The `MessageBatchIndividualResponse` lines, newline-terminated, in the core's result
    order (`order`: item indices; a failed batch has no results, so it is ordered here too)."""
    if view.state is not BatchState.FAILED:
        out = [(r.index, r.custom_id, _result(r)) for r in results]
    else:
        failed = {line[0]: line for line in _failed_lines(view)}
        out = [failed[index] for index in order]
    return jsonl.lines({"custom_id": cid, "result": result} for _, cid, result in out)
