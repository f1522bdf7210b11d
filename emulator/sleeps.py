"""Emulated sleeps: `time.sleep` and `asyncio.sleep` in the code under test move the emulator's
clock instead of waiting, so a pipeline that polls every 60 s runs in milliseconds.

Real batch clients sleep between polls (the verdict tells them to) and their SDKs sleep between
retries; without this, testing them means monkeypatching, or waiting. While an `EmulatedSleeps`
is active, the module attributes `time.sleep`, `asyncio.sleep` and `anyio.sleep` (the async
retry wait of the openai, anthropic, groq and together SDKs) are replaced. They are looked up
when called (`time.sleep(...)`, tenacity's nap, the SDKs' retry loops), so those calls are
reached; a name bound earlier with `from time import sleep` is not (call `time.sleep`).

What still waits for real, so nothing deadlocks or spins:
- the emulator's own threads (the loopback server, the in-process bridge) register themselves
  with `serving()`: uvicorn's housekeeping keeps its real 0.1 s ticks;
- the app's own waits (latency faults) call `real_sleep` / `real_async_sleep`, so an injected
  latency is real time even when the app runs on the test's event loop (in-process async);
- a delay of 0 (or a negative, NaN or infinite one) goes to the real function: `sleep(0)` still
  yields to other tasks and threads, and the real function raises what it raises.
An emulated sleep still yields once (`sleep(0)`), so other threads and tasks get to run.
"""

from __future__ import annotations

import asyncio
import importlib
import importlib.util
import math
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any, Self

real_sleep = time.sleep
real_async_sleep = asyncio.sleep

_SERVING: set[int] = set()  # idents of the emulator's own threads: they always wait for real
_ACTIVE: list[EmulatedSleeps] = []  # innermost last: it receives the sleeps
_SAVED: list[tuple[ModuleType, str, Any]] = []
_LOCK = threading.Lock()


@contextmanager
def serving() -> Iterator[None]:
    """Mark the current thread as one of the emulator's own for as long as the block runs."""
    ident = threading.get_ident()
    _SERVING.add(ident)
    try:
        yield
    finally:
        _SERVING.discard(ident)


class EmulatedSleeps:
    """While active (`with`), sleeps outside the emulator advance its clock; `calls` lists the
    seconds each one asked for, `total` their sum."""

    def __init__(self, advance: Callable[[float], object]) -> None:
        self._advance = advance
        self.calls: list[float] = []

    @property
    def total(self) -> float:
        return sum(self.calls)

    def __repr__(self) -> str:
        return f"<EmulatedSleeps {len(self.calls)} sleep(s), {self.total:g} s in all>"

    def __enter__(self) -> Self:
        with _LOCK:
            if not _ACTIVE:
                _install()
            _ACTIVE.append(self)
        return self

    def __exit__(self, *exc: object) -> None:
        with _LOCK:
            if self in _ACTIVE:
                _ACTIVE.remove(self)
            if not _ACTIVE:
                _restore()

    def _take(self, seconds: float) -> None:
        self._advance(seconds)
        self.calls.append(float(seconds))


def _receiver(seconds: object) -> EmulatedSleeps | None:
    """Who takes this sleep: the innermost active `EmulatedSleeps`, or nobody (wait for real)."""
    if not _ACTIVE or threading.get_ident() in _SERVING:
        return None
    if isinstance(seconds, bool) or not isinstance(seconds, int | float):
        return None
    if not 0 < seconds < math.inf:
        return None
    try:
        return _ACTIVE[-1]
    except IndexError:  # the last one left in another thread just now
        return None


def _sleep(seconds: float) -> None:
    receiver = _receiver(seconds)
    if receiver is None:
        return real_sleep(seconds)
    receiver._take(seconds)
    real_sleep(0)  # let other threads run, as a sleep would
    return None


async def _async_sleep(delay: float, result: Any = None) -> Any:
    receiver = _receiver(delay)
    if receiver is None:
        return await real_async_sleep(delay, result)
    receiver._take(delay)
    return await real_async_sleep(0, result)


def _anyio_sleep(original: Callable[[float], Any]) -> Callable[[float], Any]:
    async def sleep(delay: float) -> None:
        receiver = _receiver(delay)
        if receiver is None:
            return await original(delay)  # type: ignore[no-any-return]
        receiver._take(delay)
        return await original(0)  # type: ignore[no-any-return]

    return sleep


def _install() -> None:
    _swap(time, "sleep", _sleep)
    _swap(asyncio, "sleep", _async_sleep)
    if importlib.util.find_spec("anyio") is not None:
        anyio = importlib.import_module("anyio")
        _swap(anyio, "sleep", _anyio_sleep(anyio.sleep))


def _swap(module: ModuleType, name: str, replacement: Any) -> None:
    _SAVED.append((module, name, getattr(module, name)))
    setattr(module, name, replacement)


def _restore() -> None:
    while _SAVED:
        module, name, original = _SAVED.pop()
        setattr(module, name, original)


__all__ = ["EmulatedSleeps", "real_async_sleep", "real_sleep", "serving"]
