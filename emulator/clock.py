"""Clocks. Time is a value the user moves, never something the emulator waits for.

`SystemClock` looks `time.time()` up on every call (never a reference captured at import), so
freezegun's `freeze_time`/`tick` in a test moves batches inside a server thread too.
"""

from __future__ import annotations

import math
import threading
import time
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float: ...

    def advance(self, seconds: float) -> None: ...

    def reset(self) -> None: ...


class SystemClock:
    """Wall (or freezegun) time plus an offset that `advance` moves."""

    def __init__(self) -> None:
        self._offset = 0.0
        self._lock = threading.Lock()

    def now(self) -> float:
        return time.time() + self._offset

    def advance(self, seconds: float) -> None:
        _check_delta(seconds)
        with self._lock:
            _check_instant(time.time() + self._offset + seconds)
            self._offset += seconds

    def reset(self) -> None:
        with self._lock:
            self._offset = 0.0

    @property
    def offset(self) -> float:
        return self._offset


class ManualClock:
    """A clock that stands still until told otherwise: fully deterministic timestamps."""

    def __init__(self, start: float = 1_767_225_600.0) -> None:  # 2026-01-01T00:00:00Z
        self._start = start
        self._now = start
        self._lock = threading.Lock()

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        _check_delta(seconds)
        with self._lock:
            _check_instant(self._now + seconds)
            self._now += seconds

    def set(self, when: float) -> None:
        """Jump to an absolute instant (backwards too: a test may replay a moment)."""
        _check_number(when, "when")
        _check_instant(when)
        with self._lock:
            self._now = float(when)

    def reset(self) -> None:
        with self._lock:
            self._now = self._start


def _check_number(value: float, name: str) -> None:
    """Reject bools, strings and non-finite floats: a NaN clock would poison every batch."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{name} must be a number, got {value!r}")
    try:
        finite = math.isfinite(value)
    except OverflowError:  # an int too big for a float
        finite = False
    if not finite:
        raise ValueError(f"{name} must be finite, got {value!r}")


# Year 3000. Timestamps past it (or an `advance(1e12)`) cannot be rendered as dates by every
# client, and `datetime` itself stops at year 9999: the clock refuses to go there, unmoved.
MAX_INSTANT = 32_503_680_000.0


def _check_instant(when: float) -> None:
    if not -MAX_INSTANT <= when <= MAX_INSTANT:
        raise ValueError(
            f"the clock cannot move to {when:g} (epoch seconds): past year 3000; advance by less"
        )


def _check_delta(seconds: float) -> None:
    _check_number(seconds, "seconds")
    if seconds < 0:
        raise ValueError(f"time only moves forward; got seconds={seconds}")
