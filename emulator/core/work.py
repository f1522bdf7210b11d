"""What the core offers for heavy work: sizes read without observing, and render-once guards.

A mixin of `BatchService`. The size answers are one dictionary read (atomic under the GIL) and
never observe a batch: asking must not itself start the work it is asking about. The HTTP layer
uses them to run a heavy request off the event loop (emulator/offload.py).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

from emulator.core import timeline
from emulator.core.batch import Batch
from emulator.core.files import StoredFile
from emulator.core.states import TERMINAL

_GUARD = threading.Lock()


class WorkMixin:
    _batches: dict[str, Batch]
    _files: dict[str, StoredFile]
    _unsettled: dict[str, Batch]

    def now(self) -> float:
        raise NotImplementedError

    def weight(self, batch_id: str) -> int:
        """Items in the batch (0 for an unknown id)."""
        batch = self._batches.get(batch_id)
        return 0 if batch is None else len(batch.items)

    def any_over(self, min_items: int) -> bool:
        """Whether any batch held has more than `min_items` items (a listing may render it)."""
        return any(len(b.items) > min_items for b in list(self._batches.values()))

    def due_over(self, min_items: int) -> bool:
        """Whether a finished batch of more than `min_items` items still awaits its result
        files (any file read or listing makes them first). Small batches are skipped before
        their state is computed: this runs on every request."""
        now = self.now()
        return any(
            len(b.items) > min_items and timeline.moment(b.plan, now).state in TERMINAL
            for b in list(self._unsettled.values())
        )

    def big_file_ids(self, min_bytes: int) -> list[str]:
        """Ids of stored files of at least `min_bytes` (a create naming one parses it)."""
        return [f.id for f in list(self._files.values()) if len(f.data) >= min_bytes]

    @contextlib.contextmanager
    def once(self, key: str) -> Iterator[None]:
        """One holder per key at a time: a second observer of a batch being rendered waits
        for that render (then finds the files made) instead of rendering it again."""
        with _GUARD:
            locks: dict[str, threading.Lock] = vars(self).setdefault("_once_locks", {})
            lock = locks.setdefault(key, threading.Lock())
        with lock:
            yield
        with _GUARD:
            if not lock.locked():
                locks.pop(key, None)
