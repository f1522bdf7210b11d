"""Hypothesis strategies for timeline plans shaped the way real policies shape them.

Plans come from the planner (`planning.initial_plan`, `planning.expire_at`), so the shapes are
exactly those a batch gets at create time; events are then replayed with the same guards the
service applies (cancel only while running, forced moves only along allowed edges).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from hypothesis import strategies as st

from emulator.config import Timing
from emulator.core import timeline
from emulator.core.planning import expire_at, initial_plan
from emulator.core.states import TERMINAL, BatchState
from emulator.core.timeline import Plan

START = 1_767_225_600.0

# Lifecycle rank: a state never goes back to a lower rank as time moves on.
RANK: dict[BatchState, int] = {
    BatchState.VALIDATING: 0,
    BatchState.IN_PROGRESS: 1,
    BatchState.FINALIZING: 2,
    BatchState.CANCELLING: 3,
    BatchState.FAILED: 4,
    BatchState.COMPLETED: 4,
    BatchState.EXPIRED: 4,
    BatchState.CANCELLED: 4,
}

# Where an operator may force a batch, written from the design (section 3/4), not the code.
LEGAL: dict[BatchState, set[BatchState]] = {
    BatchState.VALIDATING: {
        BatchState.IN_PROGRESS,
        BatchState.FAILED,
        BatchState.CANCELLING,
        BatchState.CANCELLED,
        BatchState.EXPIRED,
    },
    BatchState.IN_PROGRESS: {
        BatchState.FINALIZING,
        BatchState.COMPLETED,
        BatchState.CANCELLING,
        BatchState.CANCELLED,
        BatchState.EXPIRED,
    },
    BatchState.FINALIZING: {
        BatchState.COMPLETED,
        BatchState.CANCELLING,
        BatchState.CANCELLED,
        BatchState.EXPIRED,
    },
    BatchState.CANCELLING: {BatchState.CANCELLED},
    **{state: set() for state in TERMINAL},
}

durations = st.sampled_from([0.0, 0.05, 0.1, 0.2, 0.25, 0.5, 1.0, 3.0, 10.0])
gaps = st.one_of(
    st.floats(min_value=0.0, max_value=5.0, allow_nan=False),
    st.sampled_from([0.0, 0.1, 60.0, 3600.0, 86_400.0]),
)


@dataclass(frozen=True)
class Event:
    gap: float  # seconds after the previous event
    kind: str  # step | cancel | force
    target: BatchState | None = None


@dataclass
class Scene:
    plan: Plan
    timing: Timing
    events: list[Event]


@st.composite
def timings(draw: st.DrawFn) -> Timing:
    return Timing(
        policy=draw(st.sampled_from(["timed", "immediate", "timed", "polls", "manual"])),
        validating=draw(durations),
        in_progress=draw(durations),
        finalizing=draw(durations),
        per_request=draw(st.sampled_from([0.0, 0.005, 0.25])),
        cancel_delay=draw(st.one_of(st.none(), durations)),
    )


@st.composite
def fresh_plans(draw: st.DrawFn) -> tuple[Plan, Timing]:
    timing = draw(timings())
    created = START + draw(st.integers(0, 10_000))
    expires_after = draw(st.sampled_from([0.5, 2.0, 30.0, 86_400.0]))
    scenario = draw(st.sampled_from(["success", "fail", "stall", "expire", "fault"]))
    n_items = draw(st.integers(0, 50))
    name = "success" if scenario in ("fail", "fault") else scenario
    plan = initial_plan(timing, created, expires_after, n_items, name, scenario == "fail")
    if scenario == "fault":  # BatchFault(expire_at_progress=share)
        expire_at(plan, draw(st.floats(0.0, 1.0)))
    return plan, timing


events = st.builds(
    Event,
    gap=gaps,
    kind=st.sampled_from(["step", "cancel", "force"]),
    target=st.sampled_from(list(BatchState)),
)


@st.composite
def scenes(draw: st.DrawFn) -> Scene:
    plan, timing = draw(fresh_plans())
    return Scene(plan, timing, draw(st.lists(events, max_size=6)))


def apply(plan: Plan, timing: Timing, event: Event, now: float) -> bool:
    """Apply one event as the service would; False when the service would refuse it."""
    state = timeline.moment(plan, now).state
    if event.kind == "step":
        timeline.step(plan, now)
    elif event.kind == "cancel":
        if state in TERMINAL or state is BatchState.CANCELLING:
            return False
        timeline.cancel(plan, now, timing.cancel_delay)
    else:
        assert event.target is not None
        if event.target is not state and event.target not in LEGAL[state]:
            return False
        timeline.force(plan, event.target, now)
    return True


def before(t: float) -> float:
    return math.nextafter(t, -math.inf)


def instants(plan: Plan) -> list[float]:
    """Every planned instant, plus the float just before and after it."""
    named = [
        plan.created_at,
        plan.expires_at,
        plan.in_progress_at,
        plan.finalizing_at,
        plan.completed_at,
        plan.failed_at,
        plan.expired_at,
        plan.cancelling_at,
        plan.cancelled_at,
        plan.work_end,
    ]
    out: set[float] = set()
    for at in named:
        if at is not None:
            out.update({before(at), at, math.nextafter(at, math.inf)})
    return sorted(out)
