"""Anthropic's poll headers through the anthropic SDK: `Retry-After` on a read of an unfinished
Message Batch and `X-Should-Retry: false` on the 404 for results read before the batch ended.

Issue 22 lists both as what real clients saw; no recording of them is held (docs/fidelity.md,
divergence list). The Retry-After values expected here are derived from the timing each test
configures (seconds until the next phase, at least 1), not read off the emulator.
"""

from __future__ import annotations

from typing import Any

import anthropic
import pytest

MODEL = "claude-haiku-4-5"
TIMING = {
    "policy": "timed",
    "validating": 10,
    "in_progress": 100,
    "per_request": 0,
    "finalizing": 5,
}


def _requests(n: int = 2) -> list[Any]:
    params = {"model": MODEL, "max_tokens": 16, "messages": [{"role": "user", "content": "hi"}]}
    return [{"custom_id": f"r{i}", "params": params} for i in range(n)]


def _retry_after(client: anthropic.Anthropic, batch_id: str) -> str | None:
    raw = client.messages.batches.with_raw_response.retrieve(batch_id)
    value: str | None = raw.headers.get("retry-after")
    return value


@pytest.fixture(params=["native", "bifrost"])
def client(request: pytest.FixtureRequest, batch_emulator: Any) -> anthropic.Anthropic:
    """The same answers at Anthropic's own paths and at Bifrost's Anthropic-compatible door."""
    base = batch_emulator.anthropic_base_url
    if request.param == "bifrost":
        base = batch_emulator.bifrost_base_url + "/anthropic"
    return anthropic.Anthropic(base_url=base, api_key="test")


def test_retry_after_counts_down_to_each_phase(batch_emulator: Any, client: Any) -> None:
    batch_emulator.configure(timing=TIMING)
    batch = client.messages.batches.create(requests=_requests())
    assert _retry_after(client, batch.id) == "10"  # validating lasts 10 s
    batch_emulator.advance(seconds=4)
    assert _retry_after(client, batch.id) == "6"
    batch_emulator.advance(seconds=6)  # in progress for 100 s from here
    assert _retry_after(client, batch.id) == "100"
    batch_emulator.advance(seconds=100)  # finalizing: still in_progress to Anthropic, 5 s
    raw = client.messages.batches.with_raw_response.retrieve(batch.id)
    assert raw.parse().processing_status == "in_progress"
    assert raw.headers["retry-after"] == "5"
    batch_emulator.advance(seconds=5)
    raw = client.messages.batches.with_raw_response.retrieve(batch.id)
    assert raw.parse().processing_status == "ended"
    assert "retry-after" not in raw.headers


def test_retry_after_while_canceling(batch_emulator: Any, client: Any) -> None:
    batch_emulator.configure(timing={**TIMING, "cancel_delay": 7})
    batch = client.messages.batches.create(requests=_requests())
    assert client.messages.batches.cancel(batch.id).processing_status == "canceling"
    raw = client.messages.batches.with_raw_response.retrieve(batch.id)
    assert raw.parse().processing_status == "canceling"
    assert raw.headers["retry-after"] == "7"


def test_retry_after_is_one_when_nothing_is_planned(batch_emulator: Any, client: Any) -> None:
    """`manual`: only a step moves the batch, so the soonest anything can change is now."""
    batch_emulator.configure(timing="manual")
    batch = client.messages.batches.create(requests=_requests())
    assert _retry_after(client, batch.id) == "1"
    batch_emulator.step(batch.id)
    assert _retry_after(client, batch.id) == "1"


def test_list_and_create_carry_no_retry_after(batch_emulator: Any, client: Any) -> None:
    batch_emulator.configure(timing=TIMING)
    created = client.messages.batches.with_raw_response.create(requests=_requests())
    assert "retry-after" not in created.headers
    listed = client.messages.batches.with_raw_response.list()
    assert "retry-after" not in listed.headers


def _results_calls(batch_emulator: Any, batch_id: str) -> list[Any]:
    return [
        e
        for e in batch_emulator.requests
        if e.operation == "messages.batches.results" and e.batch_id == batch_id
    ]


def test_results_before_end_is_a_404_the_sdk_does_not_retry(
    batch_emulator: Any, client: Any
) -> None:
    """The SDK's `results()` checks `results_url` first, so the 404 is reached with the SDK's
    own request path (same retry policy) on the results URL."""
    batch_emulator.configure(timing=TIMING)
    batch = client.messages.batches.create(requests=_requests())
    retrying = client.with_options(max_retries=3)
    with pytest.raises(anthropic.NotFoundError) as caught:
        retrying.get(f"/v1/messages/batches/{batch.id}/results", cast_to=str)
    assert caught.value.response.headers["x-should-retry"] == "false"
    assert caught.value.body["error"]["type"] == "not_found_error"  # type: ignore[index]
    assert len(_results_calls(batch_emulator, batch.id)) == 1  # asked once, never again


def test_results_after_end_carry_no_should_retry(batch_emulator: Any, client: Any) -> None:
    batch_emulator.configure(timing=TIMING)
    batch = client.messages.batches.create(requests=_requests())
    batch_emulator.advance(seconds=200)
    raw = client.messages.batches.with_raw_response.results(batch.id)
    assert raw.status_code == 200
    assert "x-should-retry" not in raw.headers
    assert {r.custom_id for r in raw.parse()} == {"r0", "r1"}


def test_unknown_batch_404_carries_no_should_retry(client: Any) -> None:
    """Only the not-yet-ended 404 says so; an unknown id is the SDK's ordinary 404."""
    with pytest.raises(anthropic.NotFoundError) as caught:
        client.messages.batches.retrieve("msgbatch_nope")
    assert "x-should-retry" not in caught.value.response.headers
