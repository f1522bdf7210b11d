"""Bifrost gateway routes (placeholder until the Bifrost dialect lands)."""

from __future__ import annotations

from starlette.routing import BaseRoute

from emulator.core.service import BatchService
from emulator.http import Dialect
from emulator.providers.openai.dialect import render_error

PREFIXES = ("/bifrost",)
DIALECT = Dialect("bifrost", render_error)


def routes(service: BatchService) -> list[BaseRoute]:
    return []
