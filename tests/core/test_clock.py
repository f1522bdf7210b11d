"""Clocks: ManualClock arithmetic, and SystemClock following freezegun's frozen time."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pytest
from freezegun import freeze_time
from hypothesis import given, settings, strategies as st

from emulator.clock import ManualClock, SystemClock

JAN_1_2026 = datetime(2026, 1, 1, tzinfo=UTC).timestamp()
steps = st.floats(min_value=0.0, max_value=1e6, allow_nan=False)
# Multiples of 1/1024 below a day: exact in binary, so sums around 1.7e9 are exact too.
exact = st.integers(0, 86_400 * 1024).map(lambda n: n / 1024)


def test_manual_clock_starts_at_2026_and_stands_still() -> None:
    clock = ManualClock()
    assert clock.now() == JAN_1_2026
    assert clock.now() == clock.now()


@settings(max_examples=100)
@given(st.floats(0.0, 2e9), st.lists(steps, max_size=10))
def test_manual_advance_adds_exactly(start: float, moves: list[float]) -> None:
    clock = ManualClock(start)
    expected = start
    for seconds in moves:
        clock.advance(seconds)
        expected += seconds
        assert clock.now() == expected
    clock.reset()
    assert clock.now() == start


@settings(max_examples=50)
@given(st.floats(0.0, 2e9), st.floats(0.0, 2e9))
def test_manual_set_jumps_anywhere_and_reset_returns_to_start(start: float, when: float) -> None:
    clock = ManualClock(start)
    clock.advance(5)
    clock.set(when)
    assert clock.now() == when
    clock.reset()
    assert clock.now() == start


bad_deltas = st.one_of(
    st.floats(max_value=-1e-300),
    st.sampled_from([math.nan, math.inf, -math.inf, -1]),
)


@settings(max_examples=50)
@given(bad_deltas)
def test_time_never_moves_back_or_to_nowhere(seconds: float) -> None:
    for clock in (ManualClock(), SystemClock()):
        before = clock.now()
        with pytest.raises(ValueError):
            clock.advance(seconds)
        assert clock.now() >= before and math.isfinite(clock.now())


@pytest.mark.parametrize("bad", ["5", True, None, [1]])
def test_advance_wants_a_number(bad: object) -> None:
    for clock in (ManualClock(), SystemClock()):
        with pytest.raises(TypeError):
            clock.advance(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", ["5", True, None, math.nan, math.inf])
def test_set_wants_a_finite_number(bad: object) -> None:
    clock = ManualClock()
    with pytest.raises((TypeError, ValueError)):
        clock.set(bad)  # type: ignore[arg-type]
    assert clock.now() == JAN_1_2026


@settings(max_examples=30)
@given(exact, exact)
def test_system_clock_follows_freezegun(offset: float, more: float) -> None:
    clock = SystemClock()
    with freeze_time("2026-01-01") as frozen:
        assert clock.now() == JAN_1_2026
        clock.advance(offset)
        assert clock.now() == JAN_1_2026 + offset
        assert clock.offset == offset
        before = clock.now()
        frozen.tick(5)
        assert clock.now() - before == 5
        assert clock.now() == JAN_1_2026 + 5 + offset
        clock.advance(more)
        assert clock.now() == JAN_1_2026 + 5 + offset + more
        clock.reset()
        assert clock.now() == JAN_1_2026 + 5


def test_system_clock_reads_the_time_at_each_call() -> None:
    clock = SystemClock()  # created outside freezegun: must still see the frozen time
    with freeze_time("2030-06-01 12:00:00"):
        assert clock.now() == datetime(2030, 6, 1, 12, tzinfo=UTC).timestamp()
    with freeze_time("2026-01-01"):
        assert clock.now() == JAN_1_2026
