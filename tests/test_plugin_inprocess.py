"""In-process mode with sync clients, the transport package chosen per SDK, and client fixtures
that follow the emulator fixture the test asked for.

The in-process URL is on the reserved `.invalid` domain, so a call that succeeds went through
the ASGI bridge, not the network. This environment has both httpx and httpx2 installed; today's
SDKs accept only an httpx2 client, so a wrong choice fails loudly here. The fresh-install test
(tests/test_fresh_install.py) covers an environment with httpx2 only.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx2
import pytest
from google.genai import _api_client

from emulator.handle import EmulatorHandle
from emulator.inprocess import package_of
from tests.legacy import run_legacy

LINE = {
    "custom_id": "a",
    "method": "POST",
    "url": "/v1/chat/completions",
    "body": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]},
}
REQUEST = {
    "custom_id": "a",
    "params": {
        "model": "claude-sonnet-4-5",
        "max_tokens": 16,
        "messages": [{"role": "user", "content": "hi"}],
    },
}
GEMINI_SRC = [{"contents": [{"role": "user", "parts": [{"text": "hi"}]}]}]


@pytest.mark.batch_emulator(timing="immediate")
def test_sync_openai_fixture_in_process(batch_emulator_asgi: EmulatorHandle, openai_client: Any):
    upload = openai_client.files.create(
        file=("in.jsonl", json.dumps(LINE).encode()), purpose="batch"
    )
    batch = openai_client.batches.create(
        input_file_id=upload.id, endpoint="/v1/chat/completions", completion_window="24h"
    )
    done = openai_client.batches.retrieve(batch.id)
    content = openai_client.files.content(done.output_file_id)
    assert json.loads(content.text)["custom_id"] == "a"
    assert [b.id for b in batch_emulator_asgi.batches] == [batch.id]
    assert isinstance(openai_client._client, httpx2.Client)


@pytest.mark.batch_emulator(timing="immediate")
def test_sync_anthropic_fixture_in_process(batch_emulator_asgi: EmulatorHandle, anthropic_client):
    batch = anthropic_client.messages.batches.create(requests=[REQUEST])
    assert anthropic_client.messages.batches.retrieve(batch.id).processing_status == "ended"
    results = list(anthropic_client.messages.batches.results(batch.id))
    assert [(r.custom_id, r.result.type) for r in results] == [("a", "succeeded")]
    assert batch_emulator_asgi.requests[0].batch_id == batch.id


@pytest.mark.batch_emulator(timing="immediate")
def test_sync_and_async_gemini_in_process(batch_emulator_asgi: EmulatorHandle, gemini_client):
    job = gemini_client.batches.create(model="gemini-2.5-flash", src=GEMINI_SRC)

    async def read() -> Any:
        return await gemini_client.aio.batches.get(name=job.name)

    done = asyncio.run(read())
    assert done.done and done.dest.inlined_responses[0].response.text
    assert [r.operation for r in batch_emulator_asgi.requests] == ["batches.create", "batches.get"]


def test_async_clients_from_fixtures_in_process(
    batch_emulator_asgi: EmulatorHandle, async_openai_client: Any, async_anthropic_client: Any
):
    async def main() -> tuple[list[Any], list[Any]]:
        openai_batches = await async_openai_client.batches.list()
        anthropic_batches = await async_anthropic_client.messages.batches.list()
        return openai_batches.data, anthropic_batches.data

    assert asyncio.run(main()) == ([], [])
    assert {r.dialect for r in batch_emulator_asgi.requests} == {"openai", "anthropic"}


def test_hand_built_clients_need_no_package(batch_emulator_asgi: EmulatorHandle):
    from anthropic import Anthropic, AsyncAnthropic
    from openai import OpenAI

    sync = OpenAI(
        base_url=batch_emulator_asgi.openai_base_url,
        api_key="t",
        http_client=batch_emulator_asgi.asgi_sync_client(),
    )
    assert sync.batches.list().data == []
    aclient = AsyncAnthropic(
        base_url=batch_emulator_asgi.anthropic_base_url,
        api_key="t",
        http_client=batch_emulator_asgi.asgi_client(),
    )

    async def listed() -> list[Any]:
        return (await aclient.messages.batches.list()).data

    assert asyncio.run(listed()) == []
    blocking = Anthropic(
        base_url=batch_emulator_asgi.anthropic_base_url,
        api_key="t",
        http_client=batch_emulator_asgi.asgi_sync_client(),
    )
    assert blocking.messages.batches.list().data == []
    assert len(batch_emulator_asgi.requests) == 3


def test_the_package_comes_from_each_sdk() -> None:
    import anthropic
    import openai

    assert package_of(openai.DefaultHttpxClient) == "httpx2"
    assert package_of(anthropic.DefaultAsyncHttpxClient) == "httpx2"
    assert _api_client.httpx2 is httpx2  # google-genai 3.x prefers the fork when installed


@pytest.mark.batch_emulator(check_faults=False)
def test_in_process_sync_client_sees_injected_faults(batch_emulator_asgi, openai_client):
    import openai

    from emulator import HttpFault

    batch_emulator_asgi.faults.add(HttpFault(status=429, operation="batches.list", times=1))
    batch_emulator_asgi.faults.add(HttpFault(drop=True, operation="batches.list", times=1))
    with pytest.raises(openai.RateLimitError):
        openai_client.with_options(max_retries=0).batches.list()
    with pytest.raises(openai.APIConnectionError):
        openai_client.with_options(max_retries=0).batches.list()
    assert openai_client.batches.list().data == []
    assert [r.fault for r in batch_emulator_asgi.requests] == ["http:429", "drop", None]


def test_legacy_sdks_on_httpx_work_in_process() -> None:
    """openai 1.x and anthropic 1.x are built on httpx: the handle must hand them httpx."""
    out = run_legacy(
        "openai",
        "from emulator.handle import EmulatorHandle\n"
        "import asyncio, openai\n"
        "h = EmulatorHandle.in_process()\n"
        "async def listed():\n"
        "    return (await h.async_openai_client().batches.list()).data\n"
        "print(openai.__version__.split('.')[0], h.openai_client().batches.list().data,\n"
        "      asyncio.run(listed()), type(h.openai_client()._client).__module__.split('.')[0])\n",
    )
    assert out.split() == ["1", "[]", "[]", "httpx"]


def test_a_client_fixture_follows_the_in_process_emulator(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_asgi(batch_emulator_asgi, openai_client):
            openai_client.batches.list()
            assert [r.path for r in batch_emulator_asgi.requests] == ["/v1/batches"]

        def test_loopback(batch_emulator, openai_client):
            openai_client.batches.list()
            assert [r.path for r in batch_emulator.requests] == ["/v1/batches"]
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=2)


def test_mixing_the_two_emulators_with_a_client_fixture_fails_clearly(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        def test_mixed(batch_emulator_asgi, batch_emulator, anthropic_client):
            pass

        def test_both_without_a_client_is_fine(batch_emulator_asgi, batch_emulator):
            pass
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*anthropic_client: this test uses both batch_emulator_asgi (in process) and"
            " batch_emulator (loopback server)*"
        ]
    )


def test_a_sync_in_process_client_times_out_like_over_a_socket(batch_emulator_asgi, openai_client):
    import openai

    from emulator import HttpFault

    batch_emulator_asgi.faults.add(HttpFault(latency=1.0, operation="batches.list", times=1))
    with pytest.raises(openai.APITimeoutError):
        openai_client.with_options(max_retries=0, timeout=0.2).batches.list()
    assert openai_client.batches.list().data == []


EMBED = (
    b'{"custom_id": "a", "method": "POST", "url": "/v1/embeddings",'
    b' "body": {"model": "text-embedding-3-small", "input": "hi"}}\n'
)


def _create_embedding_batch(client: Any) -> Any:
    upload = client.files.create(file=("in.jsonl", EMBED), purpose="batch")
    return client.batches.create(
        input_file_id=upload.id, endpoint="/v1/embeddings", completion_window="24h"
    )


@pytest.mark.batch_emulator(timing="manual")
def test_freezegun_moves_batches_behind_a_sync_in_process_client(
    batch_emulator_asgi, openai_client
):
    from datetime import timedelta

    from freezegun import freeze_time

    with freeze_time("2026-01-01") as frozen:
        batch = _create_embedding_batch(openai_client)
        frozen.tick(timedelta(hours=24))
        assert openai_client.batches.retrieve(batch.id).status == "expired"


@pytest.mark.batch_emulator(timing="manual")
def test_time_machine_moves_batches_behind_a_sync_in_process_client(
    batch_emulator_asgi, openai_client
):
    import time_machine

    with time_machine.travel("2026-01-01", tick=False) as traveller:
        batch = _create_embedding_batch(openai_client)
        traveller.shift(24 * 3600)
        assert openai_client.batches.retrieve(batch.id).status == "expired"
