"""Emulated sleeps (`batch_emulator_sleep`, `emulate_sleeps()`): a client that sleeps between polls
and retries, as real pipelines do, runs at once, and the verdict judges it on the emulator clock.

Every test here would wait minutes of real time if a sleep were not emulated; each runs under
`verdict="strict"`, so a careful client must also come out clean.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import anyio
import openai
import pytest

from emulator import Emulator, HttpFault, sleeps
from emulator.handle import EmulatorHandle

LINE = {
    "custom_id": "q1",
    "method": "POST",
    "url": "/v1/chat/completions",
    "body": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}]},
}
SLOW = {"policy": "timed", "validating": 120, "in_progress": 930, "finalizing": 60}
DONE = {"completed", "failed", "expired", "cancelled"}
STRICT = pytest.mark.batch_emulator(timing=SLOW, verdict="strict")


def submit(client: openai.OpenAI) -> str:
    upload = client.files.create(file=("in.jsonl", json.dumps(LINE).encode()), purpose="batch")
    batch = client.batches.create(
        input_file_id=upload.id, endpoint="/v1/chat/completions", completion_window="24h"
    )
    return batch.id


def pipeline(client: openai.OpenAI, every: float = 60) -> openai.types.Batch:
    """What a production job does: poll once a minute until the batch ends, read its output."""
    batch = client.batches.retrieve(submit(client))
    while batch.status not in DONE:
        time.sleep(every)
        batch = client.batches.retrieve(batch.id)
    assert batch.output_file_id is not None
    client.files.content(batch.output_file_id)
    return batch


@STRICT
def test_a_pipeline_polling_every_minute_runs_at_once(
    batch_emulator: Any, openai_client: openai.OpenAI, batch_emulator_sleep: Any
) -> None:
    start = batch_emulator.now()
    batch = pipeline(openai_client)
    assert batch.status == "completed"
    # 1,110 s of phases: the 19th sleep of 60 s is the first after the batch finished.
    assert batch_emulator_sleep.calls == [60.0] * 19
    assert batch_emulator.now() - start >= 19 * 60
    assert batch_emulator.verdict() == []


@STRICT
def test_the_sdks_own_retry_wait_moves_the_clock(
    batch_emulator: Any, openai_client: openai.OpenAI, batch_emulator_sleep: Any
) -> None:
    batch_emulator.add_fault(
        HttpFault(status=429, operation="batches.retrieve", retry_after=30, times=1)
    )
    pipeline(openai_client)
    assert batch_emulator_sleep.calls[0] == 30.0  # openai-python honours retry-after
    first, retry = [e for e in batch_emulator.requests if e.operation == "batches.retrieve"][:2]
    assert (first.status, retry.retry_count, retry.status) == (429, 1, 200)
    assert retry.at - first.at >= 30  # so retry_too_soon (strict here) has nothing to say


@pytest.mark.batch_emulator(timing=SLOW, verdict="off")  # judged by hand below
def test_a_retry_that_ignores_retry_after_is_still_caught(
    batch_emulator: Any, openai_client: openai.OpenAI, batch_emulator_sleep: Any
) -> None:
    batch_emulator.add_fault(
        HttpFault(status=429, operation="batches.retrieve", retry_after=30, times=1)
    )
    client = openai_client.with_options(max_retries=0)
    batch_id = submit(client)
    with pytest.raises(openai.RateLimitError):
        client.batches.retrieve(batch_id)
    time.sleep(5)  # a sleep, but not the 30 s it was asked for
    client.batches.retrieve(batch_id)
    assert [f.rule for f in batch_emulator.verdict(ignore=["results_unread"])] == ["retry_too_soon"]


@pytest.mark.batch_emulator(timing=SLOW, verdict="strict")
def test_async_in_process_with_asyncio_and_anyio_sleeps(
    batch_emulator_asgi: Any, async_openai_client: openai.AsyncOpenAI, batch_emulator_sleep: Any
) -> None:
    batch_emulator_asgi.add_fault(
        HttpFault(status=429, operation="batches.retrieve", retry_after=20, times=1)
    )

    async def run() -> str:
        client = async_openai_client
        upload = await client.files.create(
            file=("in.jsonl", json.dumps(LINE).encode()), purpose="batch"
        )
        batch = await client.batches.create(
            input_file_id=upload.id, endpoint="/v1/chat/completions", completion_window="24h"
        )
        while (batch := await client.batches.retrieve(batch.id)).status not in DONE:
            await asyncio.sleep(60)
        assert batch.output_file_id is not None
        await client.files.content(batch.output_file_id)
        return batch.status

    assert asyncio.run(run()) == "completed"
    assert batch_emulator_sleep.calls[0] == 20.0  # the SDK's async retry wait (anyio.sleep)
    assert set(batch_emulator_sleep.calls[1:]) == {60.0}


@pytest.mark.batch_emulator(timing=SLOW, verdict="strict")
def test_sync_in_process(
    batch_emulator_asgi: Any, openai_client: openai.OpenAI, batch_emulator_sleep: Any
) -> None:
    assert pipeline(openai_client, every=120).status == "completed"
    assert batch_emulator_sleep.calls == [120.0] * 10


def test_sleep_zero_still_yields(batch_emulator: Any, batch_emulator_sleep: Any) -> None:
    order: list[str] = []

    async def worker(name: str) -> None:
        for _ in range(2):
            order.append(name)
            await asyncio.sleep(0)

    async def both() -> None:
        await asyncio.gather(worker("a"), worker("b"))

    before = batch_emulator.now()
    asyncio.run(both())
    assert order == ["a", "b", "a", "b"]
    assert batch_emulator_sleep.calls == []
    assert batch_emulator.now() - before < 60  # nothing emulated: only real time went by


def test_anyio_sleep_is_emulated(batch_emulator: Any, batch_emulator_sleep: Any) -> None:
    before = batch_emulator.now()
    anyio.run(anyio.sleep, 3600)
    assert batch_emulator_sleep.calls == [3600.0]
    assert batch_emulator.now() - before >= 3600


def test_the_servers_own_waits_stay_real(batch_emulator: Any, batch_emulator_sleep: Any) -> None:
    """uvicorn's housekeeping sleeps 0.1 s in the server thread: were it emulated, the clock
    would race ahead while the test does nothing."""
    before = batch_emulator.now()
    sleeps.real_sleep(0.35)
    assert batch_emulator_sleep.calls == []
    assert batch_emulator.now() - before < 5


def test_latency_faults_stay_real_in_process(
    batch_emulator_asgi: Any, async_openai_client: openai.AsyncOpenAI, batch_emulator_sleep: Any
) -> None:
    batch_emulator_asgi.add_fault(HttpFault(latency=0.05, operation="batches.list", times=1))

    async def listing() -> None:
        await async_openai_client.batches.list()

    asyncio.run(listing())
    assert batch_emulator_sleep.calls == []  # the app ran on this loop and waited for real


def test_other_threads_sleeps_are_emulated_too(
    batch_emulator: Any, batch_emulator_sleep: Any
) -> None:
    """Code under test may poll from a worker thread (a thread pool, a scheduler)."""
    import threading

    worker = threading.Thread(target=time.sleep, args=(600,))
    worker.start()
    worker.join(timeout=30)
    assert not worker.is_alive()
    assert batch_emulator_sleep.calls == [600.0]


def test_outside_pytest_the_patch_is_scoped() -> None:
    real = (time.sleep, asyncio.sleep, anyio.sleep)
    handle = EmulatorHandle.in_process(Emulator(timing=SLOW))
    try:
        with handle.emulate_sleeps() as slept:
            assert time.sleep is not real[0]
            with handle.openai_client() as client:
                assert pipeline(client).status == "completed"
        assert (time.sleep, asyncio.sleep, anyio.sleep) == real
        assert len(slept.calls) == 19 and slept.total == 1140
        assert handle.verdict() == []
    finally:
        handle.stop()


def test_nested_emulators_take_the_innermost() -> None:
    outer, inner = Emulator(), Emulator()
    with outer.emulate_sleeps() as a:
        with inner.emulate_sleeps() as b:
            time.sleep(10)
        time.sleep(20)
    assert (a.calls, b.calls) == ([20.0], [10.0])
    assert time.sleep is sleeps.real_sleep


@pytest.mark.batch_emulator(timing="immediate")
def test_google_genais_retry_backoff_is_emulated(
    batch_emulator: Any, batch_emulator_sleep: Any
) -> None:
    """google-genai retries through tenacity, whose nap calls `time.sleep` when it runs."""
    batch_emulator.add_fault(HttpFault(status=503, operation="batches.get", times=1))
    from google.genai import types

    retry = types.HttpRetryOptions(attempts=2, initial_delay=30, max_delay=60, jitter=0)
    client = batch_emulator.gemini_client(http_options={"retry_options": retry})
    job = client.batches.create(
        model="gemini-2.5-flash", src=[{"contents": [{"parts": [{"text": "x"}], "role": "user"}]}]
    )
    assert client.batches.get(name=job.name).done
    assert batch_emulator_sleep.calls == [30.0]
