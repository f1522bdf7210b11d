"""Persistence behind one narrow interface: a write-through sink of records.

The core keeps its state in memory (the fast default). When a state file is attached, every
acknowledged change is also written through a `Sink` as a record: a `kind` (batch, items, file,
faults, ...), a `key`, a JSON-able `value` and optional raw `data` bytes. A put replaces the
record of that kind and key; records keep the order they were first put in. Anything that owns
state (an object store for S3/GCS, say) persists through the same two calls, with kinds of its
own, and restores by reading its kinds back from `Store.records`.

`NULL` is the sink of an emulator without a state file: `active` is False, so callers skip
even encoding a record, and the in-memory speed is today's.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class Record:
    kind: str
    key: str
    value: Any  # JSON-able
    data: bytes | None = None


class Sink(Protocol):
    """Where the core writes each change before the change is acknowledged."""

    @property
    def active(self) -> bool: ...

    def put(self, kind: str, key: str, value: Any, data: bytes | None = None) -> None: ...

    def delete(self, kind: str, key: str) -> None: ...

    def clear(self, keep: tuple[str, ...] = ()) -> None:
        """Delete every record but those of the kinds in `keep`."""

    def transaction(self) -> AbstractContextManager[None]:
        """Group the puts and deletes made inside into one atomic write."""


class Store(Sink, Protocol):
    """A sink that can also be read back: what a restart restores from."""

    def records(self, kind: str | None = None) -> Iterator[Record]: ...

    def close(self) -> None: ...


class NullSink:
    """Writes nothing: the in-memory default."""

    active = False

    def put(self, kind: str, key: str, value: Any, data: bytes | None = None) -> None:
        pass

    def delete(self, kind: str, key: str) -> None:
        pass

    def clear(self, keep: tuple[str, ...] = ()) -> None:
        pass

    def transaction(self) -> AbstractContextManager[None]:
        return nullcontext()


NULL: Sink = NullSink()

__all__ = ["NULL", "NullSink", "Record", "Sink", "Store"]
