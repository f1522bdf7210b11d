"""How a new batch's timeline is planned, and how reads move poll-driven batches.

Kept apart from the service so the rules of each timing policy and scenario read in one place.
"""

from __future__ import annotations

from emulator.config import Timing
from emulator.core import scenario as scenarios, timeline
from emulator.core.batch import Batch, LineError
from emulator.core.errors import EmulatorError, ErrorKind
from emulator.core.faults import BatchFault
from emulator.core.states import ALLOWED


def initial_plan(
    timing: Timing, now: float, expires_after: float, n_items: int, scenario: str, fails: bool
) -> timeline.Plan:
    plan = timeline.Plan(
        created_at=now,
        expires_at=now + expires_after,
        fails_validation=fails,
        stalled=scenario == "stall",
        expire_on_finish=scenario == "expire",
    )
    if plan.expire_on_finish:
        plan.expire_progress = 0.5
    if timing.policy not in ("timed", "immediate"):
        return plan
    immediate = timing.policy == "immediate"
    ready = now if immediate else now + timing.validating
    if fails:
        plan.failed_at = ready
        return plan
    plan.in_progress_at = ready
    if plan.stalled:
        return plan
    work = 0.0 if immediate else timing.in_progress + timing.per_request * n_items
    if timing.max_in_progress is not None:  # the default bound: big batches end in seconds
        work = min(work, timing.max_in_progress)
    done = ready + work
    if plan.expire_on_finish:
        plan.expired_at = done
        return plan
    plan.finalizing_at = plan.work_end = done
    plan.completed_at = done if immediate else done + timing.finalizing
    return plan


def validation_errors(
    given: list[LineError], chosen: scenarios.Scenario, fault: BatchFault | None
) -> list[LineError]:
    """The input's own problems, else an injected or scenario-driven validation failure."""
    if given:
        return list(given)
    if fault is not None and fault.fail_code is not None:
        message = fault.fail_message or "Injected validation failure."
        return [LineError(fault.fail_code, message, fault.fail_param)]
    if chosen.name == "fail":
        return [
            LineError("invalid_request", "The batch failed validation (emulator scenario 'fail').")
        ]
    return []


def expire_at(plan: timeline.Plan, share: float) -> None:
    """Run out of time with `share` of the items done, when the batch would have finished."""
    plan.expire_on_finish = True
    plan.expire_progress = share
    if plan.finalizing_at is not None:
        plan.expired_at, plan.finalizing_at, plan.completed_at = plan.finalizing_at, None, None


def parse_timing(spec: str) -> Timing:
    try:
        return Timing.parse(spec)
    except ValueError as exc:
        raise EmulatorError(
            ErrorKind.INVALID_REQUEST,
            f"Invalid x-emulator-timing: {exc}",
            param="x-emulator-timing",
        ) from None


def on_poll(batch: Batch, now: float) -> None:
    timing = batch.timing
    if timing.policy == "polls" and batch.polls % timing.polls == 0:
        timeline.step(batch.plan, now)
    elif timing.policy == "script":
        target = timing.script[min(batch.polls, len(timing.script)) - 1]
        state = timeline.moment(batch.plan, now).state
        if target is not state and target in ALLOWED[state]:
            timeline.force(batch.plan, target, now)
