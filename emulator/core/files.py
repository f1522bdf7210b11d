"""File records. Provider-neutral: the dialect decides how a file is named and shown."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class StoredFile:
    id: str
    dialect: str
    filename: str
    purpose: str
    created_at: float
    data: bytes
    expires_at: float | None = None
    mime_type: str = "application/jsonl"
    display_name: str | None = None
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return len(self.data)
