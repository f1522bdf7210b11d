"""Profiles are the core's only knowledge of providers: they must match what is served."""

from __future__ import annotations

from typing import Any

import pytest

from emulator.api import Emulator
from emulator.core.faults import FaultError, HttpFault
from emulator.providers.registry import PROFILES


def _served(app: Any) -> dict[str, set[str]]:
    """(dialect -> operation names) from every route the app mounts, gated mounts included."""
    found: dict[str, set[str]] = {}
    todo = list(app.routes)
    while todo:
        route = todo.pop()
        endpoint = getattr(route, "endpoint", None)
        if endpoint is not None and hasattr(endpoint, "operation"):
            dialect, name = endpoint.operation
            found.setdefault(dialect, set()).add(name)
        inner = getattr(route, "app", None)
        todo += list(getattr(route, "routes", None) or [])
        while inner is not None and not hasattr(inner, "routes"):
            inner = getattr(inner, "app", None)
        if inner is not None and inner is not app:
            todo += list(inner.routes)
    return found


@pytest.mark.parametrize("flavor", ["all", "bifrost"])
def test_every_served_operation_is_in_its_profile(flavor):
    from emulator.app import create_app

    served = _served(create_app(Emulator(), flavor=flavor))
    profiles = {p.name: p.operations for p in PROFILES}
    assert served, "no operation found: the route walk is broken"
    for dialect, names in served.items():
        assert names <= profiles[dialect], (dialect, names - profiles[dialect])
    if flavor == "all":  # every profile's operations are really served somewhere
        assert {d: frozenset(n) for d, n in served.items()} == profiles


def test_fault_rules_are_checked_against_the_profiles_without_building_an_app():
    emulator = Emulator()
    assert emulator._app is None
    emulator.add_fault(
        HttpFault(status=500, dialect="anthropic", operation="messages.batches.results")
    )
    with pytest.raises(FaultError, match="unknown operation"):
        emulator.add_fault(
            HttpFault(status=500, dialect="gemini", operation="messages.batches.results")
        )
    assert emulator._app is None  # no scratch app or route table was needed
