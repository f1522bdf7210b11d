"""Gemini batch routes (placeholder until the Gemini dialect lands)."""

from __future__ import annotations

from starlette.routing import BaseRoute

from emulator.core.service import BatchService
from emulator.http import Dialect
from emulator.providers.openai.dialect import render_error

PREFIXES = ("/v1beta", "/upload", "/download")
DIALECT = Dialect("gemini", render_error)


def routes(service: BatchService) -> list[BaseRoute]:
    return []
