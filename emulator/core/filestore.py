"""The service's file half: uploaded inputs and generated result files, in one store.

A mixin of `BatchService` so dialects keep one object to call; it shares the service's lock.
"""

from __future__ import annotations

import threading

from emulator.config import EmulatorConfig
from emulator.core.errors import file_not_found
from emulator.core.files import StoredFile, checked_mime_type
from emulator.core.ids import IdSource


class FilesMixin:
    config: EmulatorConfig
    ids: IdSource
    _lock: threading.RLock
    _files: dict[str, StoredFile]

    def now(self) -> float:
        raise NotImplementedError

    def settle_due(self) -> None:
        """Create the result files of every batch that has finished (the service's job)."""
        raise NotImplementedError

    def add_file(
        self,
        dialect: str,
        filename: str,
        purpose: str,
        data: bytes,
        *,
        expires_after: float | None = None,
        prefix: str = "file-",
        mime_type: str = "application/jsonl",
        file_id: str | None = None,
        display_name: str | None = None,
        created_at: float | None = None,
    ) -> StoredFile:
        """`created_at` backdates a file made after the fact (a batch's results, stamped with
        the instant the batch finished); expiry counts from it."""
        checked_mime_type(mime_type)
        with self._lock:
            now = self.now() if created_at is None else created_at
            stored = StoredFile(
                id=file_id or prefix + self.ids.next("file")[: 22 if prefix == "file-" else None],
                dialect=dialect,
                filename=filename,
                purpose=purpose,
                created_at=now,
                data=data,
                expires_at=None if expires_after is None else now + expires_after,
                mime_type=mime_type,
                display_name=display_name,
            )
            self._files[stored.id] = stored
            return stored

    def get_file(self, file_id: str, dialects: set[str] | None = None) -> StoredFile:
        """A live file: results of finished batches exist, expired files are gone (every
        provider deletes a file when it expires). `dialects`: only a file stored by one of
        them counts, as `get_batch` scopes batches."""
        stored = self.file_or_none(file_id)
        if stored is None or (dialects is not None and stored.dialect not in dialects):
            raise file_not_found(file_id)
        return stored

    def file_or_none(self, file_id: str) -> StoredFile | None:
        """`get_file` for a caller to whom a missing file is not an error (upload sessions)."""
        self.settle_due()
        with self._lock:
            stored = self._files.get(file_id)
            if stored is not None and _expired(stored, self.now()):
                del self._files[file_id]
                stored = None
        return stored

    def list_files(self, dialects: set[str]) -> list[StoredFile]:
        """Oldest first; finished batches' result files included, expired files dropped."""
        self.settle_due()
        with self._lock:
            now = self.now()
            for gone in [k for k, f in self._files.items() if _expired(f, now)]:
                del self._files[gone]
            return [f for f in self._files.values() if f.dialect in dialects]

    def delete_file(self, file_id: str) -> StoredFile:
        with self._lock:
            stored = self.get_file(file_id)
            del self._files[file_id]
            return stored


def _expired(stored: StoredFile, now: float) -> bool:
    return stored.expires_at is not None and stored.expires_at <= now
