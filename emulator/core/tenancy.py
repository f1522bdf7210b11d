"""Tenants (`serve --isolate-keys`): each API key sees only the batches and files it made.

The HTTP layer names the caller's tenant in a context variable for the length of one request;
the core stamps it on what that request creates and hides what other tenants own behind the
provider's own not-found. Unset (the default, and the control plane's "see all"), nothing is
stamped or hidden, so a server without isolation pays one context-variable read per lookup.
A tenant is a digest of the key, never the key itself: state files and snapshots hold no secret.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

TENANT: ContextVar[str | None] = ContextVar("batch_emulator_tenant", default=None)
OWNER = "tenant"  # the key under which a batch's or file's `extra` records its tenant


def tenant_of(key: str) -> str:
    """The tenant name of an API key: stable across restarts and instances (a proxy can shard
    on the same digest), and not the key."""
    return "t_" + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:20]


def current() -> str | None:
    return TENANT.get()


@contextmanager
def acting_as(tenant: str | None) -> Iterator[None]:
    """Run as `tenant` (None: as nobody in particular, seeing everything)."""
    token = TENANT.set(tenant)
    try:
        yield
    finally:
        TENANT.reset(token)


def stamp(extra: dict[str, Any]) -> None:
    """Record the calling tenant as the owner of a new record (no-op without isolation)."""
    tenant = TENANT.get()
    if tenant is not None:
        extra[OWNER] = tenant


def visible(extra: Mapping[str, Any]) -> bool:
    """Whether the calling tenant may see a record: always, without a tenant."""
    tenant = TENANT.get()
    return tenant is None or extra.get(OWNER) == tenant
