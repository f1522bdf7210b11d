"""Message Batches through the official anthropic SDK (2.x), sync and async, over loopback.

Expectations come from the SDK's own types and from shared/reference (A2-A7), never from the
emulator's code: the planned per-line errors live in fixtures/anthropic/param_problems.json.
"""

from __future__ import annotations

import asyncio
import json
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from anthropic import AnthropicError, AsyncAnthropic, BadRequestError, NotFoundError
from anthropic.types import Message
from anthropic.types.messages import (
    DeletedMessageBatch,
    MessageBatch,
    MessageBatchCanceledResult,
    MessageBatchErroredResult,
    MessageBatchIndividualResponse,
    MessageBatchSucceededResult,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "anthropic"
PROBLEMS: list[dict[str, Any]] = json.loads((FIXTURES / "param_problems.json").read_text())[
    "problems"
]
MODEL = "claude-haiku-4-5"
NOT_DELETABLE = "In progress batches cannot be deleted. Consider canceling the batch instead."
MANUAL = {"x-emulator-timing": "manual"}


def ok(custom_id: str, max_tokens: int = 256) -> dict[str, Any]:
    return {
        "custom_id": custom_id,
        "params": {
            "model": MODEL,
            "max_tokens": max_tokens,
            "messages": [{"role": "user", "content": "Say hello"}],
        },
    }


def problem_requests() -> list[dict[str, Any]]:
    return [{"custom_id": p["custom_id"], "params": p["params"]} for p in PROBLEMS]


def raw_results(url: str) -> list[dict[str, Any]]:
    """The results body as sent, for strict validation (the SDK itself never validates)."""
    response = httpx.get(url, headers={"x-api-key": "test"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/x-jsonl")
    assert response.text.endswith("\n")
    return [json.loads(line) for line in response.text.splitlines()]


def test_create_shape_and_results(batch_emulator, anthropic_client):
    requests = [ok("short", max_tokens=1), ok("long", max_tokens=4096), *problem_requests()]
    raw = anthropic_client.messages.batches.with_raw_response.create(requests=requests)
    assert raw.status_code == 200
    assert re.fullmatch(r"req_[A-Za-z0-9]+", raw.headers["request-id"])
    body = raw.http_response.json()
    assert set(body) == set(MessageBatch.model_fields)  # every key, explicit nulls included
    assert body["ended_at"] is None and body["results_url"] is None
    assert body["archived_at"] is None and body["cancel_initiated_at"] is None
    # Recorded form (tidyverse/ellmer state-capitals-anthropic.json): microseconds, +00:00.
    stamp = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00"
    assert re.fullmatch(stamp, body["created_at"]) and re.fullmatch(stamp, body["expires_at"])
    assert body["request_counts"] == {
        "processing": len(requests),
        "succeeded": 0,
        "errored": 0,
        "canceled": 0,
        "expired": 0,
    }
    batch = MessageBatch.model_validate(body)
    assert batch.id.startswith("msgbatch_")
    assert batch.processing_status == "in_progress"
    assert batch.expires_at - batch.created_at == timedelta(hours=24)

    batch_emulator.advance(hours=1)
    done = anthropic_client.messages.batches.retrieve(batch.id)
    assert done.processing_status == "ended"
    assert done.ended_at is not None and done.ended_at >= done.created_at
    counts = done.request_counts
    assert (counts.processing, counts.succeeded, counts.errored) == (0, 2, len(PROBLEMS))
    assert done.results_url == f"{batch_emulator.url}/v1/messages/batches/{batch.id}/results"

    lines = {line.custom_id: line for line in anthropic_client.messages.batches.results(batch.id)}
    assert sorted(lines) == sorted(r["custom_id"] for r in requests)
    for raw_line in raw_results(done.results_url):
        MessageBatchIndividualResponse.model_validate(raw_line)
    short, long = lines["short"].result, lines["long"].result
    assert isinstance(short, MessageBatchSucceededResult)
    assert isinstance(long, MessageBatchSucceededResult)
    for result in (short, long):
        Message.model_validate(result.message.model_dump())
        assert result.message.content[0].type == "text"
        assert result.message.usage.service_tier == "batch"
        assert result.message.model == "claude-haiku-4-5-20251001"  # the alias answers its snapshot
    assert short.message.stop_reason == "max_tokens" and short.message.usage.output_tokens == 1
    assert long.message.stop_reason == "end_turn"
    assert 1 <= long.message.usage.output_tokens <= 4096
    for expected in PROBLEMS:
        errored = lines[expected["custom_id"]].result
        assert isinstance(errored, MessageBatchErroredResult)
        assert errored.error.type == "error"
        assert (errored.error.error.type, errored.error.error.message) == (
            expected["type"],
            expected["message"],
        )


@pytest.mark.batch_emulator(timing={"policy": "manual", "cancel_delay": 30})
def test_cancel_then_ended_with_canceled_lines(batch_emulator, anthropic_client):
    requests = [ok(f"c-{i}") for i in range(3)]
    batch = anthropic_client.messages.batches.create(requests=requests)
    canceling = anthropic_client.messages.batches.cancel(batch.id)
    assert canceling.processing_status == "canceling"
    assert canceling.cancel_initiated_at is not None
    assert canceling.request_counts.processing == 3
    with pytest.raises(AnthropicError, match="finished processing"):
        anthropic_client.messages.batches.results(batch.id)  # the SDK's own check: no results_url
    with pytest.raises(NotFoundError) as missing:
        anthropic_client.get(f"/v1/messages/batches/{batch.id}/results", cast_to=object)
    assert missing.value.body["error"]["message"] == (
        f"Message Batch {batch.id} has no available results."
    )
    with pytest.raises(BadRequestError, match=re.escape(NOT_DELETABLE)):
        anthropic_client.messages.batches.delete(batch.id)

    batch_emulator.advance(seconds=60)
    ended = anthropic_client.messages.batches.retrieve(batch.id)
    assert ended.processing_status == "ended"
    assert ended.cancel_initiated_at == canceling.cancel_initiated_at
    assert ended.request_counts.canceled == 3 and ended.request_counts.processing == 0
    results = list(anthropic_client.messages.batches.results(batch.id))
    assert sorted(r.custom_id for r in results) == ["c-0", "c-1", "c-2"]
    assert all(isinstance(r.result, MessageBatchCanceledResult) for r in results)
    for raw_line in raw_results(str(ended.results_url)):
        assert raw_line["result"] == {"type": "canceled"}


def test_delete_only_after_ended(batch_emulator, anthropic_client):
    batch = anthropic_client.messages.batches.create(requests=[ok("a")], extra_headers=MANUAL)
    with pytest.raises(BadRequestError) as refused:
        anthropic_client.messages.batches.delete(batch.id)
    assert refused.value.body["error"] == {
        "type": "invalid_request_error",
        "message": NOT_DELETABLE,
    }
    for _ in range(3):  # validating -> in_progress -> finalizing -> completed
        batch_emulator.step(batch.id)
    deleted = anthropic_client.messages.batches.delete(batch.id)
    assert isinstance(deleted, DeletedMessageBatch)
    assert (deleted.id, deleted.type) == (batch.id, "message_batch_deleted")
    with pytest.raises(NotFoundError) as gone:
        anthropic_client.messages.batches.retrieve(batch.id)
    assert gone.value.body["error"]["message"] == f"Message Batch {batch.id} not found."
    assert batch.id not in [b.id for b in anthropic_client.messages.batches.list()]


def test_list_pages_both_ways(anthropic_client):
    created = [anthropic_client.messages.batches.create(requests=[ok("x")]).id for _ in range(7)]
    newest_first = created[::-1]
    assert [b.id for b in anthropic_client.messages.batches.list(limit=3)] == newest_first
    page = anthropic_client.messages.batches.list(limit=3)
    assert [b.id for b in page.data] == newest_first[:3]
    assert (page.first_id, page.last_id, page.has_more) == (newest_first[0], newest_first[2], True)
    assert [len(p.data) for p in page.iter_pages()] == [3, 3, 1]

    older = anthropic_client.messages.batches.list(after_id=created[4], limit=2)
    assert [b.id for b in older] == created[:4][::-1]
    newer = anthropic_client.messages.batches.list(before_id=created[0], limit=2)
    assert [b.id for b in newer.data] == [created[2], created[1]]
    pages = [[b.id for b in p.data] for p in newer.iter_pages()]
    assert pages == [[created[2], created[1]], [created[4], created[3]], [created[6], created[5]]]
    default = anthropic_client.messages.batches.list()
    assert len(default.data) == 7 and default.has_more is False


def test_async_client_full_cycle(batch_emulator):
    async def run() -> None:
        client = AsyncAnthropic(api_key="test", base_url=batch_emulator.anthropic_base_url)
        keep = await client.messages.batches.create(requests=[ok("k-1"), ok("k-2")])
        drop = await client.messages.batches.create(requests=[ok("d-1")], extra_headers=MANUAL)
        canceling = await client.messages.batches.cancel(drop.id)
        assert canceling.processing_status == "canceling"
        listed = [b.id async for b in client.messages.batches.list(limit=1)]
        assert listed == [drop.id, keep.id]
        newer = [b.id async for b in client.messages.batches.list(before_id=keep.id, limit=1)]
        assert newer == [drop.id]
        batch_emulator.advance(hours=1)
        done = await client.messages.batches.retrieve(keep.id)
        assert (done.processing_status, done.request_counts.succeeded) == ("ended", 2)
        decoder = await client.messages.batches.results(keep.id)
        lines = [line async for line in decoder]
        assert sorted(line.custom_id for line in lines) == ["k-1", "k-2"]
        assert all(isinstance(line.result, MessageBatchSucceededResult) for line in lines)
        deleted = await client.messages.batches.delete(drop.id)
        assert deleted.type == "message_batch_deleted"
        with pytest.raises(NotFoundError):
            await client.messages.batches.retrieve(drop.id)
        await client.close()

    asyncio.run(run())


def test_beta_resource_and_beta_query_are_accepted(batch_emulator, anthropic_client):
    batch = anthropic_client.beta.messages.batches.create(requests=[ok("b")])
    assert batch.processing_status == "in_progress"
    response = httpx.get(
        f"{batch_emulator.url}/v1/messages/batches/{batch.id}?beta=true",
        headers={
            "x-api-key": "test",
            "anthropic-version": "2023-06-01",
            "anthropic-beta": "message-batches-2024-09-24",
        },
    )
    assert response.status_code == 200 and response.json()["id"] == batch.id
    assert [b.id for b in anthropic_client.beta.messages.batches.list()] == [batch.id]


@pytest.fixture
def anthropic_client(batch_emulator):
    from anthropic import Anthropic

    client = Anthropic(api_key="test", base_url=batch_emulator.anthropic_base_url)
    yield client
    client.close()


def test_2x_sends_bearer_and_new_version(batch_emulator):
    from anthropic import Anthropic, DefaultHttpxClient

    sent: list[Any] = []
    recording = DefaultHttpxClient(event_hooks={"request": [sent.append]})
    client = Anthropic(
        api_key="k", base_url=batch_emulator.anthropic_base_url, http_client=recording
    )
    client.messages.batches.create(requests=[ok("a")])
    client.beta.messages.batches.list()
    create, beta = sent
    assert create.headers["authorization"] == "Bearer k" and "x-api-key" not in create.headers
    assert create.headers["anthropic-version"] == "2026-10-21"
    assert "beta=true" not in str(beta.url) and "anthropic-beta" not in beta.headers
    client.close()
