"""Request headers read straight off the ASGI scope, through one map made once per request.

Starlette's `request.headers` decodes every header into a list on first use and scans that
list on each lookup; an SDK sends fifteen or so. The checks every request passes through (the
guard's Host, the offload rule's framing, OpenAI's key, the journal's retry count) each want
one or two, so they share one dict of the raw pairs, built by C code in one step and kept in
the scope. Same answers as Starlette: the first copy of a repeated header wins, names are
compared in lower case (ASGI servers send them lower-cased).
"""

from __future__ import annotations

from starlette.types import Scope

_KEY = "emulator.headers"


def raw(scope: Scope) -> dict[bytes, bytes]:
    """name -> value of the request's headers (first copy of each)."""
    found: dict[bytes, bytes] | None = scope.get(_KEY)
    if found is None:
        pairs = scope["headers"]
        if not isinstance(pairs, list | tuple):  # ASGI allows any iterable
            pairs = list(pairs)
        found = dict(reversed(pairs))  # reversed: the first copy is the one set last
        scope[_KEY] = found
    return found


def first(scope: Scope, name: bytes) -> str | None:
    value = raw(scope).get(name)
    return None if value is None else value.decode("latin-1")


def bearer(scope: Scope) -> str | None:
    """The token of `Authorization: Bearer <token>` (the scheme in any case), else None: the
    key check every OpenAI-shaped door and Anthropic's OAuth form share."""
    scheme, _, token = (first(scope, b"authorization") or "").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None
