"""Request-driven OpenAI content: structured output, tool calls and logprobs.

Kept apart from the plain generators so a chat request without `response_format`, `tools` or
`logprobs` never pays for any of it: that path generates 50,000 bodies per benchmark batch.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from typing import Any

from emulator.core.ids import base62_id, hex_id
from emulator.core.results.context import GenContext, reply
from emulator.core.results.structured import value_for
from emulator.core.results.tools import Call, Choice, Tool, cut, names, pick, text_tokens

CHAT_KEYS = frozenset({"response_format", "tools", "functions", "logprobs"})
RESPONSE_KEYS = frozenset({"text", "tools"})
JSON_OBJECT: dict[str, Any] = {
    "type": "object",
    "properties": {
        "answer": {"type": "string"},
        "confidence": {"type": "number", "minimum": 0, "maximum": 1},
    },
    "required": ["answer", "confidence"],
    "additionalProperties": False,
}
AUTO = Choice()
_ALTERNATIVES = ("the", " a", " model", " answer", ",", ".", " and", " of")


@dataclass(frozen=True)
class Plan:
    """What one request asks for, parsed once per item (not once per choice)."""

    schema: Any = None  # None: plain text
    tools: tuple[Tool, ...] = ()
    choice: Choice = AUTO
    legacy: bool = False  # `functions` + `function_call` instead of `tools`
    logprobs: bool = False
    top: int = 0


def _format_schema(fmt: Any, spec: Any) -> Any:
    if not isinstance(fmt, dict):
        return None
    if fmt.get("type") == "json_schema":
        schema = spec.get("schema") if isinstance(spec, dict) else None
        return schema if isinstance(schema, dict) and schema else JSON_OBJECT
    return JSON_OBJECT if fmt.get("type") == "json_object" else None


def _tool(name: Any, schema: Any) -> list[Tool]:
    return [Tool(name, schema)] if isinstance(name, str) else []


def _choice(value: Any, parallel: bool, *, nested: bool) -> Choice:
    """`tool_choice` in chat (`nested`: `{"function": {"name"}}`) or Responses spelling."""
    if isinstance(value, str):
        return Choice(value, None, parallel)
    if not isinstance(value, dict):
        return Choice("auto", None, parallel)
    if value.get("type") == "allowed_tools":
        spec = value.get("allowed_tools", value) if nested else value
        spec = spec if isinstance(spec, dict) else {}
        return Choice(str(spec.get("mode", "auto")), names(spec.get("tools")), parallel)
    target = value.get("function", value) if nested else value
    name = target.get("name") if isinstance(target, dict) else None
    return Choice("required", (name,) if isinstance(name, str) else (), parallel)


def _chat_tool(entry: Any) -> list[Tool]:
    spec = entry.get("function") if isinstance(entry, dict) else None
    if not isinstance(spec, dict) or entry.get("type", "function") != "function":
        return []
    return _tool(spec.get("name"), spec.get("parameters"))


def chat_plan(body: dict[str, Any]) -> Plan:
    fmt = body.get("response_format")
    schema = _format_schema(fmt, fmt.get("json_schema") if isinstance(fmt, dict) else None)
    parallel = body.get("parallel_tool_calls") is not False
    tools = [tool for t in body.get("tools") or [] for tool in _chat_tool(t)]
    legacy = not tools and bool(body.get("functions"))
    if legacy:
        functions = [f for f in body["functions"] if isinstance(f, dict)]
        tools = [tool for f in functions for tool in _tool(f.get("name"), f.get("parameters"))]
    choice = _choice(body.get("function_call" if legacy else "tool_choice"), parallel, nested=True)
    top = body.get("top_logprobs")
    top = min(max(top, 0), 20) if isinstance(top, int) and not isinstance(top, bool) else 0
    return Plan(schema, tuple(tools), choice, legacy, body.get("logprobs") is True, top)


def chat_choice(
    plan: Plan, ctx: GenContext, index: int, limit: int | None
) -> tuple[dict[str, Any], int]:
    """One choice and the completion tokens it used."""
    rng = ctx.rng
    calls = pick(rng, list(plan.tools), plan.choice)
    if calls:
        return _tool_choice(plan, ctx, index, calls, limit)
    if plan.schema is not None:
        text, tokens, truncated = cut(json.dumps(value_for(plan.schema, rng)), limit)
        pieces = [text[i : i + 4] for i in range(0, len(text), 4)]
    else:
        text, tokens, truncated = reply(rng, limit)
        pieces = _words(text)
    message: dict[str, Any] = {"role": "assistant", "content": text, "refusal": None}
    message["annotations"] = []
    logprobs = _logprobs(rng, pieces, plan.top) if plan.logprobs else None
    finish = "length" if truncated else "stop"
    return _wrap(index, message, logprobs, finish), tokens


def _tool_choice(
    plan: Plan, ctx: GenContext, index: int, calls: list[Call], limit: int | None
) -> tuple[dict[str, Any], int]:
    texts = [c.text for c in calls]
    tokens = sum(text_tokens(t) for t in texts)
    finish = "function_call" if plan.legacy else "tool_calls"
    if limit is not None and tokens > limit:
        calls = calls[:1]
        texts[0], tokens, _ = cut(texts[0], limit)
        finish = "length"
    message: dict[str, Any] = {"role": "assistant", "content": None, "refusal": None}
    message["annotations"] = []
    if plan.legacy:
        message["function_call"] = {"name": calls[0].name, "arguments": texts[0]}
    else:
        message["tool_calls"] = [
            {
                "id": "call_" + base62_id(ctx.seed, ctx.batch_id, ctx.custom_id, index, k),
                "type": "function",
                "function": {"name": c.name, "arguments": texts[k]},
            }
            for k, c in enumerate(calls)
        ]
    logprobs = {"content": None, "refusal": None} if plan.logprobs else None
    return _wrap(index, message, logprobs, finish), tokens


def _wrap(index: int, message: dict[str, Any], logprobs: Any, finish: str) -> dict[str, Any]:
    return {"index": index, "message": message, "logprobs": logprobs, "finish_reason": finish}


def _words(text: str) -> list[str]:
    """Tokens of a generated sentence, one per word, that join back into the text exactly."""
    if not text:
        return []
    first, *rest = text.split(" ")
    return [first, *(" " + word for word in rest)]


def _logprobs(rng: random.Random, pieces: list[str], top: int) -> dict[str, Any]:
    content = []
    for token in pieces:
        chosen = -round(rng.random() ** 3 * 2, 6)
        alternatives = [{"token": token, "logprob": chosen, "bytes": list(token.encode())}]
        for k in range(1, top):
            alt = rng.choice(_ALTERNATIVES)
            worse = round(chosen - rng.uniform(0.5, 3.0) * k, 6)
            alternatives.append({"token": alt, "logprob": worse, "bytes": list(alt.encode())})
        content.append({**alternatives[0], "top_logprobs": alternatives[:top]})
    return {"content": content, "refusal": None}


# -- Responses API ------------------------------------------------------------------------


def response_plan(body: dict[str, Any]) -> Plan:
    text = body.get("text")
    fmt = text.get("format") if isinstance(text, dict) else None
    parallel = body.get("parallel_tool_calls") is not False
    tools = [
        tool
        for t in body.get("tools") or []
        if isinstance(t, dict) and t.get("type") == "function"
        for tool in _tool(t.get("name"), t.get("parameters"))
    ]
    choice = _choice(body.get("tool_choice"), parallel, nested=False)
    return Plan(_format_schema(fmt, fmt), tuple(tools), choice)


def response_output(
    ctx: GenContext, limit: int | None, ident: str
) -> tuple[list[dict[str, Any]], int, bool]:
    """Output items, output tokens, and whether `max_output_tokens` cut the reply."""
    plan = response_plan(ctx.body)
    calls = pick(ctx.rng, list(plan.tools), plan.choice)
    if calls:
        return _function_calls(ctx, calls, limit)
    if plan.schema is None:
        text, tokens, truncated = reply(ctx.rng, limit)
    else:
        text, tokens, truncated = cut(json.dumps(value_for(plan.schema, ctx.rng)), limit)
    part = {"type": "output_text", "text": text, "annotations": [], "logprobs": []}
    status = "incomplete" if truncated else "completed"
    item = {"type": "message", "id": "msg_" + ident, "status": status, "role": "assistant"}
    return [{**item, "content": [part]}], tokens, truncated


def _function_calls(
    ctx: GenContext, calls: list[Call], limit: int | None
) -> tuple[list[dict[str, Any]], int, bool]:
    texts = [c.text for c in calls]
    tokens = sum(text_tokens(t) for t in texts)
    truncated = limit is not None and tokens > limit
    if truncated:
        calls = calls[:1]
        texts[0], tokens, _ = cut(texts[0], limit)
    items = [
        {
            "type": "function_call",
            "id": "fc_" + hex_id(ctx.seed, ctx.batch_id, ctx.custom_id, "fc", k, length=50),
            "call_id": "call_" + base62_id(ctx.seed, ctx.batch_id, ctx.custom_id, "call", k),
            "name": c.name,
            "arguments": texts[k],
            "status": "incomplete" if truncated else "completed",
        }
        for k, c in enumerate(calls)
    ]
    return items, tokens, truncated


def response_echo(body: dict[str, Any]) -> dict[str, Any]:
    """The request settings a Response object repeats back, in shapes its SDK type accepts."""
    tools = [
        {
            "type": "function",
            "name": t["name"],
            "description": t.get("description") if isinstance(t.get("description"), str) else None,
            "parameters": t.get("parameters") if isinstance(t.get("parameters"), dict) else None,
            "strict": t.get("strict") if isinstance(t.get("strict"), bool) else True,
        }
        for t in body.get("tools") or []
        if isinstance(t, dict) and t.get("type") == "function" and isinstance(t.get("name"), str)
    ]
    choice = body.get("tool_choice")
    fine = choice in ("none", "auto", "required") or (
        isinstance(choice, dict) and choice.get("type") == "function" and "name" in choice
    )
    return {
        "tools": tools,
        "tool_choice": choice if fine else "auto",
        "text": {"format": _echo_format(body.get("text"))},
        "parallel_tool_calls": body.get("parallel_tool_calls") is not False,
    }


def _echo_format(text: Any) -> dict[str, Any]:
    fmt = text.get("format") if isinstance(text, dict) else None
    if not isinstance(fmt, dict) or fmt.get("type") not in ("json_schema", "json_object"):
        return {"type": "text"}
    if fmt["type"] == "json_object":
        return {"type": "json_object"}
    if not isinstance(fmt.get("name"), str) or not isinstance(fmt.get("schema"), dict):
        return {"type": "text"}
    keys = ("type", "name", "schema", "strict", "description")
    return {k: fmt[k] for k in keys if k in fmt}
