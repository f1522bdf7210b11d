"""Gemini `GenerateContentResponse` bodies, camelCase as the REST API sends them.

The body must validate under google-genai's own `types.GenerateContentResponse`, which forbids
unknown fields, so only fields that model declares are emitted. Request keys are read in either
proto-JSON spelling (camelCase from the SDK, snake_case from hand-written JSONL files).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from emulator.core.ids import base62_id
from emulator.core.numbers import ascii_int
from emulator.core.results.context import GenContext, estimate_tokens, reply, words
from emulator.core.results.structured import from_openapi, value_for
from emulator.core.results.tools import Choice, Tool, cut, pick, text_tokens

ENDPOINT = "gemini/generateContent"


def _field(body: dict[str, Any], camel: str, snake: str) -> Any:
    """Proto-JSON accepts both spellings; camelCase wins when both are present."""
    return body.get(camel, body.get(snake))


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):  # int32 may arrive as a JSON string
        return ascii_int(value)
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
    """Text of the turns and system instruction, plus the tool declarations when present."""
    system = _field(body, "systemInstruction", "system_instruction")
    text = " ".join(_texts(body.get("contents")) + _texts(system))
    tools = estimate_tokens(body["tools"]) if body.get("tools") else 0
    return (estimate_tokens(text) if text else 1) + tools


_MODES = {"AUTO": "auto", "VALIDATED": "auto", "ANY": "required", "NONE": "none"}
ANSWER: dict[str, Any] = {
    "type": "object",
    "properties": {"answer": {"type": "string"}},
    "required": ["answer"],
}


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _schema(config: dict[str, Any]) -> Any:
    """JSON mode's schema: `responseJsonSchema` as is, `responseSchema` from OpenAPI style."""
    if _field(config, "responseMimeType", "response_mime_type") != "application/json":
        return None
    plain = _field(config, "responseJsonSchema", "response_json_schema")
    if isinstance(plain, dict) and plain:
        return plain
    openapi = _field(config, "responseSchema", "response_schema")
    return from_openapi(openapi) if isinstance(openapi, dict) and openapi else ANSWER


def _declaration(spec: Any) -> list[Tool]:
    spec = _dict(spec)
    if not isinstance(spec.get("name"), str):
        return []
    plain = _field(spec, "parametersJsonSchema", "parameters_json_schema")
    schema = plain if isinstance(plain, dict) else from_openapi(spec.get("parameters"))
    return [Tool(spec["name"], schema)]


def _tools(body: dict[str, Any]) -> tuple[list[Tool], Choice]:
    tools = [
        tool
        for entry in body.get("tools") or []
        for spec in _field(_dict(entry), "functionDeclarations", "function_declarations") or []
        for tool in _declaration(spec)
    ]
    config = _dict(_field(body, "toolConfig", "tool_config"))
    calling = _dict(_field(config, "functionCallingConfig", "function_calling_config"))
    mode = _MODES.get(str(calling.get("mode", "AUTO")).upper(), "auto")
    allowed = _field(calling, "allowedFunctionNames", "allowed_function_names")
    names = tuple(n for n in allowed if isinstance(n, str)) if isinstance(allowed, list) else None
    return tools, Choice(mode, names or None, True)


def _candidate(
    ctx: GenContext, index: int, limit: int | None, schema: Any, tools: tuple[list[Tool], Choice]
) -> tuple[dict[str, Any], int]:
    calls = pick(ctx.rng, *tools) if tools[0] else []
    tokens = sum(text_tokens(c.text) for c in calls)
    if calls and (limit is None or tokens <= limit):
        parts: list[dict[str, Any]] = [
            {"functionCall": {"name": c.name, "args": c.arguments}} for c in calls
        ]
        finish = "STOP"
    else:
        if schema is not None:
            text, tokens, truncated = cut(json.dumps(value_for(schema, ctx.rng)), limit)
        elif calls:  # a call that does not fit is cut text, as on the other providers
            text, tokens, truncated = words(ctx.rng, limit or 0), limit or 0, True
        else:
            text, tokens, truncated = reply(ctx.rng, limit)
        parts, finish = [{"text": text}], "MAX_TOKENS" if truncated else "STOP"
    content = {"parts": parts, "role": "model"}
    return {"content": content, "finishReason": finish, "index": index}, tokens


def generate_content(ctx: GenContext) -> dict[str, Any]:
    config = _dict(_field(ctx.body, "generationConfig", "generation_config"))
    limit = _int(_field(config, "maxOutputTokens", "max_output_tokens"))
    count = _int(_field(config, "candidateCount", "candidate_count")) or 1
    schema = _schema(config)
    tools = _tools(ctx.body) if ctx.body.get("tools") else ([], Choice("none"))
    candidates, used = [], 0
    for index in range(max(1, count)):
        candidate, tokens = _candidate(ctx, index, limit, schema, tools)
        used += tokens
        candidates.append(candidate)
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
