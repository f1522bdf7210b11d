"""Anthropic `Message` bodies for succeeded batch lines, shaped like a live batch result.

The usage block follows a captured live line (cache fields present as zeros, `service_tier`
"batch"), because clients that total batch costs read exactly those keys.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from emulator.core.ids import base62_id
from emulator.core.results.context import GenContext, estimate_tokens, reply, sentence

ENDPOINT = "anthropic/messages"


def _max_tokens(body: dict[str, Any]) -> int | None:
    value = body.get("max_tokens")
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return value
    return None


def _usage(body: dict[str, Any], output_tokens: int) -> dict[str, Any]:
    prompt = estimate_tokens(body.get("messages", "")) + (
        estimate_tokens(body["system"]) if body.get("system") else 0
    )
    return {
        "input_tokens": prompt,
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": 0,
        "cache_creation": {"ephemeral_5m_input_tokens": 0, "ephemeral_1h_input_tokens": 0},
        "output_tokens": output_tokens,
        "service_tier": "batch",
        "inference_geo": "not_available",
    }


def message(ctx: GenContext) -> dict[str, Any]:
    """A text reply; cut at `max_tokens` (one word per token) with `stop_reason` max_tokens."""
    text, tokens, truncated = reply(ctx.rng, _max_tokens(ctx.body))
    return {
        "id": "msg_" + base62_id(ctx.seed, ctx.batch_id, ctx.custom_id, "message"),
        "type": "message",
        "role": "assistant",
        "model": ctx.model,
        "content": [{"type": "text", "text": text or sentence(ctx.rng, 1)}],
        "stop_reason": "max_tokens" if truncated else "end_turn",
        "stop_sequence": None,
        "usage": _usage(ctx.body, tokens),
    }


ANTHROPIC_GENERATORS: dict[str, Callable[[GenContext], dict[str, Any]]] = {ENDPOINT: message}
