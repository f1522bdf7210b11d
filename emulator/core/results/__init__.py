"""Seeded fake result bodies, one generator per endpoint, looked up in a registry.

Generators are pure: `(GenContext) -> body`. Everything random comes from `ctx.rng`, which is
derived from (seed, batch id, custom_id), so a body never depends on read order or timing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from emulator.core.results.anthropic import ANTHROPIC_GENERATORS
from emulator.core.results.bedrock import BEDROCK_GENERATORS
from emulator.core.results.context import GenContext
from emulator.core.results.gemini import GEMINI_GENERATORS
from emulator.core.results.openai import OPENAI_GENERATORS

Generator = Callable[[GenContext], dict[str, Any]]

GENERATORS: dict[str, Generator] = {
    **OPENAI_GENERATORS,
    **ANTHROPIC_GENERATORS,
    **GEMINI_GENERATORS,
    **BEDROCK_GENERATORS,
}


def register(endpoint: str, generator: Generator) -> None:
    GENERATORS[endpoint] = generator


def generate(ctx: GenContext) -> dict[str, Any]:
    try:
        generator = GENERATORS[ctx.endpoint]
    except KeyError:
        raise LookupError(f"no result generator for endpoint {ctx.endpoint!r}") from None
    return generator(ctx)


__all__ = ["GENERATORS", "GenContext", "Generator", "generate", "register"]
