"""Any mix of the request-driven options gives a body the official SDK type accepts, with
usage totals that add up: chat, Responses, Anthropic Messages and Gemini generateContent."""

from __future__ import annotations

from typing import Any

from anthropic.types import Message
from google.genai import types
from hypothesis import given, settings, strategies as st
from openai.types.chat import ChatCompletion
from openai.types.responses import Response

from emulator.core.results import generate
from tests.results.test_structured import OBJECT_SCHEMAS, gen_ctx

LIMITS = st.none() | st.integers(0, 60)
SCHEMA = st.none() | OBJECT_SCHEMAS
SEEDS = st.integers(0, 2**32)


def _drop_none(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if v is not None}


@settings(max_examples=80)
@given(
    schema=SCHEMA,
    params=SCHEMA,
    choice=st.sampled_from(["auto", "required", "none", None]),
    logprobs=st.booleans(),
    n=st.integers(1, 3),
    limit=LIMITS,
    seed=SEEDS,
)
def test_chat_bodies(
    schema: Any, params: Any, choice: Any, logprobs: bool, n: int, limit: Any, seed: int
) -> None:
    body = _drop_none(
        {
            "model": "gpt-4o",
            "messages": [{"role": "user", "content": "hi"}],
            "n": n,
            "logprobs": logprobs or None,
            "top_logprobs": 2 if logprobs else None,
            "max_tokens": limit,
            "tool_choice": choice if params is not None else None,
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": "x", "schema": schema},
            }
            if schema is not None
            else None,
            "tools": [{"type": "function", "function": {"name": "f", "parameters": params}}]
            if params is not None
            else None,
        }
    )
    out = ChatCompletion.model_validate(generate(gen_ctx("/v1/chat/completions", body, seed)))
    assert len(out.choices) == n and out.usage is not None
    assert out.usage.total_tokens == out.usage.prompt_tokens + out.usage.completion_tokens
    if limit is not None:
        assert out.usage.completion_tokens <= limit * n


@settings(max_examples=60)
@given(schema=SCHEMA, params=SCHEMA, limit=LIMITS, seed=SEEDS)
def test_responses_bodies(schema: Any, params: Any, limit: Any, seed: int) -> None:
    body = _drop_none(
        {
            "model": "gpt-4o",
            "input": [{"role": "user", "content": "hi"}],
            "max_output_tokens": limit,
            "text": {"format": {"type": "json_schema", "name": "x", "schema": schema}}
            if schema is not None
            else None,
            "tools": [{"type": "function", "name": "f", "parameters": params}]
            if params is not None
            else None,
        }
    )
    out = Response.model_validate(generate(gen_ctx("/v1/responses", body, seed)))
    assert out.usage is not None and out.output
    assert out.usage.total_tokens == out.usage.input_tokens + out.usage.output_tokens
    assert (out.status == "incomplete") == (out.incomplete_details is not None)


@settings(max_examples=60)
@given(
    schema=SCHEMA,
    params=SCHEMA,
    choice=st.sampled_from(["auto", "any", "none"]),
    stops=st.booleans(),
    limit=st.integers(1, 60),
    seed=SEEDS,
)
def test_anthropic_bodies(
    schema: Any, params: Any, choice: str, stops: bool, limit: int, seed: int
) -> None:
    body = _drop_none(
        {
            "model": "claude-sonnet-4-5",
            "max_tokens": limit,
            "messages": [{"role": "user", "content": "hi"}],
            "stop_sequences": ["END"] if stops else None,
            "output_config": {"format": {"type": "json_schema", "schema": schema}}
            if schema is not None
            else None,
            "tools": [{"name": "f", "input_schema": params}] if params is not None else None,
            "tool_choice": {"type": choice} if params is not None else None,
        }
    )
    out = Message.model_validate(generate(gen_ctx("anthropic/messages", body, seed)))
    assert out.content and out.usage.output_tokens <= limit
    assert (out.stop_sequence is not None) == (out.stop_reason == "stop_sequence")


@settings(max_examples=60)
@given(
    schema=SCHEMA,
    params=SCHEMA,
    mode=st.sampled_from(["AUTO", "ANY", "NONE"]),
    limit=LIMITS,
    count=st.integers(1, 3),
    seed=SEEDS,
)
def test_gemini_bodies(
    schema: Any, params: Any, mode: str, limit: Any, count: int, seed: int
) -> None:
    config = _drop_none(
        {
            "responseMimeType": "application/json" if schema else None,
            "responseJsonSchema": schema,
            "maxOutputTokens": limit,
            "candidateCount": count,
        }
    )
    body = _drop_none(
        {
            "contents": [{"role": "user", "parts": [{"text": "hi"}]}],
            "generationConfig": config,
            "tools": [{"functionDeclarations": [{"name": "f", "parametersJsonSchema": params}]}]
            if params is not None
            else None,
            "toolConfig": {"functionCallingConfig": {"mode": mode}} if params is not None else None,
        }
    )
    raw = generate(gen_ctx("gemini/generateContent", body, seed, "gemini-2.5-flash"))
    out = types.GenerateContentResponse.model_validate(raw)
    usage = out.usage_metadata
    assert out.candidates and len(out.candidates) == count and usage is not None
    assert usage.total_token_count == (usage.prompt_token_count or 0) + (
        usage.candidates_token_count or 0
    ) + (usage.thoughts_token_count or 0)
    if limit is not None:
        assert (usage.candidates_token_count or 0) <= limit * count
