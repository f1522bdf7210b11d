"""Request-driven result content through each newer provider's SDK: a `json_schema` response
format gives JSON that fits the schema, and forced tool calls give tool calls, in each
provider's own result file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from emulator.handle import EmulatorHandle
from tests.providers.conftest import parse_jsonl

SCHEMA = {
    "type": "object",
    "properties": {"city": {"type": "string"}, "year": {"type": "integer"}},
    "required": ["city", "year"],
    "additionalProperties": False,
}
FORMAT = {
    "type": "json_schema",
    "json_schema": {"name": "answer", "schema": SCHEMA, "strict": True},
}
TOOL = {
    "type": "function",
    "function": {
        "name": "lookup",
        "parameters": {
            "type": "object",
            "properties": {"q": {"type": "string"}},
            "required": ["q"],
        },
    },
}
ASK = [{"role": "user", "content": "Where and when?"}]


def _azure(handle: EmulatorHandle, body: dict[str, Any], tmp_path: Path) -> list[dict[str, Any]]:
    sdk = handle.azure_client()
    line = {
        "custom_id": "a",
        "method": "POST",
        "url": "/chat/completions",
        "body": {"model": "dep", "messages": ASK, **body},
    }
    f = sdk.files.create(file=("in.jsonl", json.dumps(line).encode()), purpose="batch")
    handle.advance(5)  # Azure processes an upload a few seconds after it lands (pending first)
    b = sdk.batches.create(
        input_file_id=f.id, endpoint="/chat/completions", completion_window="24h"
    )
    handle.advance(hours=1)
    out = sdk.batches.retrieve(b.id).output_file_id
    return [x["response"]["body"] for x in parse_jsonl(sdk.files.content(out or "").content)]


def _groq(handle: EmulatorHandle, body: dict[str, Any], tmp_path: Path) -> list[dict[str, Any]]:
    sdk = handle.groq_client()
    line = {
        "custom_id": "a",
        "method": "POST",
        "url": "/v1/chat/completions",
        "body": {"model": "llama-3.3-70b-versatile", "messages": ASK, **body},
    }
    f = sdk.files.create(file=("in.jsonl", json.dumps(line).encode()), purpose="batch")
    handle.advance(5)  # Azure processes an upload a few seconds after it lands (pending first)
    b = sdk.batches.create(
        input_file_id=f.id, endpoint="/v1/chat/completions", completion_window="24h"
    )
    handle.advance(hours=1)
    out = sdk.batches.retrieve(b.id).output_file_id
    return [x["response"]["body"] for x in parse_jsonl(sdk.files.content(out or "").read())]


def _mistral(handle: EmulatorHandle, body: dict[str, Any], tmp_path: Path) -> list[dict[str, Any]]:
    sdk = handle.mistral_client()
    job = sdk.batch.jobs.create(
        requests=[{"custom_id": "a", "body": {"messages": ASK, **body}}],
        model="mistral-large-latest",
        endpoint="/v1/chat/completions",
    )
    handle.advance(hours=1)
    out = sdk.batch.jobs.get(job_id=job.id).output_file
    return [
        x["response"]["body"] for x in parse_jsonl(sdk.files.download(file_id=out or "").read())
    ]


def _together(handle: EmulatorHandle, body: dict[str, Any], tmp_path: Path) -> list[dict[str, Any]]:
    sdk = handle.together_client()
    path = tmp_path / "in.jsonl"
    line = {
        "custom_id": "a",
        "body": {"model": "Qwen/Qwen2.5-72B-Instruct-Turbo", "messages": ASK, **body},
    }
    path.write_text(json.dumps(line) + "\n")
    f = sdk.files.upload(file=path, purpose="batch-api")
    job = sdk.batches.create(input_file_id=f.id, endpoint="/v1/chat/completions").job
    assert job is not None and job.id
    handle.advance(hours=1)
    out = sdk.batches.retrieve(job.id).output_file_id
    return [x["response"]["body"] for x in parse_jsonl(sdk.files.content(out or "").read())]


RUN = {"azure": _azure, "groq": _groq, "mistral": _mistral, "together": _together}


@pytest.mark.parametrize("provider", sorted(RUN))
def test_json_schema_output_fits_the_schema(
    batch_emulator: EmulatorHandle, tmp_path: Path, provider: str
) -> None:
    [body] = RUN[provider](batch_emulator, {"response_format": FORMAT}, tmp_path)
    answer = json.loads(body["choices"][0]["message"]["content"])
    assert set(answer) == {"city", "year"}
    assert isinstance(answer["city"], str) and isinstance(answer["year"], int)


@pytest.mark.parametrize("provider", sorted(RUN))
def test_forced_tool_call(batch_emulator: EmulatorHandle, tmp_path: Path, provider: str) -> None:
    forced = {"tools": [TOOL], "tool_choice": {"type": "function", "function": {"name": "lookup"}}}
    [body] = RUN[provider](batch_emulator, forced, tmp_path)
    choice = body["choices"][0]
    assert choice["finish_reason"] == "tool_calls"
    [call] = choice["message"]["tool_calls"]
    assert call["function"]["name"] == "lookup"
    assert isinstance(json.loads(call["function"]["arguments"])["q"], str)
