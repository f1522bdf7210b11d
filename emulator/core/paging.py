"""Cursor pages over a newest-first listing, the way every batch API here pages.

One rule for every dialect: a page holds the items strictly after the `after` id, or the
`limit` items strictly before the `before` id; an id that is not in the listing gives an empty
page, so a stale cursor never silently restarts from the top.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from emulator.core.errors import EmulatorError, ErrorKind, Reason
from emulator.core.numbers import ascii_int

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


def offset_page(items: Sequence[T], start: int, size: int) -> tuple[list[T], str | None]:
    """A page by offset (Bedrock's `nextToken`, Vertex's `pageToken` are opaque strings; here
    the offset of the next page): the page, and the token of the next one if any."""
    return list(items[start : start + size]), (
        str(start + size) if start + size < len(items) else None
    )


def envelope(
    data: list[dict[str, Any]], has_more: bool, *, id_key: str = "id", sparse: bool = False
) -> dict[str, Any]:
    """The cursor-page body: `data`, `first_id`/`last_id` (null on an empty page), `has_more`.

    OpenAI and Anthropic send every key; Bifrost's Go structs drop empty ones (`sparse`): no
    ids on an empty page, no `has_more` when it is false.
    """
    out: dict[str, Any] = {"data": data}
    if data or not sparse:
        out["first_id"] = data[0][id_key] if data else None
        out["last_id"] = data[-1][id_key] if data else None
    if has_more or not sparse:
        out["has_more"] = has_more
    return out


def page_limit(
    raw: str | None,
    *,
    default: int,
    maximum: int | None,
    param: str = "limit",
    clamp: bool = False,
) -> int:
    """A page size from the query string: ASCII digits only, `default` when absent.

    Out of range is refused (`1..maximum`), or with `clamp` (Google's rule) 0 means the default
    and anything above the maximum is brought down to it. A refusal is a structured error
    (`Reason.BAD_LIMIT`) that each dialect words its own way.
    """
    if raw is None or (not raw.strip() and not clamp):
        return default
    value = ascii_int(raw.strip(), signed=True)
    problem = None
    if value is None:
        problem = "type"
    elif value < (0 if clamp else 1):
        problem = "low"
    elif maximum is not None and value > maximum and not clamp:
        problem = "high"
    if problem is not None or value is None:
        raise EmulatorError(
            ErrorKind.INVALID_REQUEST,
            f"Invalid {param} {raw[:40]!r}.",
            param=param,
            reason=Reason.BAD_LIMIT,
            facts={
                "param": param,
                "raw": raw[:40],
                "value": value,
                "problem": problem,
                "maximum": maximum,
            },
        )
    if clamp:
        return min(value, maximum) if value and maximum is not None else (value or default)
    return value
