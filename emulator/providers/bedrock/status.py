"""Bedrock's job statuses from the core state: a total, pure mapping.

Statuses and meanings from botocore's `bedrock` model (ModelInvocationJobStatus) and the AWS
SDK's `statusEquals` doc (reference bedrock-vertex §1.2). Where the core has one state for two
Bedrock statuses, the split is by time or progress [I]: Submitted for the first half of the
validating phase, Scheduled while in progress with nothing done yet, PartiallyCompleted for a
job that ran out of time with some records done and Expired for one that did none.
"""

from __future__ import annotations

from emulator.core.batch import View
from emulator.core.states import BatchState

FIXED = {
    BatchState.FINALIZING: "InProgress",
    BatchState.COMPLETED: "Completed",
    BatchState.FAILED: "Failed",
    BatchState.CANCELLING: "Stopping",
    BatchState.CANCELLED: "Stopped",
}
ALL = (
    "Submitted",
    "Validating",
    "Scheduled",
    "InProgress",
    "Completed",
    "PartiallyCompleted",
    "Failed",
    "Stopping",
    "Stopped",
    "Expired",
)


def status(view: View) -> str:
    state = view.state
    if state in FIXED:
        return FIXED[state]
    if state is BatchState.VALIDATING:
        half = view.validation_half
        return "Submitted" if view.as_created or half is None or view.now < half else "Validating"
    if state is BatchState.IN_PROGRESS:
        return "Scheduled" if view.done == 0 else "InProgress"
    return "PartiallyCompleted" if view.done > 0 else "Expired"  # EXPIRED
