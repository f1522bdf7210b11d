"""Anthropic Message result bodies (placeholder: the Anthropic dialect task owns this file)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from emulator.core.results.context import GenContext

ENDPOINT = "anthropic/messages"


def message(ctx: GenContext) -> dict[str, Any]:
    raise NotImplementedError


ANTHROPIC_GENERATORS: dict[str, Callable[[GenContext], dict[str, Any]]] = {ENDPOINT: message}
