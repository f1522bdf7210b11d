"""Issue 12's fixes as the official SDKs see them: in-memory uploads, the late-results
scenario, Anthropic timestamps parsed by a strict format, fine-tuned models."""

from __future__ import annotations

import io
import json
from datetime import datetime
from typing import Any

import pytest
from anthropic import Anthropic
from google import genai
from google.genai import types
from openai import OpenAI

from emulator.handle import EmulatorHandle

LINE = {
    "custom_id": "q1",
    "method": "POST",
    "url": "/v1/chat/completions",
    "body": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}]},
}
DATA = json.dumps(LINE).encode() + b"\n"


@pytest.mark.parametrize("given", ["bytesio", "bytes"])
def test_in_memory_uploads_are_accepted(openai_sdk: OpenAI, given: str) -> None:
    """The SDK names a BytesIO or raw-bytes upload `upload` (no extension); the real API takes
    it (the recorded session uploads `test-batch-file`)."""
    file: Any = io.BytesIO(DATA) if given == "bytesio" else DATA
    stored = openai_sdk.files.create(file=file, purpose="batch")
    assert stored.filename == "upload"
    batch = openai_sdk.batches.create(
        input_file_id=stored.id, endpoint="/v1/chat/completions", completion_window="24h"
    )
    assert batch.status == "validating" and batch.model is None


@pytest.mark.batch_emulator(scenario="late_results:30", timing="immediate")
def test_openai_late_results(openai_sdk: OpenAI, batch_emulator: EmulatorHandle) -> None:
    stored = openai_sdk.files.create(file=("in.jsonl", DATA), purpose="batch")
    batch = openai_sdk.batches.create(
        input_file_id=stored.id, endpoint="/v1/chat/completions", completion_window="24h"
    )
    early = openai_sdk.batches.retrieve(batch.id)
    assert early.status == "completed" and early.output_file_id is None
    batch_emulator.advance(31)
    late = openai_sdk.batches.retrieve(batch.id)
    assert late.output_file_id is not None
    assert json.loads(openai_sdk.files.content(late.output_file_id).text)["custom_id"] == "q1"


@pytest.mark.batch_emulator(scenario="gemini_late_file", timing="immediate")
def test_gemini_succeeded_before_its_results(batch_emulator: EmulatorHandle) -> None:
    client = genai.Client(api_key="t", http_options={"base_url": batch_emulator.gemini_base_url})
    src = [{"contents": [{"parts": [{"text": "hi"}], "role": "user"}]}]
    job = client.batches.create(model="gemini-2.5-flash", src=src)
    early = client.batches.get(name=job.name or "")
    assert early.state == types.JobState.JOB_STATE_SUCCEEDED and early.done
    assert early.dest is None  # the defensive path a client must handle
    batch_emulator.advance(30)
    late = client.batches.get(name=job.name or "")
    assert late.dest is not None and late.dest.inlined_responses


@pytest.mark.batch_emulator(timing="immediate")
def test_anthropic_timestamps_parse_with_a_strict_recorded_format(
    batch_emulator: EmulatorHandle,
) -> None:
    client = Anthropic(base_url=batch_emulator.anthropic_base_url, api_key="t")
    params = {
        "model": "claude-haiku-4-5",
        "max_tokens": 8,
        "messages": [{"role": "user", "content": "x"}],
    }
    batch = client.messages.batches.create(requests=[{"custom_id": "a", "params": params}])
    raw = client.messages.batches.with_raw_response.retrieve(batch.id).http_response.json()
    for key in ("created_at", "expires_at", "ended_at"):
        datetime.strptime(raw[key], "%Y-%m-%dT%H:%M:%S.%f%z")  # what recorded data parses with
        assert raw[key].endswith("+00:00")
    assert batch.id.startswith("msgbatch_01") and len(batch.id) == len("msgbatch_01") + 22


@pytest.mark.batch_emulator(timing="immediate")
def test_anthropic_max_tokens_ceiling_through_the_sdk(batch_emulator: EmulatorHandle) -> None:
    client = Anthropic(base_url=batch_emulator.anthropic_base_url, api_key="t")
    params = {
        "model": "claude-opus-4-1",
        "max_tokens": 32_001,
        "messages": [{"role": "user", "content": "x"}],
    }
    batch = client.messages.batches.create(requests=[{"custom_id": "a", "params": params}])
    [result] = list(client.messages.batches.results(batch.id))
    assert result.result.type == "errored"
    assert result.result.error.error.message == (
        "max_tokens: 32001 > 32000, which is the maximum allowed number of output tokens "
        "for claude-opus-4-1-20250805"
    )


@pytest.mark.batch_emulator(timing="immediate")
def test_fine_tuned_model_batch_completes(openai_sdk: OpenAI) -> None:
    line = {**LINE, "body": {**LINE["body"], "model": "ft:gpt-4o-mini-2024-07-18:my-org::9xYz"}}
    stored = openai_sdk.files.create(file=("ft.jsonl", json.dumps(line).encode()), purpose="batch")
    batch = openai_sdk.batches.create(
        input_file_id=stored.id, endpoint="/v1/chat/completions", completion_window="24h"
    )
    done = openai_sdk.batches.retrieve(batch.id)
    assert done.status == "completed" and done.request_counts is not None
    assert done.request_counts.completed == 1 and done.request_counts.failed == 0
