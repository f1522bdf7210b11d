"""Gemini GenerateContentResponse bodies (placeholder: the Gemini dialect task owns this file)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from emulator.core.results.context import GenContext

ENDPOINT = "gemini/generateContent"


def generate_content(ctx: GenContext) -> dict[str, Any]:
    raise NotImplementedError


GEMINI_GENERATORS: dict[str, Callable[[GenContext], dict[str, Any]]] = {ENDPOINT: generate_content}
