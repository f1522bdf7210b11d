"""File records. Provider-neutral: the dialect decides how a file is named and shown."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from emulator.core.errors import invalid

# A MIME type goes out again as a Content-Type header (the dashboard's download): printable
# ASCII only, so no CR/LF/NUL can split or break that header (h11 hangs up on one), and short.
_MIME = re.compile(r"[\x20-\x7e]{1,255}", re.ASCII)


def checked_mime_type(value: str) -> str:
    """`value` if it can be sent back as a header; else the dialect's 400, at upload."""
    if _MIME.fullmatch(value) is None:
        raise invalid(f"Invalid MIME type {value[:100]!r}: printable ASCII, 1-255 characters.")
    return value


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
