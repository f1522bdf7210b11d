"""`batch-emulator serve`'s call log: one line per call and one per batch state change.

A black-box client (another language, another process) cannot see the journal, so the server
says what it did, at the default level: method, path, status, the operation, the batch, the
fault that fired; and each batch's new state the first time a call observes it (states are
derived from the clock when read, so a change is only known when something looks).
`serve --quiet` leaves it off.

The journal calls `on_call` on the event loop, after every answer. Everything the log does
there is append the entry to a deque: a thread of its own wakes every FLUSH seconds (or when
asked to drain), formats the lines, looks the batches up and writes to stderr. Waking it once
per call instead (a queue's notify) cost a thread switch per call: a poll then measured 1.17x
the bare-Starlette floor against 1.11x with the log off (1.13x for both since). The look-up
is a `peek` (no poll counted, no result files made): looked up on the loop through the
ordinary read, a 50,000-line batch that had just finished rendered its result files there,
and every other client waited about a second.
"""

from __future__ import annotations

import dataclasses
import logging
import sys
import threading
from collections import deque

from emulator import native
from emulator.api import Emulator
from emulator.batch_info import BatchInfo
from emulator.core.errors import EmulatorError
from emulator.core.journal import JournalEntry
from emulator.core.states import BatchState
from emulator.report import batch_line, call_line, status_text

LOGGER = "emulator.calls"
BACKLOG = 10_000  # entries waiting for the log thread; past it calls are counted, not logged
CLOSE_WAIT = 5.0  # seconds `close` waits for the backlog to be written
FLUSH = 0.05  # seconds between the log thread's passes: lines appear at most this late


class CallLog:
    def __init__(self, emulator: Emulator, logger: logging.Logger | None = None) -> None:
        self.emulator = emulator
        self.log = logger or _stderr_logger()
        self._states: dict[str, str] = {}
        self._words: dict[str, str] = {}  # what the log said each batch was
        self._pending: deque[JournalEntry] = deque()
        self._appended = 0  # entries handed over (the loop's count)
        self._written = 0  # entries written (the log thread's count)
        self._dropped = 0
        self._stop = False
        self._wake = threading.Event()
        self._done = threading.Condition()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def attach(self) -> None:
        self.emulator.service.journal.listeners.append(self.on_call)

    def on_call(self, entry: JournalEntry) -> None:
        """Runs on the event loop: append the entry and return (no lock, no wake-up)."""
        if self._thread is None:
            self._start()
        if len(self._pending) >= BACKLOG:  # a flood the log cannot keep up with: say so
            with self._lock:
                self._dropped += 1
            return
        self._pending.append(entry)
        self._appended += 1

    def drain(self) -> None:
        """Wait until every entry handed over so far is written (tests, and `close`)."""
        target = self._appended
        self._wake.set()
        with self._done:
            self._done.wait_for(lambda: self._written >= target, timeout=CLOSE_WAIT)

    def close(self) -> None:
        """Write what is pending (waiting at most CLOSE_WAIT seconds), then stop the thread."""
        thread = self._thread
        if thread is None:
            return
        self._stop = True
        self._wake.set()
        thread.join(CLOSE_WAIT)

    def _start(self) -> None:
        with self._lock:
            if self._thread is None:
                thread = threading.Thread(target=self._work, name="call-log", daemon=True)
                thread.start()
                self._thread = thread

    def _work(self) -> None:
        while True:
            self._wake.wait(FLUSH)
            self._wake.clear()
            stopping = self._stop
            self._write_pending()
            if stopping:
                return

    def _write_pending(self) -> None:
        while self._pending:
            entry = self._pending.popleft()
            try:
                self.write(entry)
            except Exception:  # a bad line must not end the log
                self.log.exception("call log: could not log a call")
            with self._done:
                self._written += 1
                self._done.notify_all()

    def write(self, entry: JournalEntry) -> None:
        """The call's line, and its batch's state line if the state changed (log thread)."""
        with self._lock:
            dropped, self._dropped = self._dropped, 0
        if dropped:
            self.log.info("(%d calls not logged: the log fell behind)", dropped)
        self.log.info(call_line(entry))
        if entry.batch_id is None:
            return
        if entry.state is not None and self._states.get(entry.batch_id) == entry.state:
            return  # the state this call saw is the one last logged: nothing new
        try:
            info = BatchInfo.of(self.emulator.service.peek(entry.batch_id))  # no poll, no render
        except EmulatorError:  # unknown, deleted, or another dialect's id: nothing to say
            return
        if entry.state is not None and entry.state != info.state.value:
            info = _as_seen(info, BatchState(entry.state))
        state = info.state.value
        before = self._states.get(info.id)
        self._states[info.id] = state
        said, self._words[info.id] = self._words.get(info.id), status_text(info)
        if before != state:  # in the provider's own words, the neutral state beside them
            change = f"{said} -> {status_text(info)}" if said else f"created, {status_text(info)}"
            self.log.info("batch %s: %s (%s)", info.native_id, change, batch_line(info))


def _as_seen(info: BatchInfo, seen: BatchState) -> BatchInfo:
    """`info` in the state the call saw: the log thread looks a moment later (up to FLUSH), by
    when the batch may have moved on, and a state line should say what the client was told."""
    word = native.status_word(info.dialect, info.provider, seen)
    return dataclasses.replace(info, state=seen, status=word)


def _stderr_logger() -> logging.Logger:
    logger = logging.getLogger(LOGGER)
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S"))
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    return logger
