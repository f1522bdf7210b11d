"""In-process mode: async SDK clients reach the app through httpx's ASGI transport, no sockets.

The in-process handle's URL uses the reserved `.invalid` domain, which no resolver answers, so a
call that succeeds cannot have gone over the network.
"""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
from openai import AsyncOpenAI

LINE = {
    "custom_id": "only",
    "method": "POST",
    "url": "/v1/chat/completions",
    "body": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]},
}


async def openai_round_trip(client: AsyncOpenAI) -> tuple[str, list[str]]:
    upload = await client.files.create(
        file=("in.jsonl", json.dumps(LINE).encode()), purpose="batch"
    )
    batch = await client.batches.create(
        input_file_id=upload.id, endpoint="/v1/chat/completions", completion_window="24h"
    )
    done = await client.batches.retrieve(batch.id)
    assert done.output_file_id is not None
    content = await client.files.content(done.output_file_id)
    return done.status, [json.loads(line)["custom_id"] for line in content.text.splitlines()]


@pytest.mark.batch_emulator(timing="immediate")
def test_async_openai_in_process(batch_emulator_asgi):
    assert batch_emulator_asgi.server is None
    assert httpx.URL(batch_emulator_asgi.url).host.endswith(".invalid")
    client = AsyncOpenAI(
        base_url=batch_emulator_asgi.openai_base_url,
        api_key="test",
        http_client=batch_emulator_asgi.asgi_client(),
    )
    assert asyncio.run(openai_round_trip(client)) == ("completed", ["only"])
    assert [e.path for e in batch_emulator_asgi.requests][:2] == ["/v1/files", "/v1/batches"]


@pytest.mark.batch_emulator(timing="immediate")
def test_handle_builds_in_process_async_clients(batch_emulator_asgi):
    client = batch_emulator_asgi.async_openai_client()
    assert asyncio.run(openai_round_trip(client)) == ("completed", ["only"])


def test_asgi_state_is_reset_per_test(batch_emulator_asgi):
    assert batch_emulator_asgi.batches == []
    assert batch_emulator_asgi.config.timing.policy == "timed"


@pytest.mark.batch_emulator(timing="immediate")
def test_asgi_client_shares_state_with_the_loopback_server(batch_emulator, openai_client):
    client = AsyncOpenAI(
        base_url=batch_emulator.openai_base_url,
        api_key="test",
        http_client=batch_emulator.asgi_client(),
    )
    status, _ = asyncio.run(openai_round_trip(client))
    assert status == "completed"
    assert [b.id for b in openai_client.batches.list().data] == [
        v.batch.id for v in batch_emulator.batches
    ]


@pytest.mark.batch_emulator(timing="immediate")
def test_async_anthropic_in_process(batch_emulator_asgi):
    client = batch_emulator_asgi.async_anthropic_client()

    async def run() -> tuple[str, list[tuple[str, str]]]:
        created = await client.messages.batches.create(
            requests=[
                {
                    "custom_id": f"q{i}",
                    "params": {
                        "model": "claude-sonnet-4-5",
                        "max_tokens": 64,
                        "messages": [{"role": "user", "content": "hi"}],
                    },
                }
                for i in range(2)
            ]
        )
        batch = await client.messages.batches.retrieve(created.id)
        results = await client.messages.batches.results(created.id)
        return batch.processing_status, [(r.custom_id, r.result.type) async for r in results]

    status, results = asyncio.run(run())
    assert status == "ended"
    assert sorted(results) == [("q0", "succeeded"), ("q1", "succeeded")]
