"""Gemini request-driven content: JSON mode with `responseSchema` (OpenAPI style) or
`responseJsonSchema`, and `functionCall` parts, in camelCase or snake_case requests; every body
checked by google-genai's own `GenerateContentResponse` (which forbids unknown fields)."""

from __future__ import annotations

import json
import math
from typing import Any

import jsonschema
from google import genai
from google.genai import types
from hypothesis import given, settings, strategies as st

from emulator.core.results import generate
from emulator.handle import EmulatorHandle
from tests.results.test_structured import OBJECT_SCHEMAS, OPENAPI_SCHEMAS, TOOL_NAMES, gen_ctx

ENDPOINT = "gemini/generateContent"
CONTENTS = [{"role": "user", "parts": [{"text": "Tell me about a city"}]}]
TOOLS = st.dictionaries(TOOL_NAMES, OBJECT_SCHEMAS, min_size=1, max_size=3)


def respond(body: dict[str, Any], seed: int) -> types.GenerateContentResponse:
    out = generate(gen_ctx(ENDPOINT, {"contents": CONTENTS, **body}, seed, "gemini-2.5-flash"))
    typed = types.GenerateContentResponse.model_validate(out)
    usage = typed.usage_metadata
    assert usage is not None and usage.total_token_count == (
        (usage.prompt_token_count or 0)
        + (usage.candidates_token_count or 0)
        + (usage.thoughts_token_count or 0)
    )
    return typed


def key(snake: bool, camel: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in camel) if snake else camel


@settings(max_examples=60)
@given(pair=OPENAPI_SCHEMAS, snake=st.booleans(), seed=st.integers(0, 2**32))
def test_response_schema_openapi_style(
    pair: tuple[dict[str, Any], dict[str, Any]], snake: bool, seed: int
) -> None:
    api, plain = pair
    config = {key(snake, "responseMimeType"): "application/json", key(snake, "responseSchema"): api}
    typed = respond({key(snake, "generationConfig"): config}, seed)
    text = typed.text or ""
    jsonschema.validate(json.loads(text), plain)
    assert typed.usage_metadata and typed.usage_metadata.candidates_token_count == math.ceil(
        len(text) / 4
    )


@settings(max_examples=40)
@given(schema=OBJECT_SCHEMAS, count=st.integers(1, 3), seed=st.integers(0, 2**32))
def test_response_json_schema_per_candidate(schema: dict[str, Any], count: int, seed: int) -> None:
    config = {
        "responseMimeType": "application/json",
        "responseJsonSchema": schema,
        "candidateCount": count,
    }
    typed = respond({"generationConfig": config}, seed)
    assert [c.index for c in typed.candidates or []] == list(range(count))
    for candidate in typed.candidates or []:
        parts = candidate.content.parts if candidate.content else None
        jsonschema.validate(json.loads((parts or [])[0].text or ""), schema)


@settings(max_examples=60)
@given(
    tools=TOOLS,
    json_params=st.booleans(),
    snake=st.booleans(),
    narrow=st.booleans(),
    seed=st.integers(0, 2**32),
)
def test_function_calls_validate(
    tools: dict[str, Any], json_params: bool, snake: bool, narrow: bool, seed: int
) -> None:
    field = key(snake, "parametersJsonSchema") if json_params else "parameters"
    declarations = [{"name": n, field: s} for n, s in tools.items()]
    only = sorted(tools)[0]
    calling: dict[str, Any] = {"mode": "ANY"}
    if narrow:
        calling[key(snake, "allowedFunctionNames")] = [only]
    body = {
        "tools": [{key(snake, "functionDeclarations"): declarations}],
        key(snake, "toolConfig"): {key(snake, "functionCallingConfig"): calling},
    }
    typed = respond(body, seed)
    calls = typed.function_calls or []
    assert calls and (not narrow or {c.name for c in calls} == {only})
    for call in calls:
        jsonschema.validate(call.args, tools[call.name or ""])
    assert typed.usage_metadata and typed.usage_metadata.candidates_token_count == sum(
        math.ceil(len(json.dumps(c.args, ensure_ascii=False)) / 4) for c in calls
    )


def test_mode_auto_sometimes_calls_and_none_never() -> None:
    body: dict[str, Any] = {"tools": [{"functionDeclarations": [{"name": "lookup"}]}]}
    made = [bool(respond(body, s).function_calls) for s in range(60)]
    assert any(made) and not all(made)
    body["toolConfig"] = {"functionCallingConfig": {"mode": "NONE"}}
    assert not any(respond(body, s).function_calls for s in range(20))


@given(limit=st.integers(0, 17), seed=st.integers(0, 2**32))  # {"story": 60+ chars}: 18+ tokens
def test_max_output_tokens_cuts_json(limit: int, seed: int) -> None:
    schema = {
        "type": "OBJECT",
        "properties": {"story": {"type": "STRING", "minLength": 60}},
        "required": ["story"],
    }
    config = {
        "responseMimeType": "application/json",
        "responseSchema": schema,
        "maxOutputTokens": limit,
    }
    typed = respond({"generationConfig": config}, seed)
    candidate = (typed.candidates or [])[0]
    assert candidate.finish_reason == types.FinishReason.MAX_TOKENS
    assert typed.usage_metadata and typed.usage_metadata.candidates_token_count == limit


def test_response_schema_end_to_end_through_the_sdk(batch_emulator: EmulatorHandle) -> None:
    schema = types.Schema(
        type=types.Type.OBJECT,
        required=["name", "population"],
        properties={
            "name": types.Schema(type=types.Type.STRING),
            "population": types.Schema(type=types.Type.INTEGER, minimum=0),
        },
    )
    config = {"response_mime_type": "application/json", "response_schema": schema}
    client = genai.Client(api_key="test", http_options={"base_url": batch_emulator.gemini_base_url})
    job = client.batches.create(
        model="gemini-2.5-flash", src=[{"contents": CONTENTS, "config": config} for _ in range(3)]
    )  # type: ignore[arg-type]
    batch_emulator.advance(hours=1)
    done = client.batches.get(name=job.name or "")
    answers = done.dest.inlined_responses if done.dest else None
    assert answers and len(answers) == 3
    expected = {
        "type": "object",
        "required": ["name", "population"],
        "properties": {"name": {"type": "string"}, "population": {"type": "integer", "minimum": 0}},
    }
    for answer in answers:
        assert answer.response is not None
        jsonschema.validate(json.loads(answer.response.text or ""), expected)
