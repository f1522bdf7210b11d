"""The async SDK (AsyncOpenAI) over real loopback HTTP: the same contract as the sync client."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

import openai
from openai import AsyncOpenAI
from openai.types.chat import ChatCompletion

from emulator.handle import EmulatorHandle
from tests.providers.conftest import chat_file, fixture_bytes, parse_jsonl


def drive(client: AsyncOpenAI, scenario: Callable[[AsyncOpenAI], Awaitable[None]]) -> None:
    async def main() -> None:
        async with client:
            await scenario(client)

    asyncio.run(main())


def test_async_batch_round_trip(
    async_openai_sdk: AsyncOpenAI, batch_emulator: EmulatorHandle
) -> None:
    async def scenario(client: AsyncOpenAI) -> None:
        upload = await client.files.create(
            file=("chat.jsonl", fixture_bytes("chat.jsonl")), purpose="batch"
        )
        batch = await client.batches.create(
            input_file_id=upload.id,
            endpoint="/v1/chat/completions",
            completion_window="24h",
            metadata={"emulator_scenario": "errors:0.4"},
        )
        assert batch.status == "validating"
        batch_emulator.advance(hours=1)
        done = await client.batches.retrieve(batch.id)
        assert done.status == "completed"
        assert done.request_counts is not None
        assert (done.request_counts.completed, done.request_counts.failed) == (3, 2)
        assert done.output_file_id is not None and done.error_file_id is not None
        output = parse_jsonl((await client.files.content(done.output_file_id)).content)
        for line in output:
            ChatCompletion.model_validate(line["response"]["body"])
        errors = parse_jsonl((await client.files.content(done.error_file_id)).content)
        assert len(output) + len(errors) == 5

    drive(async_openai_sdk, scenario)


def test_async_list_cancel_and_errors(
    async_openai_sdk: AsyncOpenAI, batch_emulator: EmulatorHandle
) -> None:
    async def scenario(client: AsyncOpenAI) -> None:
        upload = await client.files.create(file=("in.jsonl", chat_file(4)), purpose="batch")
        ids = []
        for _ in range(5):
            created = await client.batches.create(
                input_file_id=upload.id, endpoint="/v1/chat/completions", completion_window="24h"
            )
            ids.append(created.id)
            batch_emulator.advance(1)
        assert [b.id async for b in client.batches.list(limit=2)] == ids[::-1]

        fresh = await client.batches.create(
            input_file_id=upload.id, endpoint="/v1/chat/completions", completion_window="24h"
        )
        cancelling = await client.batches.cancel(fresh.id)
        assert cancelling.status == "cancelling" and cancelling.cancelling_at is not None
        batch_emulator.advance(minutes=1)
        assert (await client.batches.retrieve(fresh.id)).status == "cancelled"
        assert (await client.batches.retrieve(ids[0])).status == "completed"
        try:
            await client.with_options(max_retries=0).batches.cancel(ids[0])
        except openai.ConflictError as exc:
            assert exc.status_code == 409
            assert exc.request_id is not None
        else:
            raise AssertionError("cancelling a completed batch must be a 409")
        try:
            await client.batches.retrieve("batch_missing")
        except openai.NotFoundError as exc:
            assert isinstance(exc.body, dict) and exc.body["type"] == "invalid_request_error"
        else:
            raise AssertionError("an unknown batch must be a 404")

    drive(async_openai_sdk, scenario)


def test_async_raw_response_headers(async_openai_sdk: AsyncOpenAI) -> None:
    async def scenario(client: AsyncOpenAI) -> None:
        raw = await client.files.with_raw_response.create(
            file=("in.jsonl", chat_file(1)), purpose="batch"
        )
        assert raw.headers["content-type"] == "application/json"
        assert raw.request_id is not None
        body: dict[str, Any] = json.loads(raw.http_response.content)
        assert body["purpose"] == "batch"
        sent = raw.http_request.headers
        assert sent["x-stainless-async"].startswith("async:")

    drive(async_openai_sdk, scenario)
