"""The request journal: every call the server answered, for assertions about client behaviour."""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class JournalEntry:
    at: float
    method: str
    path: str
    dialect: str
    operation: str
    status: int
    retry_count: int | None
    batch_id: str | None = None
    fault: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class Journal:
    def __init__(self, limit: int = 100_000) -> None:
        self._entries: list[JournalEntry] = []
        self._limit = limit
        self._lock = threading.Lock()

    def add(self, entry: JournalEntry) -> None:
        with self._lock:
            self._entries.append(entry)
            if len(self._entries) > self._limit:
                del self._entries[: len(self._entries) - self._limit]

    def entries(self) -> list[JournalEntry]:
        with self._lock:
            return list(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
