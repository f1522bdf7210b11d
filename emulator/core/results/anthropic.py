"""Anthropic `Message` bodies for succeeded batch lines, shaped like a live batch result.

The usage block follows a captured live line (cache fields present as zeros, `service_tier`
"batch"), because clients that total batch costs read exactly those keys. Tools, structured
output (`output_config.format`) and `stop_sequences` steer the content; `max_tokens` always
wins: a reply that would not fit is text cut at exactly `max_tokens` tokens.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from typing import Any

from emulator.core.ids import base62_id
from emulator.core.models import snapshot
from emulator.core.results.context import GenContext, estimate_tokens, reply, sentence, words
from emulator.core.results.structured import value_for
from emulator.core.results.tools import Call, Choice, Tool, cut, pick, text_tokens

ENDPOINT = "anthropic/messages"
STOP_SEQUENCE_RATE = 0.3  # how often a reply ends on one of the request's stop_sequences
PREFACE_RATE = 0.5  # how often an `auto` tool call is preceded by a short text block
_MODES = {"auto": "auto", "any": "required", "tool": "required", "none": "none"}


def _max_tokens(body: dict[str, Any]) -> int | None:
    value = body.get("max_tokens")
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return value
    return None


def _usage(body: dict[str, Any], output_tokens: int) -> dict[str, Any]:
    prompt = estimate_tokens(body.get("messages", "")) + sum(
        estimate_tokens(body[key]) for key in ("system", "tools", "output_config") if body.get(key)
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


def _tools(body: dict[str, Any]) -> tuple[list[Tool], Choice]:
    """Client tools (those with an `input_schema`); server tools never produce tool_use."""
    tools = [
        Tool(t["name"], t["input_schema"])
        for t in body.get("tools") or []
        if isinstance(t, dict) and isinstance(t.get("name"), str) and "input_schema" in t
    ]
    spec = body.get("tool_choice")
    spec = spec if isinstance(spec, dict) else {}
    mode = _MODES.get(str(spec.get("type", "auto")), "auto")
    name = spec.get("name")
    allowed = (name,) if spec.get("type") == "tool" and isinstance(name, str) else None
    return tools, Choice(mode, allowed, spec.get("disable_parallel_tool_use") is not True)


def _schema(body: dict[str, Any]) -> Any:
    """`output_config.format` (or the beta's `output_format`) of type json_schema."""
    config = body.get("output_config")
    fmt = config.get("format") if isinstance(config, dict) else body.get("output_format")
    if isinstance(fmt, dict) and fmt.get("type") == "json_schema":
        return fmt.get("schema") if isinstance(fmt.get("schema"), dict) else {}
    return None


def _tool_content(
    ctx: GenContext, calls: list[Call], preface: bool, limit: int | None
) -> tuple[list[dict[str, Any]], str, int]:
    blocks: list[dict[str, Any]] = []
    tokens = 0
    if preface:
        text = sentence(ctx.rng, ctx.rng.randint(4, 12))
        blocks.append({"type": "text", "text": text})
        tokens += len(text.split(" "))
    for k, c in enumerate(calls):
        ident = "toolu_01" + base62_id(ctx.seed, ctx.batch_id, ctx.custom_id, "tool", k, length=22)
        blocks.append({"type": "tool_use", "id": ident, "name": c.name, "input": c.arguments})
        tokens += text_tokens(c.text)
    if limit is not None and tokens > limit:  # a cut tool_use is no tool_use at all
        return [{"type": "text", "text": words(ctx.rng, limit)}], "max_tokens", limit
    return blocks, "tool_use", tokens


def _text_content(ctx: GenContext, limit: int | None) -> tuple[list[dict[str, Any]], str, int]:
    schema = _schema(ctx.body)
    if schema is not None:
        text, tokens, truncated = cut(json.dumps(value_for(schema, ctx.rng)), limit)
        return [{"type": "text", "text": text}], "max_tokens" if truncated else "end_turn", tokens
    text, tokens, truncated = reply(ctx.rng, limit)
    return (
        [{"type": "text", "text": text or sentence(ctx.rng, 1)}],
        ("max_tokens" if truncated else "end_turn"),
        tokens,
    )


def _stop_on_sequence(rng: random.Random, text: str, tokens: int) -> tuple[str, int]:
    """The reply ended early where the model would have produced the stop sequence."""
    kept = rng.randint(1, max(1, tokens - 1))
    return " ".join(text.split(" ")[:kept]), kept


def message(ctx: GenContext) -> dict[str, Any]:
    limit = _max_tokens(ctx.body)
    tools, choice = _tools(ctx.body) if ctx.body.get("tools") else ([], Choice("none"))
    calls = pick(ctx.rng, tools, choice)
    stop_sequence = None
    if calls:
        preface = choice.mode == "auto" and ctx.rng.random() < PREFACE_RATE
        content, stop_reason, tokens = _tool_content(ctx, calls, preface, limit)
    else:
        content, stop_reason, tokens = _text_content(ctx, limit)
        sequences = [s for s in ctx.body.get("stop_sequences") or [] if isinstance(s, str) and s]
        sequences = sequences if _schema(ctx.body) is None else []  # JSON is not cut at words
        if stop_reason == "end_turn" and sequences and ctx.rng.random() < STOP_SEQUENCE_RATE:
            content[0]["text"], tokens = _stop_on_sequence(ctx.rng, content[0]["text"], tokens)
            stop_reason, stop_sequence = "stop_sequence", ctx.rng.choice(sequences)
    return {
        "id": "msg_01" + base62_id(ctx.seed, ctx.batch_id, ctx.custom_id, "message", length=22),
        "type": "message",
        "role": "assistant",
        "model": snapshot(ctx.model) or ctx.model,  # an alias answers with its snapshot
        "content": content,
        "stop_reason": stop_reason,
        "stop_sequence": stop_sequence,
        "stop_details": None,  # recorded (ellmer state-capitals-anthropic.json, 2026-07)
        "usage": _usage(ctx.body, tokens),
    }


ANTHROPIC_GENERATORS: dict[str, Callable[[GenContext], dict[str, Any]]] = {ENDPOINT: message}
