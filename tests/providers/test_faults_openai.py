"""HTTP faults through the official openai SDK over loopback: each arrives as its own class.

Expectations come from the SDK (`_base_client.py`: 2 retries by default, retry-after-ms honoured,
x-should-retry obeyed, connection errors retried then `APIConnectionError`) and from the
reference (openai-batch.md sections 5-6), never from the emulator's own tables.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from typing import Any

import httpx2  # openai 3.x's transport
import openai
import pytest
from openai import OpenAI

from emulator import HttpFault
from emulator.handle import EmulatorHandle

CHAT = "/v1/chat/completions"


def client(handle: EmulatorHandle, **options: Any) -> OpenAI:
    return OpenAI(base_url=handle.openai_base_url, api_key="sk-test", **options)


def upload(sdk: OpenAI, n: int = 2) -> str:
    lines = [
        {
            "custom_id": f"req-{i}",
            "method": "POST",
            "url": CHAT,
            "body": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]},
        }
        for i in range(n)
    ]
    data = "".join(json.dumps(line) + "\n" for line in lines).encode()
    return sdk.files.create(file=("in.jsonl", data), purpose="batch").id


def calls(handle: EmulatorHandle, operation: str) -> list[Any]:
    return [e for e in handle.requests if e.operation == operation]


def test_client_retries_create_after_429s_then_succeeds(batch_emulator: EmulatorHandle) -> None:
    sdk = client(batch_emulator)
    file_id = upload(sdk)
    batch_emulator.faults.add(
        HttpFault(status=429, operation="batches.create", retry_after_ms=1, times=2)
    )
    batch = sdk.batches.create(input_file_id=file_id, endpoint=CHAT, completion_window="24h")
    assert batch.status == "validating"
    creates = calls(batch_emulator, "batches.create")
    assert [(e.status, e.retry_count) for e in creates] == [(429, 0), (429, 1), (200, 2)]
    assert [e.fault for e in creates] == ["http:429", "http:429", None]


def test_rate_limit_spent_retries_raise_rate_limit_error(batch_emulator: EmulatorHandle) -> None:
    sdk = client(batch_emulator)
    batch_emulator.faults.add(HttpFault(status=429, operation="batches.list", retry_after_ms=1))
    with pytest.raises(openai.RateLimitError) as caught:
        sdk.batches.list()
    assert caught.value.status_code == 429
    assert caught.value.code == "rate_limit_exceeded"  # the real 429 body's code
    assert caught.value.request_id is not None
    assert caught.value.request_id.startswith("req_")
    assert len(calls(batch_emulator, "batches.list")) == 3  # 1 try + DEFAULT_MAX_RETRIES


def test_retry_after_ms_is_honoured_between_attempts(batch_emulator: EmulatorHandle) -> None:
    sdk = client(batch_emulator)
    batch_emulator.faults.add(
        HttpFault(status=503, operation="batches.list", retry_after_ms=400, times=1)
    )
    sdk.batches.list()
    first, second = calls(batch_emulator, "batches.list")
    assert (first.status, second.status) == (503, 200)
    assert 0.39 <= second.wall - first.wall < 3.0


def test_server_error_and_should_retry_false(batch_emulator: EmulatorHandle) -> None:
    sdk = client(batch_emulator)
    batch_emulator.faults.add(
        HttpFault(status=500, operation="files.list", should_retry=False, message="boom")
    )
    with pytest.raises(openai.InternalServerError) as caught:
        sdk.files.list()
    assert caught.value.status_code == 500
    assert "boom" in str(caught.value)
    assert len(calls(batch_emulator, "files.list")) == 1  # x-should-retry: false, no retry


def test_should_retry_true_forces_a_retry_of_a_400(batch_emulator: EmulatorHandle) -> None:
    sdk = client(batch_emulator)
    batch_emulator.faults.add(
        HttpFault(status=400, operation="files.list", should_retry=True, retry_after_ms=1, times=1)
    )
    sdk.files.list()
    assert [e.status for e in calls(batch_emulator, "files.list")] == [400, 200]


def test_dropped_connection_is_a_connection_error_after_retries(
    batch_emulator: EmulatorHandle,
) -> None:
    sdk = client(batch_emulator)
    batch_emulator.faults.add(HttpFault.dropped(operation="batches.list"))
    with pytest.raises(openai.APIConnectionError) as caught:
        sdk.batches.list()
    # nothing came back: a protocol error, or a reset if the close races the request
    assert isinstance(caught.value.__cause__, httpx2.RemoteProtocolError | httpx2.ReadError)
    entries = calls(batch_emulator, "batches.list")
    assert [(e.status, e.retry_count, e.fault) for e in entries] == [
        (None, 0, "drop"),
        (None, 1, "drop"),
        (None, 2, "drop"),
    ]


def test_truncated_body_is_a_connection_error(batch_emulator: EmulatorHandle) -> None:
    sdk = client(batch_emulator, max_retries=0)
    batch_emulator.faults.add(HttpFault.truncated(0.5, operation="files.list"))
    with pytest.raises(openai.APIConnectionError) as caught:
        sdk.files.list()
    assert "incomplete" in str(caught.value.__cause__) or "complete message body" in str(
        caught.value.__cause__
    )
    (entry,) = calls(batch_emulator, "files.list")
    assert entry.status == 200 and entry.fault == "http:200+truncate"


def test_truncated_create_is_retried_and_duplicates_the_batch(
    batch_emulator: EmulatorHandle,
) -> None:
    """The server did the work but the client never saw the answer: a retry creates a second
    batch (the SDK sends no idempotency key), which is what a client must guard against."""
    sdk = client(batch_emulator)
    file_id = upload(sdk)
    batch_emulator.faults.add(HttpFault.truncated(operation="batches.create", times=1))
    seen = sdk.batches.create(input_file_id=file_id, endpoint=CHAT, completion_window="24h")
    ids = {view.batch.id for view in batch_emulator.batches}
    assert len(ids) == 2 and seen.id in ids


def test_latency_slows_a_call_and_can_time_the_client_out(
    batch_emulator: EmulatorHandle,
) -> None:
    sdk = client(batch_emulator)
    batch_emulator.faults.add(HttpFault.slow(0.3, operation="batches.list", times=1))
    started = time.perf_counter()
    sdk.batches.list()
    assert time.perf_counter() - started >= 0.3
    impatient = client(batch_emulator, timeout=0.05, max_retries=0)
    batch_emulator.faults.add(HttpFault.slow(0.5, operation="files.list", times=1))
    with pytest.raises(openai.APITimeoutError):
        impatient.files.list()


def test_fault_scoped_to_one_batch(batch_emulator: EmulatorHandle) -> None:
    sdk = client(batch_emulator, max_retries=0)
    file_id = upload(sdk)
    a = sdk.batches.create(input_file_id=file_id, endpoint=CHAT, completion_window="24h")
    b = sdk.batches.create(input_file_id=file_id, endpoint=CHAT, completion_window="24h")
    batch_emulator.faults.add(HttpFault(status=404, batch_id=a.id, message="gone"))
    with pytest.raises(openai.NotFoundError):
        sdk.batches.retrieve(a.id)
    assert sdk.batches.retrieve(b.id).id == b.id


def test_after_skips_the_first_calls(batch_emulator: EmulatorHandle) -> None:
    sdk = client(batch_emulator, max_retries=0)
    batch_emulator.faults.add(HttpFault(status=502, operation="files.list", after=2, times=1))
    sdk.files.list()
    sdk.files.list()
    with pytest.raises(openai.InternalServerError):
        sdk.files.list()
    sdk.files.list()
    assert [e.status for e in calls(batch_emulator, "files.list")] == [200, 200, 502, 200]


def test_results_download_failing(batch_emulator: EmulatorHandle) -> None:
    sdk = client(batch_emulator, max_retries=0)
    file_id = upload(sdk)
    batch = sdk.batches.create(input_file_id=file_id, endpoint=CHAT, completion_window="24h")
    batch_emulator.advance(hours=1)
    done = sdk.batches.retrieve(batch.id)
    assert done.status == "completed" and done.output_file_id
    with batch_emulator.fault(HttpFault.results_unavailable("openai", status=503)):
        with pytest.raises(openai.InternalServerError) as caught:
            sdk.files.content(done.output_file_id)
        assert caught.value.status_code == 503
    assert sdk.files.content(done.output_file_id).text.count("\n") == 2


def statuses_under_seed(handle: EmulatorHandle, seed: int) -> list[int | None]:
    handle.reset(handle.config.model_copy(update={"seed": seed}))
    handle.faults.add(HttpFault(status=500, operation="files.list", probability=0.5))
    sdk = client(handle, max_retries=0)
    for _ in range(24):
        with contextlib.suppress(openai.InternalServerError):
            sdk.files.list()
    return [e.status for e in handle.requests]


def test_probability_faults_repeat_for_the_same_seed(batch_emulator: EmulatorHandle) -> None:
    first = statuses_under_seed(batch_emulator, 7)
    second = statuses_under_seed(batch_emulator, 7)
    other = statuses_under_seed(batch_emulator, 8)
    assert first == second
    assert 3 <= first.count(500) <= 21  # a fair coin, 24 throws
    assert other != first


def test_in_process_transport_sees_a_connection_error_too() -> None:
    """No socket to close: the app raises the transport's own error, which the SDK retries."""
    handle = EmulatorHandle.in_process()
    handle.faults.add(HttpFault.dropped(operation="files.list"))

    async def call() -> None:
        async with handle.async_openai_client(max_retries=1) as sdk:
            await sdk.files.list()

    with pytest.raises(openai.APIConnectionError):
        asyncio.run(call())
    assert [e.retry_count for e in handle.requests] == [0, 1]
