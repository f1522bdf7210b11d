"""Anthropic Message Batches routes (placeholder until the Anthropic dialect lands)."""

from __future__ import annotations

from starlette.routing import BaseRoute

from emulator.core.service import BatchService
from emulator.http import Dialect
from emulator.providers.openai.dialect import render_error

PREFIXES = ("/v1/messages",)
DIALECT = Dialect("anthropic", render_error)


def routes(service: BatchService) -> list[BaseRoute]:
    return []
