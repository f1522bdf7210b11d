"""OpenAI request-driven content: structured output, tool calls, logprobs, n and truncation.

Expectations come from the SDK types (`ChatCompletion`, `Response` model_validate), from
`jsonschema` for the generated JSON, and from the documented estimate (4 characters a token)
recomputed here over the generated text."""

from __future__ import annotations

import json
import math
from typing import Any

import jsonschema
from hypothesis import given, settings, strategies as st
from openai import OpenAI
from openai.types.chat import ChatCompletion
from openai.types.responses import Response

from emulator.core.results import generate
from emulator.handle import EmulatorHandle
from tests.results.test_structured import OBJECT_SCHEMAS, TOOL_NAMES, gen_ctx

CHAT = "/v1/chat/completions"
RESPONSES = "/v1/responses"
MESSAGES = [{"role": "user", "content": "Give me a record please"}]
TOOLS = st.dictionaries(TOOL_NAMES, OBJECT_SCHEMAS, min_size=1, max_size=3)


def tokens(text: str) -> int:
    return math.ceil(len(text) / 4)


def chat(body: dict[str, Any], seed: int) -> tuple[dict[str, Any], ChatCompletion]:
    out = generate(gen_ctx(CHAT, {"model": "gpt-4o-mini", "messages": MESSAGES, **body}, seed))
    typed = ChatCompletion.model_validate(out)
    usage = out["usage"]
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
    return out, typed


def chat_tools(tools: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"type": "function", "function": {"name": n, "parameters": p}} for n, p in tools.items()
    ]


@settings(max_examples=60)
@given(schema=OBJECT_SCHEMAS, strict=st.booleans(), seed=st.integers(0, 2**32))
def test_chat_json_schema_content_validates(
    schema: dict[str, Any], strict: bool, seed: int
) -> None:
    fmt = {"type": "json_schema", "json_schema": {"name": "r", "schema": schema, "strict": strict}}
    out, typed = chat({"response_format": fmt}, seed)
    content = typed.choices[0].message.content
    assert content is not None and typed.choices[0].finish_reason == "stop"
    jsonschema.validate(json.loads(content), schema)
    assert out["usage"]["completion_tokens"] == tokens(content)


@given(seed=st.integers(0, 2**32))
def test_chat_json_object_is_an_object(seed: int) -> None:
    _, typed = chat({"response_format": {"type": "json_object"}}, seed)
    assert isinstance(json.loads(typed.choices[0].message.content or ""), dict)


@settings(max_examples=60)
@given(
    tools=TOOLS,
    mode=st.sampled_from(["required", "forced", "allowed"]),
    parallel=st.booleans(),
    seed=st.integers(0, 2**32),
)
def test_chat_tool_calls_validate_against_parameters(
    tools: dict[str, Any], mode: str, parallel: bool, seed: int
) -> None:
    forced = sorted(tools)[0]
    choice: Any = {
        "required": "required",
        "forced": {"type": "function", "function": {"name": forced}},
        "allowed": {
            "type": "allowed_tools",
            "allowed_tools": {
                "mode": "required",
                "tools": [{"type": "function", "function": {"name": forced}}],
            },
        },
    }[mode]
    body = {"tools": chat_tools(tools), "tool_choice": choice, "parallel_tool_calls": parallel}
    out, typed = chat(body, seed)
    message = typed.choices[0].message
    assert typed.choices[0].finish_reason == "tool_calls" and message.content is None
    calls = message.tool_calls or []
    assert 1 <= len(calls) <= (2 if parallel else 1)
    for call in calls:
        assert call.type == "function" and call.id.startswith("call_")
        if mode != "required":
            assert call.function.name == forced
        jsonschema.validate(json.loads(call.function.arguments), tools[call.function.name])
    assert out["usage"]["completion_tokens"] == sum(tokens(c.function.arguments) for c in calls)


def test_chat_tool_choice_auto_sometimes_calls_and_none_never() -> None:
    body = {"tools": chat_tools({"lookup": {"type": "object", "properties": {}}})}
    made = [bool(chat(body, seed)[1].choices[0].message.tool_calls) for seed in range(60)]
    assert any(made) and not all(made)
    never = [chat({**body, "tool_choice": "none"}, seed)[1] for seed in range(20)]
    assert all(c.choices[0].message.tool_calls is None for c in never)


@settings(max_examples=40)
@given(
    top=st.integers(0, 5), n=st.integers(1, 4), structured=st.booleans(), seed=st.integers(0, 2**32)
)
def test_chat_logprobs_join_back_into_each_choice(
    top: int, n: int, structured: bool, seed: int
) -> None:
    body: dict[str, Any] = {"logprobs": True, "top_logprobs": top, "n": n}
    if structured:
        body["response_format"] = {"type": "json_object"}
    out, typed = chat(body, seed)
    assert [c.index for c in typed.choices] == list(range(n))
    total = 0
    for choice in typed.choices:
        entries = (choice.logprobs.content if choice.logprobs else None) or []
        assert "".join(e.token for e in entries) == choice.message.content
        assert all(e.logprob <= 0 and len(e.top_logprobs) == top for e in entries)
        assert all(bytes(e.bytes or []) == e.token.encode() for e in entries)
        total += len(entries)
    assert out["usage"]["completion_tokens"] == total


@given(n=st.integers(1, 5), seed=st.integers(0, 2**32))
def test_n_choices_are_independent(n: int, seed: int) -> None:
    fmt = {
        "type": "json_schema",
        "json_schema": {
            "name": "r",
            "schema": {
                "type": "object",
                "properties": {"x": {"type": "integer", "minimum": 0, "maximum": 10**9}},
                "required": ["x"],
            },
        },
    }
    out, typed = chat({"n": n, "response_format": fmt}, seed)
    contents = [c.message.content or "" for c in typed.choices]
    assert len(contents) == n and len(set(contents)) == n  # 1e9 values: no repeats expected
    assert out["usage"]["completion_tokens"] == sum(tokens(c) for c in contents)


@settings(max_examples=60)
@given(schema=OBJECT_SCHEMAS, limit=st.integers(0, 40), seed=st.integers(0, 2**32))
def test_max_tokens_cuts_structured_output(schema: dict[str, Any], limit: int, seed: int) -> None:
    fmt = {"type": "json_schema", "json_schema": {"name": "r", "schema": schema}}
    full, _ = chat({"response_format": fmt}, seed)
    out, typed = chat({"response_format": fmt, "max_completion_tokens": limit}, seed)
    whole = full["choices"][0]["message"]["content"]
    content = typed.choices[0].message.content or ""
    if tokens(whole) > limit:
        assert typed.choices[0].finish_reason == "length"
        assert whole.startswith(content) and out["usage"]["completion_tokens"] == limit
    else:
        assert content == whole and typed.choices[0].finish_reason == "stop"


# -- Responses API -----------------------------------------------------------------------------


def responses(body: dict[str, Any], seed: int) -> tuple[dict[str, Any], Response]:
    out = generate(gen_ctx(RESPONSES, {"model": "gpt-4o-mini", "input": "hi", **body}, seed))
    typed = Response.model_validate(out)
    usage = out["usage"]
    assert usage["total_tokens"] == usage["input_tokens"] + usage["output_tokens"]
    return out, typed


@settings(max_examples=60)
@given(schema=OBJECT_SCHEMAS, seed=st.integers(0, 2**32))
def test_responses_text_format_json_schema(schema: dict[str, Any], seed: int) -> None:
    fmt = {"type": "json_schema", "name": "r", "schema": schema, "strict": True}
    out, typed = responses({"text": {"format": fmt}}, seed)
    jsonschema.validate(json.loads(typed.output_text), schema)
    assert typed.text is not None and typed.text.format.type == "json_schema"
    assert out["usage"]["output_tokens"] == tokens(typed.output_text)


@settings(max_examples=60)
@given(tools=TOOLS, forced=st.booleans(), seed=st.integers(0, 2**32))
def test_responses_function_calls_validate(tools: dict[str, Any], forced: bool, seed: int) -> None:
    name = sorted(tools)[-1]
    choice: Any = {"type": "function", "name": name} if forced else "required"
    body = {
        "tools": [
            {"type": "function", "name": n, "parameters": p, "strict": True}
            for n, p in tools.items()
        ],
        "tool_choice": choice,
    }
    out, typed = responses(body, seed)
    calls = [item for item in typed.output if item.type == "function_call"]
    assert calls and len(calls) == len(typed.output) and typed.status == "completed"
    for call in calls:
        assert call.call_id.startswith("call_") and call.status == "completed"
        assert call.id is not None and call.id.startswith("fc_")
        assert call.name == name or not forced
        jsonschema.validate(json.loads(call.arguments), tools[call.name])
    assert [t.name for t in typed.tools if t.type == "function"] == list(tools)
    assert out["usage"]["output_tokens"] == sum(tokens(c.arguments) for c in calls)


@given(limit=st.integers(0, 6), seed=st.integers(0, 2**32))
def test_responses_max_output_tokens_cuts_calls(limit: int, seed: int) -> None:
    params = {
        "type": "object",
        "properties": {"query": {"type": "string", "minLength": 30}},
        "required": ["query"],
    }
    body = {
        "tools": [{"type": "function", "name": "search", "parameters": params}],
        "tool_choice": "required",
        "max_output_tokens": limit,
    }
    out, typed = responses(body, seed)
    assert typed.status == "incomplete" and typed.incomplete_details is not None
    assert typed.incomplete_details.reason == "max_output_tokens"
    assert out["usage"]["output_tokens"] == limit


def test_json_schema_end_to_end_through_the_sdk(
    batch_emulator: EmulatorHandle,
) -> None:
    schema = {
        "type": "object",
        "additionalProperties": False,
        "required": ["city", "temps"],
        "properties": {
            "city": {"type": "string"},
            "temps": {
                "type": "array",
                "minItems": 1,
                "items": {"type": "number", "minimum": -40, "maximum": 50},
            },
        },
    }
    fmt = {
        "type": "json_schema",
        "json_schema": {"name": "weather", "schema": schema, "strict": True},
    }
    lines = [
        {
            "custom_id": f"r{i}",
            "method": "POST",
            "url": CHAT,
            "body": {"model": "gpt-4o-mini", "messages": MESSAGES, "response_format": fmt},
        }
        for i in range(5)
    ]
    data = "\n".join(json.dumps(line) for line in lines).encode()
    with OpenAI(base_url=batch_emulator.openai_base_url, api_key="sk-test") as client:
        upload = client.files.create(file=("in.jsonl", data), purpose="batch")
        batch = client.batches.create(
            input_file_id=upload.id, endpoint=CHAT, completion_window="24h"
        )
        batch_emulator.advance(hours=1)
        done = client.batches.retrieve(batch.id)
        assert done.status == "completed" and done.output_file_id
        text = client.files.content(done.output_file_id).text
    results = [json.loads(line) for line in text.splitlines()]
    assert sorted(r["custom_id"] for r in results) == [f"r{i}" for i in range(5)]
    for result in results:
        completion = ChatCompletion.model_validate(result["response"]["body"])
        jsonschema.validate(json.loads(completion.choices[0].message.content or ""), schema)
