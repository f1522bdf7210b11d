"""Vertex's wire: job resources from core views (pure).

Fields google-genai reads back (`_BatchJob_from_vertex`: name, displayName, state, error,
create/start/end/updateTime, model, inputConfig, outputConfig, completionStats, outputInfo) and
its JobState enum (reference bedrock-vertex §2.1). Splits of one core state [I]: QUEUED for the
first half of validating then PENDING; a completed job with failed lines is PARTIALLY_SUCCEEDED
("some results may be missing due to errors", the JobState doc).
"""

from __future__ import annotations

import hashlib
from typing import Any

from emulator.core.batch import View
from emulator.core.states import BatchState
from emulator.providers.gemini.dialect import timestamp

FIXED = {
    BatchState.IN_PROGRESS: "JOB_STATE_RUNNING",
    BatchState.FINALIZING: "JOB_STATE_RUNNING",
    BatchState.FAILED: "JOB_STATE_FAILED",
    BatchState.EXPIRED: "JOB_STATE_EXPIRED",
    BatchState.CANCELLING: "JOB_STATE_CANCELLING",
    BatchState.CANCELLED: "JOB_STATE_CANCELLED",
}


def job_id(core_id: str) -> str:
    """A 19-digit numeric id, as Vertex's are (google-genai's name check accepts digits)."""
    number = int.from_bytes(hashlib.blake2b(core_id.encode(), digest_size=8).digest(), "big")
    return str(10**18 + number % (9 * 10**18))


def state(view: View) -> str:
    core = view.state
    if core in FIXED:
        return FIXED[core]
    if core is BatchState.VALIDATING:
        half = view.validation_half
        return "JOB_STATE_QUEUED" if half is not None and view.now < half else "JOB_STATE_PENDING"
    return "JOB_STATE_PARTIALLY_SUCCEEDED" if view.counts.errored else "JOB_STATE_SUCCEEDED"


def output_folder(view: View) -> str:
    """`prediction-model-<create time>` (python-genai #1527 shows the timestamped folder)."""
    return "prediction-model-" + timestamp(view.batch.plan.created_at).replace("000Z", "Z")


def stats(view: View) -> dict[str, str]:
    c = view.counts
    return {
        "successfulCount": str(c.succeeded),
        "failedCount": str(c.errored),
        "incompleteCount": str(c.canceled + c.expired + c.processing),
    }


def job_to_wire(view: View) -> dict[str, Any]:
    batch, m = view.batch, view.moment
    sent: dict[str, Any] = batch.extra["request"]
    body: dict[str, Any] = {
        "name": batch.extra["parent"] + "/batchPredictionJobs/" + batch.id,
        **sent,
        "state": state(view),
        "createTime": timestamp(batch.plan.created_at),
        "updateTime": timestamp(m.ended_at or m.in_progress_at or batch.plan.created_at),
    }
    if m.in_progress_at is not None and m.in_progress_at <= view.now:
        body["startTime"] = timestamp(m.in_progress_at)
        prefix = str(batch.extra["output_uri"]).rstrip("/")
        body["outputInfo"] = {"gcsOutputDirectory": f"{prefix}/{output_folder(view)}"}
        body["completionStats"] = stats(view)
    if m.ended_at is not None:
        body["endTime"] = timestamp(m.ended_at)
    if view.state is BatchState.FAILED:
        message = " ".join(e.message for e in batch.errors[:3]) or "The batch job failed."
        body["error"] = {"code": 3, "message": message}
    return body
