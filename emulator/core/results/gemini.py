"""Gemini `GenerateContentResponse` bodies, camelCase as the REST API sends them.

The body must validate under google-genai's own `types.GenerateContentResponse`, which forbids
unknown fields, so only fields that model declares are emitted.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from emulator.core.ids import base62_id
from emulator.core.results.context import GenContext, estimate_tokens, reply

ENDPOINT = "gemini/generateContent"


def _field(body: dict[str, Any], camel: str, snake: str) -> Any:
    """Proto-JSON accepts both spellings; camelCase wins when both are present."""
    return body.get(camel, body.get(snake))


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():  # int32 may arrive as a JSON string
        return int(value)
    return None


def _texts(value: Any) -> list[str]:
    """Every `text` string in a request, wherever it sits (contents, system instruction)."""
    if isinstance(value, dict):
        found = [value["text"]] if isinstance(value.get("text"), str) else []
        return found + [t for k, v in value.items() if k != "text" for t in _texts(v)]
    if isinstance(value, list):
        return [t for item in value for t in _texts(item)]
    return []


def prompt_tokens(body: dict[str, Any]) -> int:
    system = _field(body, "systemInstruction", "system_instruction")
    text = " ".join(_texts(body.get("contents")) + _texts(system))
    return estimate_tokens(text) if text else 1


def generate_content(ctx: GenContext) -> dict[str, Any]:
    config = _field(ctx.body, "generationConfig", "generation_config")
    config = config if isinstance(config, dict) else {}
    limit = _int(_field(config, "maxOutputTokens", "max_output_tokens"))
    count = _int(_field(config, "candidateCount", "candidate_count")) or 1
    as_json = _field(config, "responseMimeType", "response_mime_type") == "application/json"
    candidates, used = [], 0
    for index in range(max(1, count)):
        text, tokens, truncated = reply(ctx.rng, limit)
        used += tokens
        if as_json and not truncated:
            text = json.dumps({"answer": text})
        candidates.append(
            {
                "content": {"parts": [{"text": text}], "role": "model"},
                "finishReason": "MAX_TOKENS" if truncated else "STOP",
                "index": index,
            }
        )
    prompt = prompt_tokens(ctx.body)
    return {
        "candidates": candidates,
        "usageMetadata": {
            "promptTokenCount": prompt,
            "candidatesTokenCount": used,
            "totalTokenCount": prompt + used,
            "promptTokensDetails": [{"modality": "TEXT", "tokenCount": prompt}],
        },
        "modelVersion": ctx.model.removeprefix("models/"),
        "responseId": base62_id(ctx.seed, ctx.batch_id, ctx.custom_id, "response", length=23),
    }


GEMINI_GENERATORS: dict[str, Callable[[GenContext], dict[str, Any]]] = {ENDPOINT: generate_content}
