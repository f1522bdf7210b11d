"""Result bodies for OpenAI's batchable endpoints, shaped as the SDK's own types expect."""

from __future__ import annotations

import base64
import functools
import math
import struct
from collections.abc import Callable
from typing import Any

from emulator.core.ids import base62_from, base62_id, hex_id
from emulator.core.models import embedding_dims
from emulator.core.results import openai_extras as extras
from emulator.core.results.context import (
    GenContext,
    estimate_tokens,
    quick_reply,
    reply,
    sentence,
)
from emulator.core.results.response_object import recorded_fields

MODERATION_CATEGORIES = (
    "harassment",
    "harassment/threatening",
    "hate",
    "hate/threatening",
    "illicit",
    "illicit/violent",
    "self-harm",
    "self-harm/instructions",
    "self-harm/intent",
    "sexual",
    "sexual/minors",
    "violence",
    "violence/graphic",
)


_PROMPT_EXTRAS = ("tools", "functions", "response_format")


def _limit(body: dict[str, Any], *keys: str) -> int | None:
    for key in keys:
        value = body.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return None


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 1


def _item_id(ctx: GenContext, length: int) -> str:
    """An id from the item's own key when the service gave one (no extra digest per item)."""
    if ctx.key is not None and len(ctx.key) >= length:
        return base62_from(ctx.key[-length:])
    return base62_id(ctx.seed, ctx.batch_id, ctx.custom_id, length=length)


def _fingerprint(ctx: GenContext) -> str:
    return _fingerprint_for(ctx.seed, ctx.model)


@functools.lru_cache(maxsize=64)
def _fingerprint_for(seed: int, model: str) -> str:
    """One per (seed, model), as a real deployment has: cached, it costs nothing per item."""
    return "fp_" + hex_id(seed, model, length=10)


def _stops(value: Any) -> list[str]:
    """`stop`: a string or up to four strings; the reply must never contain one."""
    found = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    return [stop for stop in found if isinstance(stop, str) and stop]


def _cut_at_stop(
    text: str, tokens: int, truncated: bool, stops: list[str]
) -> tuple[str, int, bool]:
    """End the reply before the first stop sequence, as the model stops generating there."""
    hits = [pos for pos in (text.find(stop) for stop in stops) if pos >= 0]
    if not hits:
        return text, tokens, truncated
    kept = text[: min(hits)]
    return kept, len(kept.split()), False


def _plain_choice(ctx: GenContext, index: int, limit: int | None) -> tuple[dict[str, Any], int]:
    text, tokens, truncated = quick_reply(ctx, limit) if index == 0 else reply(ctx.rng, limit)
    stops = _stops(ctx.body.get("stop"))
    if stops:
        text, tokens, truncated = _cut_at_stop(text, tokens, truncated, stops)
    message: dict[str, Any] = {"role": "assistant", "content": text, "refusal": None}
    message["annotations"] = []
    finish = "length" if truncated else "stop"
    return {"index": index, "message": message, "logprobs": None, "finish_reason": finish}, tokens


def chat_completion(ctx: GenContext) -> dict[str, Any]:
    body = ctx.body
    n = _count(body.get("n"))
    limit = _limit(body, "max_completion_tokens", "max_tokens")
    choices, completion = [], 0
    plain = extras.CHAT_KEYS.isdisjoint(body)  # the hot path: no per-item parsing
    plan = None if plain else extras.chat_plan(body)
    for index in range(max(1, n)):
        if plan is None:
            choice, tokens = _plain_choice(ctx, index, limit)
        else:
            choice, tokens = extras.chat_choice(plan, ctx, index, limit)
        completion += tokens
        choices.append(choice)
    prompt = estimate_tokens(body.get("messages", ""))
    if not plain:  # tool definitions and schemas are part of the prompt too
        prompt += sum(estimate_tokens(body[k]) for k in _PROMPT_EXTRAS if body.get(k))
    return {
        "id": "chatcmpl-" + _item_id(ctx, 29),
        "object": "chat.completion",
        "created": ctx.created,
        "model": ctx.model,
        "choices": choices,
        "usage": {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
            "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
            "completion_tokens_details": {
                "reasoning_tokens": 0,
                "audio_tokens": 0,
                "accepted_prediction_tokens": 0,
                "rejected_prediction_tokens": 0,
            },
        },
        "service_tier": "default",
        "system_fingerprint": _fingerprint(ctx),
    }


def _inputs(value: Any) -> list[Any]:
    if isinstance(value, list) and value and not all(isinstance(v, int) for v in value):
        return value
    return [value]


def _unit_vector(ctx: GenContext, dims: int) -> list[float]:
    """Seeded int16 noise scaled to length 1: ten times cheaper than Gaussian draws, which
    matters when a batch asks for tens of thousands of 3072-float vectors."""
    raw = struct.unpack(f"<{dims}h", ctx.rng.randbytes(2 * dims))
    norm = math.hypot(*raw) or 1.0
    return [v / norm for v in raw]


def embedding(ctx: GenContext) -> dict[str, Any]:
    body = ctx.body
    dims = embedding_dims(ctx.model, body.get("dimensions"))
    as_base64 = body.get("encoding_format") == "base64"
    data = []
    for index, _ in enumerate(_inputs(body.get("input"))):
        vector: Any = _unit_vector(ctx, dims)
        if as_base64:
            vector = base64.b64encode(struct.pack(f"<{dims}f", *vector)).decode()
        data.append({"object": "embedding", "index": index, "embedding": vector})
    tokens = estimate_tokens(body.get("input", ""))
    return {
        "object": "list",
        "data": data,
        "model": ctx.model,
        "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
    }


def completion(ctx: GenContext) -> dict[str, Any]:
    body = ctx.body
    limit = _limit(body, "max_tokens")
    n = _count(body.get("n"))
    choices, used = [], 0
    for index in range(max(1, n)):
        text, tokens, truncated = reply(ctx.rng, 16 if limit is None else limit)
        used += tokens
        choices.append(
            {
                "text": text,
                "index": index,
                "logprobs": None,
                "finish_reason": "length" if truncated else "stop",
            }
        )
    prompt = estimate_tokens(body.get("prompt", ""))
    return {
        "id": "cmpl-" + base62_id(ctx.seed, ctx.batch_id, ctx.custom_id, length=29),
        "object": "text_completion",
        "created": ctx.created,
        "model": ctx.model,
        "choices": choices,
        "system_fingerprint": _fingerprint(ctx),
        "usage": {
            "prompt_tokens": prompt,
            "completion_tokens": used,
            "total_tokens": prompt + used,
        },
    }


def _plain_output(
    ctx: GenContext, limit: int | None, ident: str
) -> tuple[list[dict[str, Any]], int, bool]:
    text, tokens, truncated = reply(ctx.rng, limit)
    part = {
        "type": "output_text",
        "text": text or sentence(ctx.rng, 1),
        "annotations": [],
        "logprobs": [],
    }
    item = {"type": "message", "id": "msg_" + ident, "status": "completed", "role": "assistant"}
    return [{**item, "content": [part]}], tokens, truncated


def response(ctx: GenContext) -> dict[str, Any]:
    body = ctx.body
    limit = _limit(body, "max_output_tokens")
    ident = hex_id(ctx.seed, ctx.batch_id, ctx.custom_id, length=50)  # recorded: 50 hex
    plain = extras.RESPONSE_KEYS.isdisjoint(body)
    make = _plain_output if plain else extras.response_output
    output, tokens, truncated = make(ctx, limit, ident)
    prompt = sum(estimate_tokens(body[k]) for k in _RESPONSE_PROMPT if body.get(k))
    echo = _response_defaults() if plain else extras.response_echo(body)
    return {
        "id": "resp_" + ident,
        "object": "response",
        "created_at": ctx.created,
        "status": "incomplete" if truncated else "completed",
        "completed_at": None if truncated else ctx.created,
        "error": None,
        "incomplete_details": {"reason": "max_output_tokens"} if truncated else None,
        "instructions": body.get("instructions"),
        "max_output_tokens": limit,
        "model": ctx.model,
        "output": output,
        "previous_response_id": None,
        "reasoning": {"effort": None, "summary": None},
        "store": True,
        "temperature": 1.0,
        "top_p": 1.0,
        "truncation": "disabled",
        "user": None,
        "metadata": {},
        **echo,
        **recorded_fields(body, echo["text"]),
        "usage": {
            "input_tokens": max(prompt, 1),
            "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
            "output_tokens": tokens,
            "output_tokens_details": {"reasoning_tokens": 0},
            "total_tokens": max(prompt, 1) + tokens,
        },
    }


_RESPONSE_PROMPT = ("input", "instructions", "tools", "text")


def _response_defaults() -> dict[str, Any]:
    return {
        "parallel_tool_calls": True,
        "text": {"format": {"type": "text"}},
        "tool_choice": "auto",
        "tools": [],
    }


def moderation(ctx: GenContext) -> dict[str, Any]:
    results = []
    for _ in _inputs(ctx.body.get("input")):
        scores = {c: round(ctx.rng.random() * 0.01, 6) for c in MODERATION_CATEGORIES}
        results.append(
            {
                "flagged": False,
                "categories": dict.fromkeys(MODERATION_CATEGORIES, False),
                "category_scores": scores,
                "category_applied_input_types": {c: ["text"] for c in MODERATION_CATEGORIES},
            }
        )
    return {
        "id": "modr-" + base62_id(ctx.seed, ctx.batch_id, ctx.custom_id),
        "model": ctx.model,
        "results": results,
    }


OPENAI_GENERATORS: dict[str, Callable[[GenContext], dict[str, Any]]] = {
    "/v1/chat/completions": chat_completion,
    "/v1/embeddings": embedding,
    "/v1/completions": completion,
    "/v1/responses": response,
    "/v1/moderations": moderation,
}
