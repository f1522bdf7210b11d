"""Cursor pages over a newest-first listing, the way every batch API here pages.

One rule for every dialect: a page holds the items strictly after the `after` id, or the
`limit` items strictly before the `before` id; an id that is not in the listing gives an empty
page, so a stale cursor never silently restarts from the top.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")


def window(
    items: Sequence[T],
    ids: Sequence[str],
    *,
    limit: int,
    after: str | None = None,
    before: str | None = None,
) -> tuple[list[T], bool]:
    """The page, and whether more items lie beyond it in the direction of travel."""
    if after is None and before is not None:
        end = ids.index(before) if before in ids else 0
        return list(items[max(0, end - limit) : end]), end > limit
    start = ids.index(after) + 1 if after in ids else (len(ids) if after is not None else 0)
    return list(items[start : start + limit]), len(items) - start > limit
