"""The request journal: every call the server answered, for assertions about client behaviour.

Each entry carries two times: `at` on the emulator clock (which may be manual or frozen) and
`wall`, real epoch seconds read from a `time.time` captured at import inside a class, out of
reach of freezegun's module scan, so the gap between an SDK's retries can be measured even while
the emulator clock stands still.

The HTTP wrapper knows the call; only the core knows what the call did (the batch a create made,
the state a read saw). `collecting()` opens a scratch pad for one call and the core `note`s facts
on it; outside an HTTP call (the control plane, Python) a note goes nowhere. The client verdict
(`emulator.core.verdict`) judges clients from these facts.

Bounded in bytes as well as entries: each text field an entry keeps from the request (its path,
the ids in it) is cut to `FIELD_CHARS`, and the oldest entries go once the estimated total
passes `BUDGET`, so 2,000 calls naming a 60 KB id cost a few MB, not hundreds, and neither
`GET /_emulator/requests` nor the dashboard's tail grows with what a client sends.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import asdict, dataclass, replace
from itertools import islice
from typing import Any


class _Wall:
    now = staticmethod(time.time)


def wall_now() -> float:
    return _Wall.now()


@dataclass(frozen=True)
class JournalEntry:
    at: float
    method: str
    path: str
    dialect: str
    operation: str
    status: int | None  # None: the connection was dropped before any response
    retry_count: int | None  # the SDK's own count (x-stainless-retry-count...), if it sends one
    batch_id: str | None = None
    fault: str | None = None  # the injected effect, e.g. "http:429", "drop", "http:200+truncate"
    wall: float = 0.0  # real time the call arrived (before any injected latency)
    request_id: str | None = None
    rule: str | None = None  # the fault rule that fired
    file_id: str | None = None  # the file a call is about (its path), e.g. a download
    retry_after: float | None = None  # seconds the answer asked to wait (retry-after[-ms])
    state: str | None = None  # the batch's core state as this call left it
    gave_results: bool = False  # the answer carried the batch's results (Mistral `?inline=true`)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


_FACTS: ContextVar[dict[str, Any] | None] = ContextVar("journal_facts", default=None)


class collecting:  # lower case: used like a function, `with collecting() as facts`
    """A scratch pad for the facts the core notes while it answers one call (a class, not a
    generator context manager: it wraps every call, and this costs a third as much)."""

    __slots__ = ("_facts", "_token")

    def __init__(self) -> None:
        self._facts: dict[str, Any] = {}

    def __enter__(self) -> dict[str, Any]:
        self._token = _FACTS.set(self._facts)
        return self._facts

    def __exit__(self, *exc: object) -> None:
        _FACTS.reset(self._token)


def note(batch_id: str, state: str | None = None) -> None:
    """Record that the current call concerns `batch_id` (the first batch noted wins) and saw
    it in `state` (the last state noted for that batch wins). A no-op outside a call."""
    facts = _FACTS.get()
    if facts is None:
        return
    facts.setdefault("batch_id", batch_id)
    if state is not None and facts["batch_id"] == batch_id:
        facts["state"] = state


def note_object(key: str) -> None:
    """Record the object the current call downloaded (S3, GCS), as its `file_id`: which of a
    batch's outputs a client read (Bedrock's manifest beside its records) is verdict evidence."""
    facts = _FACTS.get()
    if facts is not None:
        facts["object"] = key


def note_results(batch_id: str) -> None:
    """Record that the current call's answer carries `batch_id`'s results although its
    operation is a status read (Mistral's `?inline=true`), so the verdict counts it as read."""
    note(batch_id)
    facts = _FACTS.get()
    if facts is not None and facts["batch_id"] == batch_id:
        facts["results"] = True


FIELD_CHARS = 512  # of a path or id kept per entry; real ones are under 100
TEXT_FIELDS = ("method", "path", "batch_id", "file_id", "rule", "fault", "request_id", "state")
ENTRY_BYTES = 512  # measured: what an entry with short fields costs in memory (tracemalloc)
BUDGET = 64 * 1024 * 1024  # estimated bytes of all entries together


def bounded(entry: JournalEntry) -> JournalEntry:
    """`entry` with every text field cut to FIELD_CHARS (the cut one marked, so it can never
    equal a real id); the same object when nothing is that long, as for every real call."""
    long: dict[str, Any] = {
        name: value[:FIELD_CHARS] + f"...(+{len(value) - FIELD_CHARS} chars)"
        for name in TEXT_FIELDS
        if isinstance(value := getattr(entry, name), str) and len(value) > FIELD_CHARS
    }
    return replace(entry, **long) if long else entry


def cost(entry: JournalEntry) -> int:
    """An entry's estimated memory: the fixed part plus the text it keeps."""
    return ENTRY_BYTES + sum(len(getattr(entry, name) or "") for name in TEXT_FIELDS)


class Journal:
    def __init__(self, limit: int = 100_000, budget: int = BUDGET) -> None:
        # A deque: once full, each new entry drops the oldest in O(1) (trimming a list moved
        # all 100,000 pointers on every call of a long-running server).
        self._entries: deque[JournalEntry] = deque()
        self._limit, self._budget, self._bytes = limit, budget, 0
        self._lock = threading.Lock()
        self._generation = 0
        # Called with each entry after it is recorded (`serve`'s call log); outside the lock.
        self.listeners: list[Callable[[JournalEntry], None]] = []

    @property
    def generation(self) -> int:
        """Bumped by `clear`: a call that began before a reset is not journaled after it."""
        return self._generation

    def add(self, entry: JournalEntry, generation: int | None = None) -> None:
        entry = bounded(entry)
        size = cost(entry)
        with self._lock:
            if generation is not None and generation != self._generation:
                return
            self._entries.append(entry)
            self._bytes += size
            while len(self._entries) > self._limit or self._bytes > self._budget:
                self._bytes -= cost(self._entries.popleft())
        for listener in self.listeners:
            listener(entry)

    def entries(self, **where: Any) -> list[JournalEntry]:
        """Every entry, or those whose fields equal `where` (e.g. `operation="batches.create"`)."""
        unknown = set(where) - set(JournalEntry.__dataclass_fields__)
        if unknown:
            raise ValueError(f"unknown journal field(s): {', '.join(sorted(unknown))}")
        with self._lock:
            chosen = list(self._entries)
        return [e for e in chosen if all(getattr(e, k) == v for k, v in where.items())]

    def tail(self, n: int) -> list[JournalEntry]:
        """The last `n` entries, oldest first, copying only those (a page polls this)."""
        with self._lock:
            newest_first = list(islice(reversed(self._entries), max(n, 0)))
        return newest_first[::-1]

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0
            self._generation += 1

    @property
    def size(self) -> int:
        """The estimated bytes the entries hold (at most the budget)."""
        return self._bytes
