"""`serve`'s call log: one line per call, one per batch state change, whatever the polling."""

from __future__ import annotations

import logging

import pytest

from emulator.api import Emulator
from emulator.clock import ManualClock
from emulator.core.batch import Item
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
    emulator.advance(hours=1)
    done = emulator.batch(batch).state.value
    for _ in range(5):
        log.on_call(_poll(batch, done))
    changes = [line for line in lines.lines if line.startswith(f"batch {batch}:")]
    assert len(lines.lines) == 10 + len(changes)
    assert [c.split(":")[1].split("(")[0].strip() for c in changes] == [
        f"created, {seen}",
        f"{seen} -> {done}",
    ]


def test_a_call_that_saw_no_state_still_reports_a_change(
    logged: tuple[Emulator, CallLog, Lines],
) -> None:
    """A refused call (an injected 503) never reached the core: the log looks the batch up."""
    emulator, log, lines = logged
    batch = _create(emulator, 1)
    log.on_call(_poll(batch, emulator.batch(batch).state.value))
    emulator.advance(hours=1)
    log.on_call(_poll(batch, None))
    assert lines.lines[-1].startswith(f"batch {batch}: ") and " -> " in lines.lines[-1]
