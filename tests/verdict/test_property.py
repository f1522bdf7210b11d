"""Property: a careful client never gets a finding, whatever the provider, outcome and pace.

The careful client polls at some interval (the test moves the emulator clock by it, as a
client's sleep would), reads everything an ended batch has (both OpenAI files, the Anthropic
results stream, the Gemini responses) and lets its SDK honour a `retry-after-ms`.
"""

from __future__ import annotations

import io
import json
from typing import Any

from hypothesis import HealthCheck, given, settings, strategies as st

from emulator import HttpFault, ItemFault
from tests.verdict.conftest import ENDED, anthropic_requests, chat_lines

TIMING = {
    "policy": "timed",
    "validating": 10,
    "in_progress": 20,
    "per_request": 2,
    "finalizing": 5,
}  # at most 47 s: a 1 s interval ends within POLLS reads
POLLS = 60
STATUS_READ = {
    "openai": "batches.retrieve",
    "anthropic": "messages.batches.retrieve",
    "gemini-inline": "batches.get",
    "gemini-file": "batches.get",
}


def careful_openai(handle: Any, n: int, interval: float) -> None:
    client = handle.openai_client()
    upload = client.files.create(file=("in.jsonl", chat_lines(n)), purpose="batch")
    batch = client.batches.create(
        input_file_id=upload.id, endpoint="/v1/chat/completions", completion_window="24h"
    )
    for _ in range(POLLS):
        batch = client.batches.retrieve(batch.id)
        if batch.status in ENDED:
            break
        handle.advance(interval)
    for file_id in (batch.output_file_id, batch.error_file_id):
        if file_id:
            client.files.content(file_id)


def careful_anthropic(handle: Any, n: int, interval: float) -> None:
    client = handle.anthropic_client()
    batch = client.messages.batches.create(requests=anthropic_requests(n))
    for _ in range(POLLS):
        if client.messages.batches.retrieve(batch.id).processing_status == "ended":
            break
        handle.advance(interval)
    list(client.messages.batches.results(batch.id))


def careful_gemini(handle: Any, n: int, interval: float, from_file: bool) -> None:
    client = handle.gemini_client()
    src: Any = [{"contents": [{"role": "user", "parts": [{"text": f"q{i}"}]}]} for i in range(n)]
    if from_file:
        data = "".join(json.dumps({"key": f"k{i}", "request": r}) + "\n" for i, r in enumerate(src))
        upload = client.files.upload(file=io.BytesIO(data.encode()), config={"mime_type": "jsonl"})
        src = upload.name
    job = client.batches.create(model="gemini-2.5-flash", src=src)
    for _ in range(POLLS):
        job = client.batches.get(name=job.name or "")
        if job.done:
            break
        handle.advance(interval)
    if job.dest is not None and job.dest.file_name:
        client.files.download(file=job.dest.file_name)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    provider=st.sampled_from(sorted(STATUS_READ)),
    n=st.integers(1, 6),
    scenario=st.sampled_from(["success", "errors:0.5", "expire", "fail"]),
    item_errors=st.booleans(),
    interval=st.floats(1.0, 120.0),
    throttled=st.booleans(),
)
def test_a_careful_client_never_gets_a_finding(
    batch_emulator: Any,
    provider: str,
    n: int,
    scenario: str,
    item_errors: bool,
    interval: float,
    throttled: bool,
) -> None:
    batch_emulator.reset()
    batch_emulator.configure(timing=TIMING, scenario=scenario)
    if item_errors:
        batch_emulator.faults.add(ItemFault(rate=0.5, status=400, message="bad"))
    if throttled and not provider.startswith("gemini"):  # google-genai does not retry by default
        batch_emulator.faults.add(
            HttpFault(status=429, operation=STATUS_READ[provider], retry_after_ms=20, times=1)
        )
    if provider == "openai":
        careful_openai(batch_emulator, n, interval)
    elif provider == "anthropic":
        careful_anthropic(batch_emulator, n, interval)
    else:
        careful_gemini(batch_emulator, n, interval, from_file=provider == "gemini-file")
    assert [str(f) for f in batch_emulator.verdict()] == []
