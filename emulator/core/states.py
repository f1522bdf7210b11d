"""The one batch state machine every dialect maps onto.

OpenAI's vocabulary is used because it is the richest: every other provider's states are a
coarsening of it, so a total mapping table per dialect is always possible.
"""

from __future__ import annotations

from enum import StrEnum


class BatchState(StrEnum):
    VALIDATING = "validating"
    FAILED = "failed"
    IN_PROGRESS = "in_progress"
    FINALIZING = "finalizing"
    COMPLETED = "completed"
    EXPIRED = "expired"
    CANCELLING = "cancelling"
    CANCELLED = "cancelled"


TERMINAL: frozenset[BatchState] = frozenset(
    {BatchState.FAILED, BatchState.COMPLETED, BatchState.EXPIRED, BatchState.CANCELLED}
)

# Where a forced transition (control plane) may go from each state. Terminal states absorb.
ALLOWED: dict[BatchState, frozenset[BatchState]] = {
    BatchState.VALIDATING: frozenset(
        {
            BatchState.IN_PROGRESS,
            BatchState.FAILED,
            BatchState.CANCELLING,
            BatchState.CANCELLED,
            BatchState.EXPIRED,
        }
    ),
    BatchState.IN_PROGRESS: frozenset(
        {
            BatchState.FINALIZING,
            BatchState.COMPLETED,
            BatchState.CANCELLING,
            BatchState.CANCELLED,
            BatchState.EXPIRED,
        }
    ),
    BatchState.FINALIZING: frozenset(
        {BatchState.COMPLETED, BatchState.CANCELLING, BatchState.CANCELLED, BatchState.EXPIRED}
    ),
    BatchState.CANCELLING: frozenset({BatchState.CANCELLED}),
    BatchState.FAILED: frozenset(),
    BatchState.COMPLETED: frozenset(),
    BatchState.EXPIRED: frozenset(),
    BatchState.CANCELLED: frozenset(),
}


class Outcome(StrEnum):
    """Per-item outcome; Anthropic's four, which every provider's item results can express."""

    SUCCEEDED = "succeeded"
    ERRORED = "errored"
    CANCELED = "canceled"
    EXPIRED = "expired"
