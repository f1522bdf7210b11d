"""Files a request touched, so changes a dialect makes in place are written too.

Dialects change some files after adding them (Together's upload step sets the bytes, Gemini's
resumable sessions note the declared size). Rather than every such line remembering to say so,
the service notes each file a request adds or looks up, and the server's checkpoint writes
those whose content or metadata changed, before the answer is sent. Outside a watched request
(in memory, the pytest plugin) a note is one context-variable read.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

_TOUCHED: ContextVar[dict[str, Any] | None] = ContextVar("batch_emulator_touched", default=None)


def touch(file_id: str, stored: Any) -> None:
    touched = _TOUCHED.get()
    if touched is not None:
        touched[file_id] = stored


@contextmanager
def watching() -> Iterator[dict[str, Any]]:
    """Collect the files touched while the block runs (worker threads included: they run in a
    copy of this context, which holds the same dict)."""
    touched: dict[str, Any] = {}
    token = _TOUCHED.set(touched)
    try:
        yield touched
    finally:
        _TOUCHED.reset(token)
