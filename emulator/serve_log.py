"""`batch-emulator serve`'s call log: one line per call and one per batch state change.

A black-box client (another language, another process) cannot see the journal, so the server
says what it did, at the default level: method, path, status, the operation, the batch, the
fault that fired; and each batch's new state the first time a call observes it (states are
derived from the clock when read, so a change is only known when something looks).
`serve --quiet` leaves it off.
"""

from __future__ import annotations

import logging
import sys
import threading

from emulator.api import Emulator
from emulator.core.errors import EmulatorError
from emulator.core.journal import JournalEntry
from emulator.report import batch_line, call_line, status_text

LOGGER = "emulator.calls"


class CallLog:
    def __init__(self, emulator: Emulator, logger: logging.Logger | None = None) -> None:
        self.emulator = emulator
        self.log = logger or _stderr_logger()
        self._states: dict[str, str] = {}  # core state last logged, by core id
        self._words: dict[str, str] = {}  # what the log said it was
        self._lock = threading.Lock()

    def attach(self) -> None:
        self.emulator.service.journal.listeners.append(self.on_call)

    def on_call(self, entry: JournalEntry) -> None:
        self.log.info(call_line(entry))
        if entry.batch_id is None:
            return
        if entry.state is not None:
            with self._lock:
                if self._states.get(entry.batch_id) == entry.state:
                    return  # the state this call saw is the one last logged: nothing new
        try:
            info = self.emulator.batch(entry.batch_id)  # a look, not a poll
        except EmulatorError:  # unknown, deleted, or another dialect's id: nothing to say
            return
        state = info.state.value
        with self._lock:
            before = self._states.get(info.id)
            self._states[info.id] = state
            said, self._words[info.id] = self._words.get(info.id), status_text(info)
        if before != state:  # in the provider's own words, the neutral state beside them
            change = f"{said} -> {status_text(info)}" if said else f"created, {status_text(info)}"
            self.log.info("batch %s: %s (%s)", info.native_id, change, batch_line(info))


def _stderr_logger() -> logging.Logger:
    logger = logging.getLogger(LOGGER)
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S"))
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    return logger
