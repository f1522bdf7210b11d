"""Sizes the HTTP layer reads to decide whether a request runs off the event loop.

A mixin of `BatchService`. Each answer is one dictionary read (atomic under the GIL) and never
observes a batch: asking must not itself start the work it is asking about.
"""

from __future__ import annotations

from emulator.core.batch import Batch
from emulator.core.files import StoredFile


class WorkMixin:
    _batches: dict[str, Batch]
    _files: dict[str, StoredFile]

    def weight(self, batch_id: str) -> int:
        """Items in the batch (0 for an unknown id)."""
        batch = self._batches.get(batch_id)
        return 0 if batch is None else len(batch.items)

    def heaviest_batch(self) -> int:
        """Items in the biggest batch held (a listing may render any of them)."""
        return max((len(b.items) for b in list(self._batches.values())), default=0)

    def big_file_ids(self, min_bytes: int) -> list[str]:
        """Ids of stored files of at least `min_bytes` (a create naming one parses it)."""
        return [f.id for f in list(self._files.values()) if len(f.data) >= min_bytes]
