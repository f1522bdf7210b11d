"""One request header read straight off the ASGI scope.

Starlette's `request.headers` decodes every header into a list on first use and scans it on
each lookup; an SDK sends fifteen or so. The calls every request makes (the guard's Host check,
the offload rule's framing, the journal's retry count, OpenAI's key check) each want one or two,
so they read the raw list once instead. Same answer as Starlette: the first copy of a repeated
header, names compared in lower case (ASGI servers send them lower-cased).
"""

from __future__ import annotations

from starlette.types import Scope


def first(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None
