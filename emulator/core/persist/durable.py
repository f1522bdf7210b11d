"""A service made durable: restored from a store at start, written through it after.

Batches and files are written by the service itself at each change (`BatchService.sink`).
What changes in many places (fault counters, the config, the clock's offset, the journal) is
written by `checkpoint`, which the server calls before it sends each answer: so whatever a
client was told is on disk before it is told. Id counters are reserved ahead in blocks, at the
moment a count passes its reservation, so no id is handed out twice, even across a `kill -9`.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from emulator.clock import Clock, ManualClock, SystemClock
from emulator.config import EmulatorConfig
from emulator.core.files import StoredFile
from emulator.core.journal import JournalEntry, wall_now
from emulator.core.persist import Record, codec
from emulator.core.persist.sqlite import SqliteStore, StateError
from emulator.core.responders import responders_for

if TYPE_CHECKING:
    from emulator.core.service import BatchService

ID_BLOCK = 1_000  # ids reserved per write of the counters
JOURNAL_KEEP = 100_000  # journal entries kept in the file (the in-memory journal's bound)
JOURNAL_BATCH = 64  # journal entries written together...
JOURNAL_DELAY = 1.0  # ...or once the oldest has waited this many (wall) seconds
STATE_KINDS = ("config", "clock", "ids", "faults")


@dataclass(frozen=True)
class Restored:
    batches: int
    files: int
    journal: int


class Durable:
    """Ties one `BatchService` to one store for the life of a server."""

    def __init__(self, service: BatchService, store: SqliteStore) -> None:
        self.service = service
        self.store = store
        self._lock = threading.Lock()
        self._marks: dict[str, int] = {}
        self._ids_key: tuple[int, str] | None = None
        self._faults: tuple[Any, ...] | None = None
        self._config: EmulatorConfig | None = None
        self._clock: float | None = None
        self._pending: list[JournalEntry] = []
        self._pending_lock = threading.Lock()
        self._pending_since = 0.0
        self._written = 0
        self._generation = service.journal.generation

    # -- start ----------------------------------------------------------------------------
    def restore(self, given: EmulatorConfig) -> Restored:
        """Load everything the store holds into the service (before it serves anything)."""
        service, records = self.service, _by_kind(self.store)
        for _, value, _ in records.get("config", []):
            service.config = codec.config_from(value, given)
            service.responders = responders_for(service.config)
        for _, value, _ in records.get("ids", []):
            _check_ids(value)
            service.ids.restore(value["seed"], value["namespace"], value["counts"])
            self._marks, self._ids_key = dict(value["counts"]), (value["seed"], value["namespace"])
        for _, value, _ in records.get("faults", []):
            codec.restore_faults(service.faults, value)
        for _, value, _ in records.get("clock", []):
            _set_clock(service.clock, value)
        batches, files = _restore_records(service, records)
        for kind, restore in service.restorers.items():
            restore([Record(kind, key, value, data) for key, value, data in records.get(kind, [])])
        for _, value, _ in records.get("journal", []):
            service.journal.add(JournalEntry(**value))
        self._seen_now()
        if "config" not in records:  # a new file: the seed its results derive from, kept now
            self.store.put("config", "config", codec.config(service.config))
        return Restored(batches, files, len(records.get("journal", [])))

    def attach(self) -> None:
        """From now on every change is written through the store."""
        self.service.sink = self.store
        self.service.objects.sink = self.store
        self.service.ids.on_reserve = self._reserve
        self.service.journal.listeners.append(self._note)

    def _note(self, entry: JournalEntry) -> None:
        with self._pending_lock:
            if not self._pending:
                self._pending_since = wall_now()
            self._pending.append(entry)

    # -- ids ------------------------------------------------------------------------------
    def _reserve(self, seed: int, namespace: str, kind: str, count: int) -> int:
        """Called by the id source (under its lock) as `count` passes the reservation."""
        key = (seed, namespace)
        if key != self._ids_key:  # a reseed (reset(seed=...)) starts a new sequence
            self._marks, self._ids_key = {}, key
        self._marks[kind] = count + ID_BLOCK
        value = {"seed": key[0], "namespace": key[1], "counts": dict(self._marks)}
        self.store.put("ids", "ids", value)
        return self._marks[kind]

    # -- before each answer ---------------------------------------------------------------
    def checkpoint(self, force: bool = False, touched: list[StoredFile] | None = None) -> None:
        """Write what changed since the last checkpoint, in one transaction.

        Journal entries (what the verdict reads, not anything a client was told) ride along
        with the next state change, or go out once `JOURNAL_BATCH` are waiting or the oldest
        has waited `JOURNAL_DELAY`: a commit per call would cost each poll a third of a
        millisecond. So a `kill -9` may lose the journal's last second; `force` (a clean
        shutdown) writes it all."""
        service = self.service
        if touched:
            service.persist_touched(touched)  # files a dialect changed in place
        with self._lock:
            if service.journal.generation != self._generation:  # a reset or journal clear
                self._faults = self._config = self._clock = None
                self._generation = service.journal.generation
                self.store.drop("journal")
            faults = codec.faults_fingerprint(service.faults)
            offset = _clock_value(service.clock)
            state = (
                faults != self._faults
                or service.config is not self._config
                or offset != self._clock
            )
            if not state and not (force or self._journal_due()):
                return
            if not state and not force and self.store.busy():
                return  # journal entries alone wait for a free turn: no queue behind big writes
            with self._pending_lock:
                pending, self._pending = self._pending, []
            with self.store.transaction():
                self._write(faults, offset, pending)

    def _journal_due(self) -> bool:
        waiting = len(self._pending)
        return waiting >= JOURNAL_BATCH or (
            waiting > 0 and wall_now() - self._pending_since >= JOURNAL_DELAY
        )

    def _write(self, faults: tuple[Any, ...], offset: Any, pending: list[JournalEntry]) -> None:
        service = self.service
        if faults != self._faults:
            self.store.put("faults", "book", codec.faults(service.faults))
        if service.config is not self._config:
            self.store.put("config", "config", codec.config(service.config))
        if offset != self._clock:
            self.store.put("clock", "clock", offset)
        for entry in pending:
            self._written += 1
            self.store.put("journal", f"{self._written:012d}", entry.as_dict())
        if pending and self._written % 1_000 < len(pending):
            self.store.trim("journal", JOURNAL_KEEP)
        self._faults, self._config, self._clock = faults, service.config, offset

    def _seen_now(self) -> None:
        """What was just restored needs no checkpoint."""
        service = self.service
        self._faults = codec.faults_fingerprint(service.faults)
        self._config = service.config
        self._clock = _clock_value(service.clock)
        self._generation = service.journal.generation
        keys = [r.key for r in self.store.records("journal")]
        self._written = int(keys[-1]) if keys else 0


def _check_ids(value: Any) -> None:
    seed, namespace, counts = value["seed"], value["namespace"], value["counts"]
    numbers = isinstance(counts, dict) and all(
        isinstance(n, int) and not isinstance(n, bool) for n in counts.values()
    )
    if not (isinstance(seed, int) and isinstance(namespace, str) and numbers):
        raise ValueError("id counters must be {seed: int, namespace: str, counts: {kind: int}}")


def _by_kind(store: SqliteStore) -> dict[str, list[tuple[str, Any, bytes | None]]]:
    out: dict[str, list[tuple[str, Any, bytes | None]]] = {}
    for record in store.records():
        out.setdefault(record.kind, []).append((record.key, record.value, record.data))
    return out


def _restore_records(service: BatchService, records: dict[str, list[Any]]) -> tuple[int, int]:
    items = {key: data for key, _, data in records.get("items", [])}
    batches = [
        codec.batch_from(header, items[key])
        for key, header, _ in records.get("batch", [])
        if key in items  # a header without items: its create never finished
    ]
    files = [codec.file_from(meta, data) for _, meta, data in records.get("file", [])]
    service.restore(batches, files, {key for key, _, _ in records.get("gone", [])})
    return len(batches), len(files)


def _clock_value(clock: Clock) -> Any:
    if isinstance(clock, SystemClock):
        return {"offset": clock.offset}
    if isinstance(clock, ManualClock):
        return {"now": clock.now()}
    return None


def _set_clock(clock: Clock, value: Any) -> None:
    """Batches carry on where they were: the offset (or manual instant) comes back."""
    if isinstance(clock, SystemClock) and value and value.get("offset"):
        clock.advance(value["offset"])  # refuses a negative or non-number offset
    elif isinstance(clock, ManualClock) and value and "now" in value:
        clock.set(value["now"])


__all__ = ["Durable", "Restored", "StateError"]
