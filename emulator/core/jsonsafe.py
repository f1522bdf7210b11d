"""JSON from clients, parsed with a nesting limit.

The stdlib parser raises `RecursionError` (not `ValueError`) on a body nested ~1,000 deep, and
orjson refuses only past 1,024 levels, while orjson *encodes* at most 255 and the result
generators walk schemas recursively. One limit applied where client JSON enters keeps every
later step (rendering, matching, echoing) inside what it can handle: a deeper document is a
`JsonError`, a `ValueError` that each dialect already answers as its own "invalid JSON" 400.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

MAX_DEPTH = 128  # far deeper than any real request (OpenAI caps schemas at 10 levels)


class JsonError(ValueError):
    """Client JSON that cannot be accepted: malformed, or nested deeper than MAX_DEPTH."""


def loads(raw: bytes | str) -> Any:
    """`json.loads` (its leniency kept: NaN, lone surrogates) plus the nesting limit."""
    try:
        value = json.loads(raw)
    except RecursionError:
        raise JsonError(f"JSON nested deeper than {MAX_DEPTH} levels") from None
    check_depth(value, raw)
    return value


def loads_strict(raw: bytes | str) -> Any:
    """orjson's strict RFC 8259 parse (no BOM, NaN or bad UTF-8) plus the nesting limit."""
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise JsonError(str(exc)) from None
    check_depth(value, raw)
    return value


def check_depth(value: Any, raw: bytes | str) -> None:
    """Raise JsonError if `value` nests deeper than MAX_DEPTH.

    A document with fewer opening brackets than the limit cannot exceed it, so ordinary lines
    cost two C-speed counts; only bigger documents are walked (containers only, no recursion).
    """
    opening = (b"[", b"{") if isinstance(raw, bytes) else ("[", "{")
    if raw.count(opening[0]) + raw.count(opening[1]) <= MAX_DEPTH:  # type: ignore[arg-type]
        return
    if too_deep(value):
        raise JsonError(f"JSON nested deeper than {MAX_DEPTH} levels")


def too_deep(value: Any, limit: int = MAX_DEPTH) -> bool:
    stack: list[tuple[Any, int]] = [(value, 1)] if isinstance(value, dict | list) else []
    while stack:
        node, depth = stack.pop()
        children = node.values() if isinstance(node, dict) else node
        if depth > limit:
            return True
        stack.extend((c, depth + 1) for c in children if isinstance(c, dict | list))
    return False
