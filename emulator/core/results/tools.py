"""Which declared tools a fake reply calls, shared by every provider's generator.

Each dialect turns its own `tools`/`tool_choice` spelling into a list of `Tool`s and a `Choice`;
the decision itself (seeded, from the item's rng) is made here, so `auto` behaves the same way
for OpenAI, Anthropic and Gemini: it calls a tool about half of the time.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from typing import Any

from emulator.core.results.structured import object_for

AUTO_CALL_RATE = 0.5
SECOND_CALL_RATE = 0.25


@dataclass(frozen=True)
class Tool:
    name: str
    schema: Any  # JSON Schema of the arguments object


@dataclass(frozen=True)
class Choice:
    """`mode`: none | auto | required; `allowed` narrows the tools (a forced name, an
    allowed-tools list, Gemini's allowedFunctionNames); `parallel`: more than one call allowed."""

    mode: str = "auto"
    allowed: tuple[str, ...] | None = None
    parallel: bool = True


@dataclass(frozen=True)
class Call:
    name: str
    arguments: dict[str, Any]
    text: str  # the arguments as compact JSON, which is what the token estimate counts


def pick(rng: random.Random, tools: list[Tool], choice: Choice) -> list[Call]:
    """The calls made by one reply: none, one, or (parallel, sometimes) two distinct tools."""
    usable = [t for t in tools if choice.allowed is None or t.name in choice.allowed]
    if not usable or choice.mode == "none":
        return []
    if choice.mode == "auto" and rng.random() >= AUTO_CALL_RATE:
        return []
    count = 2 if choice.parallel and len(usable) > 1 and rng.random() < SECOND_CALL_RATE else 1
    return [call(rng, tool) for tool in rng.sample(usable, count)]


def call(rng: random.Random, tool: Tool) -> Call:
    arguments = object_for(tool.schema, rng)
    return Call(tool.name, arguments, json.dumps(arguments, ensure_ascii=False))


def text_tokens(text: str) -> int:
    """The documented estimate for generated text: four characters per token (0 for "")."""
    return -(-len(text) // 4)


def cut(text: str, limit: int | None) -> tuple[str, int, bool]:
    """`text` and its tokens, or its first `limit` tokens' worth when it would exceed them."""
    tokens = text_tokens(text)
    if limit is None or tokens <= limit:
        return text, tokens, False
    limit = max(limit, 0)
    return text[: 4 * limit], limit, True


def names(value: Any) -> tuple[str, ...] | None:
    """Names from a list of strings or of `{"name": ...}` / `{"function": {"name": ...}}`."""
    if not isinstance(value, list):
        return None
    found = []
    for entry in value:
        if isinstance(entry, dict):
            entry = entry.get("function", entry)
            entry = entry.get("name") if isinstance(entry, dict) else None
        if isinstance(entry, str):
            found.append(entry)
    return tuple(found)
