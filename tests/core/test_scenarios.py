"""Scenarios under every timing policy, driven through the service on a manual clock.

Expectations come from the scenario contract (DESIGN section 3, scenario docstring): success
completes, fail fails validation, expire runs out of time part-way, errors:f fails round(f*n)
items, stall never finishes on its own but still cancels and expires.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import assume, given, settings, strategies as st

from emulator.api import Emulator
from emulator.clock import ManualClock
from emulator.core.batch import Item, View
from emulator.core.errors import EmulatorError, ErrorKind
from emulator.core.service import NewBatch
from emulator.core.states import TERMINAL, BatchState, Outcome

TIMINGS = ["immediate", "timed", "polls:1", "manual"]
DAY = 86_400.0


def new_emulator() -> Emulator:
    return Emulator(clock=ManualClock(), seed=11)


def items(n: int) -> list[Item]:
    body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}
    return [Item(f"req-{i}", body) for i in range(n)]


def create(emu: Emulator, scenario: str | None, timing: str, n: int) -> str:
    spec = NewBatch(
        dialect="openai",
        endpoint="/v1/chat/completions",
        items=items(n),
        scenario=scenario,
        timing=timing,
    )
    return emu.service.create_batch(spec).batch.id


def drive(emu: Emulator, batch_id: str, timing: str) -> View:
    """Let the policy run: an hour of clock, ten polls, or ten manual steps (all < a day)."""
    if timing == "timed":
        emu.advance(hours=1)
    for _ in range(10):
        if timing == "polls:1":
            emu.service.get_batch(batch_id)
        elif timing == "manual":
            emu.step(batch_id)
    return emu.service.view(batch_id)


def outcome_tally(emu: Emulator, view: View) -> dict[Outcome, int]:
    results = emu.service.results(view)
    return {o: sum(r.outcome is o for r in results) for o in Outcome}


sizes = st.integers(1, 20)


@settings(max_examples=40)
@given(st.sampled_from(TIMINGS), sizes)
def test_success_completes_every_item(timing: str, n: int) -> None:
    emu = new_emulator()
    view = drive(emu, create(emu, "success", timing, n), timing)
    assert view.state is BatchState.COMPLETED
    assert (view.counts.total, view.counts.succeeded, view.counts.processing) == (n, n, 0)
    assert outcome_tally(emu, view)[Outcome.SUCCEEDED] == n


@pytest.mark.parametrize("timing", TIMINGS)
def test_fail_fails_validation_with_a_reason(timing: str) -> None:
    emu = new_emulator()
    view = drive(emu, create(emu, "fail", timing, 3), timing)
    assert view.state is BatchState.FAILED
    assert view.counts.total == 0 and view.outcomes() == []
    assert view.batch.errors and view.batch.errors[0].message


@settings(max_examples=40)
@given(st.sampled_from(TIMINGS), st.integers(2, 20))
def test_expire_leaves_part_done_and_the_rest_expired(timing: str, n: int) -> None:
    emu = new_emulator()
    view = drive(emu, create(emu, "expire", timing, n), timing)
    assert view.state is BatchState.EXPIRED
    counts = view.counts
    done = counts.succeeded + counts.errored
    assert 0 < done < n and counts.expired == n - done and counts.processing == 0
    tally = outcome_tally(emu, view)
    assert tally[Outcome.EXPIRED] == counts.expired and tally[Outcome.SUCCEEDED] == done


fractions = st.decimals(0, 1, places=3).map(str)


@settings(max_examples=60)
@given(st.sampled_from(TIMINGS), sizes, fractions)
def test_errors_fraction_fails_round_f_n_items(timing: str, n: int, fraction: str) -> None:
    emu = new_emulator()
    view = drive(emu, create(emu, f"errors:{fraction}", timing, n), timing)
    failing = round(float(fraction) * n)
    assert view.state is BatchState.COMPLETED
    assert (view.counts.errored, view.counts.succeeded) == (failing, n - failing)
    results = emu.service.results(view)
    assert sum(r.outcome is Outcome.ERRORED and r.error is not None for r in results) == failing


@pytest.mark.parametrize("timing", TIMINGS)
def test_stall_never_finishes_on_its_own(timing: str) -> None:
    emu = new_emulator()
    batch_id = create(emu, "stall", timing, 4)
    view = drive(emu, batch_id, timing)
    assert view.state is BatchState.IN_PROGRESS
    emu.advance(hours=21)  # drive() moves one more hour under `timed`: still before expiry
    view = drive(emu, batch_id, timing)
    assert view.state is BatchState.IN_PROGRESS and view.counts.processing == 4


@pytest.mark.parametrize("timing", TIMINGS)
def test_stall_then_cancel_ends_cancelled_after_the_cancel_delay(timing: str) -> None:
    emu = new_emulator()
    batch_id = create(emu, "stall", timing, 4)
    drive(emu, batch_id, timing)
    cancelling = emu.service.cancel_batch(batch_id)
    delay = cancelling.batch.timing.cancel_delay
    assert delay is not None
    assert cancelling.state is (BatchState.CANCELLED if delay == 0 else BatchState.CANCELLING)
    emu.advance(delay)
    view = emu.service.view(batch_id)
    assert view.state is BatchState.CANCELLED
    assert view.moment.ended_at == cancelling.now + delay
    assert (view.counts.canceled, view.counts.processing) == (4, 0)


@pytest.mark.parametrize("timing", TIMINGS)
def test_stall_expires_once_the_clock_passes_expires_at(timing: str) -> None:
    emu = new_emulator()
    batch_id = create(emu, "stall", timing, 4)
    created = emu.now()
    drive(emu, batch_id, timing)
    emu.advance(DAY + 1)
    view = emu.service.view(batch_id)
    assert view.state is BatchState.EXPIRED
    assert view.moment.ended_at == created + DAY
    assert (view.counts.expired, view.counts.processing) == (4, 0)


def valid_scenario(text: str) -> bool:
    """The documented grammar: success | fail | expire | stall | errors:<decimal in [0, 1]>."""
    text = text.strip()
    if text in ("", "success", "fail", "expire", "stall"):
        return True
    m = re.fullmatch(r"errors:([0-9]+(\.[0-9]*)?|\.[0-9]+)", text, flags=re.ASCII)
    return m is not None and float(m[1]) <= 1


scenario_like = st.one_of(
    st.text(max_size=16),
    st.tuples(st.sampled_from(["errors:", "errors", "stall", "fail"]), st.text(max_size=6)).map(
        "".join
    ),
    st.sampled_from(
        ["errors:nan", "errors:1e-1", "errors:1.01", "errors:-0", "errors:0_5", "errors:0.0_1"]
    ),
    st.sampled_from(["errors:\u0660.\u0665", "Stall", "success!", "expired", "errors:"]),
)


@settings(max_examples=100)
@given(scenario_like, st.sampled_from(TIMINGS))
def test_any_other_scenario_is_rejected_naming_the_valid_ones(text: str, timing: str) -> None:
    assume(not valid_scenario(text))
    emu = new_emulator()
    with pytest.raises(EmulatorError) as exc:
        create(emu, text, timing, 1)
    assert exc.value.kind is ErrorKind.INVALID_REQUEST and exc.value.status == 400
    for name in ("success", "fail", "expire", "errors:", "stall"):
        assert name in exc.value.message
    assert emu.batches == []  # nothing half-created


@settings(max_examples=40)
@given(st.sampled_from(["success", "fail", "expire", "stall", "errors:0.5"]), sizes)
def test_every_scenario_reaches_a_terminal_state_by_expiry(scenario: str, n: int) -> None:
    emu = new_emulator()
    batch_id = create(emu, scenario, "timed", n)
    emu.advance(DAY)
    assert emu.service.view(batch_id).state in TERMINAL
