"""Anthropic request-driven content: tool_use blocks, stop sequences, structured output and
max_tokens, each body checked by `anthropic.types.Message` and the tool inputs by jsonschema."""

from __future__ import annotations

import json
import math
from typing import Any

import jsonschema
from anthropic import Anthropic
from anthropic.types import Message
from hypothesis import given, settings, strategies as st

from emulator.core.results import generate
from emulator.handle import EmulatorHandle
from tests.results.test_structured import OBJECT_SCHEMAS, TOOL_NAMES, gen_ctx

ENDPOINT = "anthropic/messages"
MESSAGES = [{"role": "user", "content": "What is the weather?"}]
TOOLS = st.dictionaries(TOOL_NAMES, OBJECT_SCHEMAS, min_size=1, max_size=3)


def message(body: dict[str, Any], seed: int) -> tuple[dict[str, Any], Message]:
    request = {"model": "claude-sonnet-4-5", "max_tokens": 4096, "messages": MESSAGES, **body}
    out = generate(gen_ctx(ENDPOINT, request, seed))
    return out, Message.model_validate(out)


def declared(tools: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"name": n, "description": "d", "input_schema": s} for n, s in tools.items()]


@settings(max_examples=60)
@given(
    tools=TOOLS,
    kind=st.sampled_from(["any", "tool"]),
    single=st.booleans(),
    seed=st.integers(0, 2**32),
)
def test_tool_use_inputs_validate(
    tools: dict[str, Any], kind: str, single: bool, seed: int
) -> None:
    name = sorted(tools)[0]
    choice = {
        "type": kind,
        "disable_parallel_tool_use": single,
        **({"name": name} if kind == "tool" else {}),
    }
    _, typed = message({"tools": declared(tools), "tool_choice": choice}, seed)
    uses = [b for b in typed.content if b.type == "tool_use"]
    assert typed.stop_reason == "tool_use" and uses and len(uses) == len(typed.content)
    assert len(uses) <= (1 if single else 2)
    for block in uses:
        assert block.id.startswith("toolu_") and (kind == "any" or block.name == name)
        jsonschema.validate(block.input, tools[block.name])
    expected = sum(math.ceil(len(json.dumps(b.input, ensure_ascii=False)) / 4) for b in uses)
    assert typed.usage.output_tokens == expected


def test_auto_sometimes_calls_and_none_never() -> None:
    body = {
        "tools": declared(
            {
                "get_weather": {
                    "type": "object",
                    "properties": {"city": {"type": "string"}},
                    "required": ["city"],
                }
            }
        )
    }
    stops = [message(body, seed)[1].stop_reason for seed in range(60)]
    assert "tool_use" in stops and "end_turn" in stops
    none = {**body, "tool_choice": {"type": "none"}}
    assert all(message(none, seed)[1].stop_reason == "end_turn" for seed in range(20))


@given(
    sequences=st.lists(st.text("XYZ#", min_size=1, max_size=4), min_size=1, max_size=3),
    seed=st.integers(0, 2**32),
)
def test_stop_sequences_sometimes_end_the_reply(sequences: list[str], seed: int) -> None:
    _, typed = message({"stop_sequences": sequences}, seed)
    assert typed.stop_reason in ("end_turn", "stop_sequence")
    if typed.stop_reason == "stop_sequence":
        assert typed.stop_sequence in sequences
    else:
        assert typed.stop_sequence is None
    text = typed.content[0].text if typed.content[0].type == "text" else ""
    assert typed.usage.output_tokens == len(text.split(" "))


def test_stop_sequences_are_used_for_some_seeds_only() -> None:
    reasons = {message({"stop_sequences": ["###"]}, s)[1].stop_reason for s in range(40)}
    assert reasons == {"end_turn", "stop_sequence"}


@settings(max_examples=60)
@given(limit=st.integers(1, 50), tools=st.booleans(), seed=st.integers(0, 2**32))
def test_max_tokens_is_never_exceeded(limit: int, tools: bool, seed: int) -> None:
    body: dict[str, Any] = {"max_tokens": limit}
    if tools:
        body["tools"] = declared(
            {
                "note": {
                    "type": "object",
                    "required": ["text"],
                    "properties": {"text": {"type": "string", "minLength": 20}},
                }
            }
        )
        body["tool_choice"] = {"type": "any"}
    _, typed = message(body, seed)
    if typed.stop_reason == "max_tokens":
        assert typed.usage.output_tokens == limit
    else:
        assert typed.usage.output_tokens <= limit


@settings(max_examples=40)
@given(schema=OBJECT_SCHEMAS, seed=st.integers(0, 2**32))
def test_output_config_json_schema(schema: dict[str, Any], seed: int) -> None:
    fmt = {"format": {"type": "json_schema", "schema": schema}}
    _, typed = message({"output_config": fmt}, seed)
    block = typed.content[0]
    assert block.type == "text" and typed.stop_reason == "end_turn"
    jsonschema.validate(json.loads(block.text), schema)


def test_tool_use_end_to_end_through_the_sdk(batch_emulator: EmulatorHandle) -> None:
    schema = {
        "type": "object",
        "required": ["city", "unit"],
        "properties": {"city": {"type": "string"}, "unit": {"enum": ["celsius", "fahrenheit"]}},
    }
    params = {
        "model": "claude-sonnet-4-5",
        "max_tokens": 1024,
        "messages": MESSAGES,
        "tools": declared({"get_weather": schema}),
        "tool_choice": {"type": "tool", "name": "get_weather"},
    }
    with Anthropic(api_key="test", base_url=batch_emulator.anthropic_base_url) as client:
        batch = client.messages.batches.create(
            requests=[{"custom_id": f"q{i}", "params": params} for i in range(3)]
        )  # type: ignore[misc]
        batch_emulator.advance(hours=1)
        results = list(client.messages.batches.results(batch.id))
    assert len(results) == 3
    for result in results:
        assert result.result.type == "succeeded"
        reply = result.result.message
        assert reply.stop_reason == "tool_use"
        use = reply.content[-1]
        assert use.type == "tool_use" and use.name == "get_weather"
        jsonschema.validate(use.input, schema)
