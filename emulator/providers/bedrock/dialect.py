"""Bedrock's wire: job bodies from core views, and the rest-json error envelope (pure).

Shapes from botocore's `bedrock/2023-04-20/service-2.json` (GetModelInvocationJobResponse,
ModelInvocationJobSummary; reference §1.1). Errors: `{"message"}` with the exception name in
`x-amzn-ErrorType`, which botocore reads to pick the class; Validation, Conflict and
ServiceQuotaExceeded are HTTP 400, ResourceNotFound 404, Throttling 429 (the model's `error`
traits).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from starlette.responses import Response

from emulator.core.batch import View
from emulator.core.errors import STATUS, EmulatorError, ErrorKind, Reason, shorten
from emulator.http import json_response
from emulator.providers.bedrock.status import status

ACCOUNT = "123456789012"  # [I] a fixed account for ARNs (any key is accepted)
ERRORS: dict[ErrorKind, tuple[str, int]] = {
    ErrorKind.INVALID_REQUEST: ("ValidationException", 400),
    ErrorKind.UNPROCESSABLE: ("ValidationException", 400),
    ErrorKind.TOO_LARGE: ("ValidationException", 400),
    ErrorKind.METHOD_NOT_ALLOWED: ("ValidationException", 400),
    ErrorKind.NOT_FOUND: ("ResourceNotFoundException", 404),
    ErrorKind.CONFLICT: ("ConflictException", 400),
    ErrorKind.RATE_LIMITED: ("ThrottlingException", 429),
    ErrorKind.AUTHENTICATION: ("AccessDeniedException", 403),
    ErrorKind.PERMISSION: ("AccessDeniedException", 403),
    ErrorKind.SERVER: ("InternalServerException", 500),
    ErrorKind.UNAVAILABLE: ("ServiceUnavailableException", 503),
    ErrorKind.OVERLOADED: ("ServiceUnavailableException", 503),
}
FINISHED = {
    "completed": "Completed",
    "failed": "Failed",
    "expired": "Expired",
    "cancelled": "Stopped",
}
BY_STATUS = {
    400: "ValidationException",
    404: "ResourceNotFoundException",
    429: "ThrottlingException",
}


def job_id(core_id: str) -> str:
    """The 12-character `[a-z0-9]` job id, from the core's seeded id (so it is seeded too)."""
    number = int.from_bytes(hashlib.blake2b(core_id.encode(), digest_size=16).digest(), "big")
    chars = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = []
    for _ in range(12):
        number, rest = divmod(number, 36)
        out.append(chars[rest])
    return "".join(out)


def arn(region: str, jid: str) -> str:
    return f"arn:aws:bedrock:{region}:{ACCOUNT}:model-invocation-job/{jid}"


def iso(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _counts(view: View) -> dict[str, int]:
    c = view.counts
    validating = view.state.value == "validating"
    return {
        "totalRecordCount": 0 if validating else c.total,
        "processedRecordCount": c.succeeded + c.errored,
        "successRecordCount": c.succeeded,
        "errorRecordCount": c.errored,
    }


def job_to_wire(view: View) -> dict[str, Any]:
    batch, plan = view.batch, view.batch.plan
    sent: dict[str, Any] = batch.extra["request"]
    word = status(view)
    body: dict[str, Any] = {
        "jobArn": arn(batch.extra["region"], batch.id),
        **{k: v for k, v in sent.items() if k != "tags"},
        "status": word,
        "submitTime": iso(plan.created_at),
        "lastModifiedTime": iso(view.moment.ended_at or _last_change(view)),
        "jobExpirationTime": iso(plan.expires_at),
        **_counts(view),
    }
    if view.moment.ended_at is not None:
        body["endTime"] = iso(view.moment.ended_at)
    if word == "Failed" and batch.errors:
        body["message"] = " ".join(e.message for e in batch.errors[:3])
    return body


def _last_change(view: View) -> float:
    m = view.moment
    seen = [t for t in (m.in_progress_at, m.cancelling_at) if t is not None and t <= view.now]
    return max(seen, default=view.batch.plan.created_at)


def render_error(err: EmulatorError, request_id: str) -> Response:
    name, status_code = ERRORS.get(err.kind, ("InternalServerException", 500))
    if err.status != STATUS[err.kind]:  # a status chosen outright (a fault): its own class
        name = BY_STATUS.get(err.status, name if err.status < 500 else "InternalServerException")
        status_code = err.status
    if err.code and err.code.endswith("Exception"):
        name = err.code  # e.g. ServiceQuotaExceededException, or a fault's error_type
    headers = {"x-amzn-errortype": name}
    return json_response({"message": shorten(_worded(err))}, status_code, headers)


def _worded(err: EmulatorError) -> str:
    """The core's reasons in Bedrock's words [I: no recorded message for these]."""
    job = err.facts.get("batch_id")
    if err.reason is Reason.BATCH_NOT_FOUND:
        return f"The specified model invocation job {job} could not be found."
    if err.reason is Reason.NOT_CANCELLABLE:
        word = FINISHED.get(str(err.facts.get("state")), "ended")
        return f"The model invocation job {job} cannot be stopped in status {word}."
    return err.message
