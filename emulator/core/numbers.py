"""Numbers written by clients (query strings, headers, form fields), read by one ASCII rule.

`str.isdigit()` is True for '²' and '٣', and `int()` then raises or reads a digit the client
never typed as one; `int()` also accepts '1_000', ' 7 ' and 5,000-digit strings (which raise).
Every number a request carries as text goes through `ascii_int`, so none of that reaches a
handler: a bad number is the dialect's own 400, never a 500.
"""

from __future__ import annotations

import re

MAX_DIGITS = 18  # fits an int64, far above any limit, offset or count a client sends
_UNSIGNED = re.compile(rf"[0-9]{{1,{MAX_DIGITS}}}", re.ASCII)
_SIGNED = re.compile(rf"-?[0-9]{{1,{MAX_DIGITS}}}", re.ASCII)


def ascii_int(text: str | None, *, signed: bool = False) -> int | None:
    """The integer `text` spells with ASCII digits only (and a leading '-' if `signed`), else
    None: no spaces, underscores, '+', non-ASCII digits, or more than 18 digits."""
    if text is None:
        return None
    rule = _SIGNED if signed else _UNSIGNED
    return int(text) if rule.fullmatch(text) is not None else None
