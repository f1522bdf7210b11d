"""Planned transition instants, and the pure function that reads a state off them.

A batch never *changes* state in the background: it stores when each phase starts, and every
reader derives the state from `now`. Policies that need an event (polls, manual steps, cancel,
forced transitions) only write instants; they never write a state.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

from emulator.core.states import TERMINAL, BatchState


@dataclass
class Plan:
    created_at: float
    expires_at: float
    in_progress_at: float | None = None
    finalizing_at: float | None = None
    completed_at: float | None = None
    failed_at: float | None = None
    expired_at: float | None = None  # an expiry earlier than expires_at (scenario, fault, forced)
    cancelling_at: float | None = None
    cancelled_at: float | None = None
    work_end: float | None = None  # when every item is done; None holds progress until finalizing
    fails_validation: bool = False
    stalled: bool = False
    expire_on_finish: bool = False  # the `expire` scenario: runs out of time instead of finishing
    expire_progress: float | None = None  # share of items done when it expires, if forced


class Moment(NamedTuple):
    """What a plan says at one instant: the state and the instants already reached.

    A NamedTuple, not a frozen dataclass: one is made on every read of every batch, and a
    frozen dataclass sets each of its ten fields through object.__setattr__ (5x slower)."""

    state: BatchState
    ended_at: float | None
    in_progress_at: float | None
    finalizing_at: float | None
    completed_at: float | None
    failed_at: float | None
    expired_at: float | None
    cancelling_at: float | None
    cancelled_at: float | None
    progress: float


def expiry(plan: Plan) -> float:
    return plan.expires_at if plan.expired_at is None else min(plan.expires_at, plan.expired_at)


def _terminal(plan: Plan, now: float) -> tuple[BatchState, float] | None:
    """The earliest end reached by `now`; on a tie the first of failed, completed, cancelled,
    expired. Asked on every read of every batch, so it allocates nothing until it answers."""
    best: tuple[BatchState, float] | None = None
    for at, state in (
        (plan.failed_at, BatchState.FAILED),
        (plan.completed_at, BatchState.COMPLETED),
        (plan.cancelled_at, BatchState.CANCELLED),
        (expiry(plan), BatchState.EXPIRED),
    ):
        if at is not None and at <= now and (best is None or at < best[1]):
            best = (state, at)
    return best


def _open_state(plan: Plan, t: float) -> BatchState:
    if _le(plan.cancelling_at, t):
        return BatchState.CANCELLING
    if _le(plan.finalizing_at, t):
        return BatchState.FINALIZING
    if _le(plan.in_progress_at, t):
        return BatchState.IN_PROGRESS
    return BatchState.VALIDATING


def _le(at: float | None, t: float) -> bool:
    return at is not None and at <= t


def progress(plan: Plan, t: float) -> float:
    """Share of items finished by instant `t`; frozen once cancelling starts."""
    if plan.cancelling_at is not None:
        t = min(t, plan.cancelling_at)
    if plan.in_progress_at is None or t < plan.in_progress_at:
        return 0.0
    if _le(plan.finalizing_at, t):
        return 1.0
    if plan.work_end is None:
        return 0.0
    span = plan.work_end - plan.in_progress_at
    return 1.0 if span <= 0 else min(1.0, (t - plan.in_progress_at) / span)


def _share(plan: Plan, state: BatchState, t: float) -> float:
    """Progress as readers see it, honouring a planned expiry share without ever going back.

    With `expire_progress` set, the share done is capped at it while the batch runs and is
    exactly it once the batch expires mid-run; a cancel freezes it, finalizing means all done.
    """
    if state is BatchState.FAILED:
        return 0.0
    if state is BatchState.COMPLETED:
        return 1.0
    frac = progress(plan, t)
    cap = plan.expire_progress
    frozen = _le(plan.cancelling_at, t)
    upto = t if plan.cancelling_at is None else min(t, plan.cancelling_at)
    if cap is None or _le(plan.finalizing_at, upto):
        return frac
    if state is BatchState.EXPIRED and not frozen and _le(plan.in_progress_at, t):
        return cap
    return min(frac, cap)


def moment(plan: Plan, now: float) -> Moment:
    """The state at `now` and every instant reached by then (and not after the batch ended)."""
    end = _terminal(plan, now)
    state, t = (end[0], end[1]) if end else (_open_state(plan, now), now)
    frac = _share(plan, state, t)

    def seen(at: float | None) -> float | None:
        return at if at is not None and at <= t else None

    return Moment(
        state=state,
        ended_at=end[1] if end else None,
        in_progress_at=seen(plan.in_progress_at),
        finalizing_at=seen(plan.finalizing_at),
        completed_at=t if state is BatchState.COMPLETED else None,
        failed_at=t if state is BatchState.FAILED else None,
        expired_at=t if state is BatchState.EXPIRED else None,
        cancelling_at=seen(plan.cancelling_at),
        cancelled_at=t if state is BatchState.CANCELLED else None,
        progress=frac,
    )


def done_count(total: int, frac: float) -> int:
    return total if frac >= 1.0 else math.floor(total * frac)


def step(plan: Plan, now: float) -> None:
    """Move a batch one phase on at `now` (polls and manual policies)."""
    state = moment(plan, now).state
    if state is BatchState.VALIDATING:
        if plan.fails_validation:
            plan.failed_at = now
        else:
            plan.in_progress_at = now
    elif state is BatchState.IN_PROGRESS and plan.expire_on_finish:
        plan.expired_at = now
    elif state is BatchState.IN_PROGRESS and not plan.stalled:
        plan.finalizing_at = now
        plan.work_end = now
    elif state is BatchState.FINALIZING:
        plan.completed_at = now
    elif state is BatchState.CANCELLING:
        plan.cancelled_at = now


def drop_future(plan: Plan, now: float) -> None:
    """Forget planned instants after `now`: an event (cancel, forced move) overrides the plan."""
    for name in ("in_progress_at", "finalizing_at", "completed_at", "failed_at", "expired_at"):
        at = getattr(plan, name)
        if at is not None and at > now:
            setattr(plan, name, None)


def cancel(plan: Plan, now: float, delay: float | None) -> None:
    """Start cancelling at `now`; `delay=None` leaves it cancelling until stepped or forced.

    A batch already cancelling or ended is left alone: rewriting its instants would change
    what readers saw before (a terminal state must absorb).
    """
    state = moment(plan, now).state
    if state in TERMINAL or state is BatchState.CANCELLING:
        return
    drop_future(plan, now)
    plan.cancelling_at = now
    plan.cancelled_at = None if delay is None else now + delay


def force(plan: Plan, target: BatchState, now: float) -> None:
    """Make `target` the state at `now`, filling in the instants a real run would have set.

    Forcing the current state, or anything once ended, is a no-op: re-stamping the instants
    would drop the rest of the plan or move `ended_at` (a completed batch turning expired).
    """
    state = moment(plan, now).state
    if target is state or state in TERMINAL:
        return
    if target in (BatchState.CANCELLING, BatchState.CANCELLED):
        if plan.cancelling_at is None:
            cancel(plan, now, None)
        if target is BatchState.CANCELLED:
            plan.cancelled_at = now
        return
    drop_future(plan, now)
    if target is BatchState.FAILED:
        plan.failed_at = now
        return
    if target is BatchState.EXPIRED:
        plan.expired_at = now
        return
    plan.in_progress_at = plan.in_progress_at if plan.in_progress_at is not None else now
    if target in (BatchState.FINALIZING, BatchState.COMPLETED):
        plan.finalizing_at = plan.finalizing_at if plan.finalizing_at is not None else now
        plan.work_end = plan.finalizing_at
    if target is BatchState.COMPLETED:
        plan.completed_at = now


PLANNED = (
    "in_progress_at",
    "finalizing_at",
    "completed_at",
    "failed_at",
    "expired_at",
    "cancelled_at",
)


def next_change(plan: Plan, now: float) -> float | None:
    """Seconds from `now` to the next planned phase change; None once ended or when none is
    planned (a `manual` or `polls:N` policy, a stalled batch: only an event moves those). What
    a provider's `Retry-After` on a poll can honestly promise: nothing the client reads
    changes before then, unless an event (poll, step, cancel) moves it. The hard expiry counts
    only when it comes before a planned phase: alone it is every plan's fallback, not a next
    phase worth waiting a day for."""
    if moment(plan, now).state in TERMINAL:
        return None
    ahead = [at for name in PLANNED if (at := getattr(plan, name)) is not None and at > now]
    return min(*ahead, plan.expires_at) - now if ahead else None
