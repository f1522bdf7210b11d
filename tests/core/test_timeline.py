"""Properties of `moment(plan, t)`: the pure reading of a batch's state off its planned instants.

Plans are built by the real planner for every policy, then edited by random step/cancel/force
events at random times (with the service's guards), and read at random instants and at every
planned instant (and the floats either side of it), where off-by-one-instant bugs live.
"""

from __future__ import annotations

import copy
import itertools

from hypothesis import given, settings, strategies as st

from emulator.core import timeline
from emulator.core.states import TERMINAL, BatchState
from emulator.core.timeline import Moment, Plan
from tests.core.plans import RANK, Scene, apply, before, fresh_plans, instants, scenes

PHASES = ("in_progress_at", "finalizing_at", "cancelling_at")
ENDS = {
    BatchState.COMPLETED: "completed_at",
    BatchState.FAILED: "failed_at",
    BatchState.EXPIRED: "expired_at",
    BatchState.CANCELLED: "cancelled_at",
}


def played(scene: Scene) -> tuple[Plan, list[tuple[float, Moment]]]:
    """Replay the scene's events; observe the batch just before and just after each one."""
    plan = copy.deepcopy(scene.plan)
    now = plan.created_at
    seen: list[tuple[float, Moment]] = []
    for event in scene.events:
        now += event.gap
        seen.append((now, timeline.moment(plan, now)))
        apply(plan, scene.timing, event, now)
        seen.append((now, timeline.moment(plan, now)))
    return plan, seen


def readings(plan: Plan, extra: list[float]) -> list[tuple[float, Moment]]:
    times = sorted({*instants(plan), *extra, plan.expires_at + 10.0})
    return [(t, timeline.moment(plan, t)) for t in times]


def assert_monotone(seen: list[tuple[float, Moment]]) -> None:
    for (t0, a), (t1, b) in itertools.pairwise(seen):
        assert t0 <= t1
        assert RANK[a.state] <= RANK[b.state], (t0, a, t1, b)
        assert a.progress <= b.progress, (t0, a, t1, b)
        if a.state in TERMINAL:
            assert b == a, (t0, a, t1, b)  # absorbing: identical, same ended_at
        for name in (*PHASES, "ended_at"):
            if getattr(a, name) is not None:
                assert getattr(b, name) == getattr(a, name), (name, a, b)


@settings(max_examples=100)
@given(scenes(), st.lists(st.floats(0.0, 200_000.0), max_size=8))
def test_state_and_progress_never_go_back(scene: Scene, offsets: list[float]) -> None:
    plan, seen = played(scene)
    assert_monotone(seen)  # as observed while the events happened
    later = readings(plan, [plan.created_at + off for off in offsets])
    assert_monotone(later)  # as read off the final plan
    for _, m in seen + later:
        assert 0.0 <= m.progress <= 1.0


@settings(max_examples=100)
@given(scenes())
def test_timestamps_are_set_exactly_when_reached(scene: Scene) -> None:
    plan, _ = played(scene)
    for t, m in readings(plan, []):
        horizon = t if m.ended_at is None else m.ended_at
        for name in PHASES:
            planned = getattr(plan, name)
            reached = planned is not None and planned <= horizon
            assert getattr(m, name) == (planned if reached else None), (name, t, m, plan)
        for state, name in ENDS.items():
            assert getattr(m, name) == (m.ended_at if m.state is state else None), (name, m)
        if m.ended_at is not None:
            assert m.state in TERMINAL and m.ended_at <= t
            assert timeline.moment(plan, m.ended_at) == m  # ended exactly then...
            assert timeline.moment(plan, before(m.ended_at)).state not in TERMINAL  # not before
        else:
            assert m.state not in TERMINAL


@settings(max_examples=100)
@given(scenes())
def test_state_agrees_with_its_timestamps(scene: Scene) -> None:
    plan, _ = played(scene)
    for _, m in readings(plan, []):
        phases = (m.in_progress_at, m.finalizing_at, m.cancelling_at)
        if m.state is BatchState.VALIDATING:
            assert phases == (None, None, None) and m.progress == 0.0
        elif m.state is BatchState.IN_PROGRESS:
            assert m.in_progress_at is not None and phases[1:] == (None, None)
        elif m.state is BatchState.FINALIZING:
            assert m.finalizing_at is not None and m.cancelling_at is None
            assert m.progress == 1.0  # finalizing means every request was processed
        elif m.state is BatchState.CANCELLING:
            assert m.cancelling_at is not None
        elif m.state is BatchState.COMPLETED:
            assert m.progress == 1.0
        elif m.state is BatchState.FAILED:
            assert m.progress == 0.0 and m.in_progress_at is None


@settings(max_examples=100)
@given(scenes())
def test_unfinished_batch_is_expired_at_expires_at(scene: Scene) -> None:
    plan, _ = played(scene)
    at = timeline.moment(plan, plan.expires_at)
    assert at.state in TERMINAL and at.ended_at is not None and at.ended_at <= plan.expires_at
    running = timeline.moment(plan, before(plan.expires_at)).state not in TERMINAL
    other_end = {plan.completed_at, plan.failed_at, plan.cancelled_at}
    if running and plan.expires_at not in other_end:
        assert at.state is BatchState.EXPIRED
        assert at.ended_at == at.expired_at == plan.expires_at
    assert timeline.moment(plan, plan.expires_at + 1e6) == at


@settings(max_examples=60)
@given(fresh_plans(), st.floats(0.0, 100.0), st.sampled_from(list(BatchState)))
def test_events_on_a_terminal_batch_change_nothing(
    fresh: tuple[Plan, object], gap: float, target: BatchState
) -> None:
    plan, _ = fresh
    end = plan.expires_at + gap
    final = timeline.moment(plan, end)
    assert final.state in TERMINAL
    timeline.step(plan, end)
    timeline.cancel(plan, end, 0.0)
    timeline.force(plan, target, end)
    assert timeline.moment(plan, end) == final
    assert timeline.moment(plan, end + 1.0) == final


@settings(max_examples=60)
@given(fresh_plans(), st.floats(0.0, 5.0))
def test_forcing_the_current_state_is_a_no_op(fresh: tuple[Plan, object], gap: float) -> None:
    plan, _ = fresh
    now = plan.created_at + gap
    state = timeline.moment(plan, now).state
    untouched = copy.deepcopy(plan)
    timeline.force(plan, state, now)
    for t in instants(untouched):
        assert timeline.moment(plan, t) == timeline.moment(untouched, t)


def test_cancel_freezes_progress() -> None:
    plan = Plan(created_at=0.0, expires_at=100.0, in_progress_at=0.0, work_end=10.0)
    plan.finalizing_at, plan.completed_at = 10.0, 11.0
    timeline.cancel(plan, 4.0, 2.0)
    assert timeline.moment(plan, 5.0).state is BatchState.CANCELLING
    assert timeline.moment(plan, 5.0).progress == 0.4
    end = timeline.moment(plan, 50.0)
    assert (end.state, end.ended_at, end.progress) == (BatchState.CANCELLED, 6.0, 0.4)
