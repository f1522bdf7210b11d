"""Properties of `timeline.next_change`, the wait a poll header promises (Anthropic's
`Retry-After`): nothing a reader sees changes before it, and something does when it is up.

Plans come from the real planner and random events (tests/core/plans.py).
"""

from __future__ import annotations

import copy

from hypothesis import given, strategies as st

from emulator.core import timeline
from emulator.core.states import TERMINAL
from tests.core.plans import Scene, apply, before, scenes


def _played(scene: Scene) -> tuple[timeline.Plan, float]:
    plan = copy.deepcopy(scene.plan)
    now = plan.created_at
    for event in scene.events:
        now += event.gap
        apply(plan, scene.timing, event, now)
    return plan, now


@given(scenes(), st.floats(0.0, 200_000.0))
def test_nothing_changes_before_the_promised_wait(scene: Scene, offset: float) -> None:
    plan, last = _played(scene)
    now = last + offset
    state = timeline.moment(plan, now).state
    wait = timeline.next_change(plan, now)
    if state in TERMINAL:
        assert wait is None
        return
    if wait is None:  # nothing planned: only an event moves it, or the hard expiry
        later = timeline.moment(plan, before(plan.expires_at)).state
        assert later is state
        return
    assert wait > 0
    assert timeline.moment(plan, before(now + wait)).state is state
    assert timeline.moment(plan, now + wait).state is not state
