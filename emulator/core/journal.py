"""The request journal: every call the server answered, for assertions about client behaviour.

Each entry carries two times: `at` on the emulator clock (which may be manual or frozen) and
`wall`, real epoch seconds read from a `time.time` captured at import inside a class, out of
reach of freezegun's module scan, so the gap between an SDK's retries can be measured even while
the emulator clock stands still.
"""

from __future__ import annotations

import threading
import time
from dataclasses import asdict, dataclass
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

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class Journal:
    def __init__(self, limit: int = 100_000) -> None:
        self._entries: list[JournalEntry] = []
        self._limit = limit
        self._lock = threading.Lock()
        self._generation = 0

    @property
    def generation(self) -> int:
        """Bumped by `clear`: a call that began before a reset is not journaled after it."""
        return self._generation

    def add(self, entry: JournalEntry, generation: int | None = None) -> None:
        with self._lock:
            if generation is not None and generation != self._generation:
                return
            self._entries.append(entry)
            if len(self._entries) > self._limit:
                del self._entries[: len(self._entries) - self._limit]

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
            return self._entries[-n:] if n > 0 else []

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._generation += 1
