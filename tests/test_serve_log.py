"""`serve`'s call log: one line per call, one per batch state change, whatever the polling."""

from __future__ import annotations

import logging
import threading

import pytest

from emulator.api import Emulator
from emulator.clock import ManualClock
from emulator.core.batch import Item, View
from emulator.core.journal import JournalEntry
from emulator.core.service import NewBatch
from emulator.serve_log import CallLog


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@pytest.fixture
def logged() -> tuple[Emulator, CallLog, Lines]:
    emulator = Emulator(clock=ManualClock(1_767_225_600.0))
    logger = logging.getLogger("tests.serve_log")
    logger.handlers.clear()
    lines = Lines()
    logger.addHandler(lines)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    return emulator, CallLog(emulator, logger), lines


def _create(emulator: Emulator, items: int) -> str:
    chat = {"model": "gpt-4o-mini", "messages": []}
    new = NewBatch(
        dialect="openai",
        endpoint="/v1/chat/completions",
        items=[Item(f"c{i}", chat) for i in range(items)],
        model="gpt-4o-mini",
    )
    return emulator.service.create_batch(new).batch.id


def _poll(batch_id: str, state: str | None) -> JournalEntry:
    return JournalEntry(
        at=0.0,
        method="GET",
        path=f"/v1/batches/{batch_id}",
        dialect="openai",
        operation="batches.retrieve",
        status=200,
        retry_count=0,
        batch_id=batch_id,
        state=state,
    )


def test_many_polls_log_each_state_once(logged: tuple[Emulator, CallLog, Lines]) -> None:
    emulator, log, lines = logged
    batch = _create(emulator, 3)
    seen = emulator.batch(batch).state.value
    for _ in range(5):
        log.on_call(_poll(batch, seen))
    log.drain()  # the state line for `seen` is written before the clock moves
    emulator.advance(hours=1)
    done = emulator.batch(batch).state.value
    for _ in range(5):
        log.on_call(_poll(batch, done))
    log.drain()
    changes = [line for line in lines.lines if line.startswith(f"batch {batch}:")]
    assert len(lines.lines) == 10 + len(changes)
    assert [c.split(":")[1].split("(")[0].strip() for c in changes] == [
        f"created, {seen}",
        f"{seen} -> {done}",
    ]


def test_a_state_line_says_what_the_call_saw_even_if_the_batch_moved_on(
    logged: tuple[Emulator, CallLog, Lines],
) -> None:
    """The log thread looks a moment after the call; by then the batch may be further on.
    The line reports each state a client was shown, in order, none skipped."""
    emulator, log, lines = logged
    batch = _create(emulator, 1)
    shown = []
    for _ in range(4):  # validating, in_progress, finalizing, completed: one phase per step
        shown.append(emulator.batch(batch).state.value)
        log.on_call(_poll(batch, shown[-1]))
        emulator.step(batch)  # the batch moves on before the log thread looks
    log.drain()
    changes = [line for line in lines.lines if line.startswith(f"batch {batch}:")]
    assert shown == ["validating", "in_progress", "finalizing", "completed"]
    assert [c.split(":")[1].split("(")[0].strip() for c in changes] == [
        "created, validating",
        "validating -> in_progress",
        "in_progress -> finalizing",
        "finalizing -> completed",
    ]


def test_a_call_that_saw_no_state_still_reports_a_change(
    logged: tuple[Emulator, CallLog, Lines],
) -> None:
    """A refused call (an injected 503) never reached the core: the log looks the batch up."""
    emulator, log, lines = logged
    batch = _create(emulator, 1)
    log.on_call(_poll(batch, emulator.batch(batch).state.value))
    log.drain()
    emulator.advance(hours=1)
    log.on_call(_poll(batch, None))
    log.drain()
    assert lines.lines[-1].startswith(f"batch {batch}: ") and " -> " in lines.lines[-1]


def test_the_lookup_runs_on_the_log_thread_not_the_caller(
    logged: tuple[Emulator, CallLog, Lines], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The journal calls `on_call` on the event loop: it must only queue the entry."""
    emulator, log, lines = logged
    batch = _create(emulator, 2)
    looked_up_on: list[threading.Thread] = []
    real_peek = emulator.service.peek

    def peek(batch_id: str) -> View:
        looked_up_on.append(threading.current_thread())
        return real_peek(batch_id)

    monkeypatch.setattr(emulator.service, "peek", peek)
    log.on_call(_poll(batch, None))
    log.drain()
    assert looked_up_on and threading.current_thread() not in looked_up_on
    assert lines.lines[-1].startswith(f"batch {batch}: created, ")


def test_on_call_returns_while_the_log_thread_is_busy(
    logged: tuple[Emulator, CallLog, Lines], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A barrier, not a timer: the look-up is held until the caller has returned."""
    emulator, log, lines = logged
    batch = _create(emulator, 1)
    release, entered = threading.Event(), threading.Event()
    real_peek = emulator.service.peek

    def held_peek(batch_id: str) -> View:
        entered.set()
        assert release.wait(30)
        return real_peek(batch_id)

    monkeypatch.setattr(emulator.service, "peek", held_peek)
    log.on_call(_poll(batch, None))  # returns although the look-up cannot finish yet
    assert entered.wait(30)
    log.on_call(_poll(batch, None))
    release.set()
    log.drain()
    assert sum(line.startswith(f"batch {batch}: created") for line in lines.lines) == 1


def test_the_log_never_renders_a_finished_batch_s_files(
    logged: tuple[Emulator, CallLog, Lines],
) -> None:
    """A look at a just-finished batch leaves its result files to the client's own read (which
    runs off the loop for a big batch); the log's look is a peek."""
    emulator, log, _ = logged
    batch = _create(emulator, 3)
    emulator.advance(hours=30)
    log.on_call(_poll(batch, None))
    log.drain()
    assert not emulator.service.peek(batch).batch.files_ready
    assert emulator.batch(batch).batch.files_ready  # the ordinary read makes them


def test_close_writes_what_is_queued(logged: tuple[Emulator, CallLog, Lines]) -> None:
    emulator, log, lines = logged
    batch = _create(emulator, 1)
    for _ in range(3):
        log.on_call(_poll(batch, None))
    log.close()
    assert sum(f"/v1/batches/{batch} -> 200" in line for line in lines.lines) == 3
