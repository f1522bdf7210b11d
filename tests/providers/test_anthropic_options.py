"""Config options, per-batch scenarios and timing, seen through the anthropic SDK."""

from __future__ import annotations

from collections import Counter
from typing import Any

import httpx
import pytest
from anthropic import Anthropic

# Processing spans 100 s from creation, so a test can look at the middle of it.
SLOW = {"policy": "timed", "validating": 0, "in_progress": 100, "per_request": 0, "finalizing": 0}


def ok(custom_id: str) -> dict[str, Any]:
    return {
        "custom_id": custom_id,
        "params": {
            "model": "claude-sonnet-4-5",
            "max_tokens": 64,
            "messages": [{"role": "user", "content": "hi"}],
        },
    }


@pytest.fixture
def client(batch_emulator):
    sdk = Anthropic(api_key="test", base_url=batch_emulator.anthropic_base_url)
    yield sdk
    sdk.close()


@pytest.mark.batch_emulator(timing=SLOW)
def test_counts_stay_zero_until_ended_by_default(batch_emulator, client):
    batch = client.messages.batches.create(requests=[ok(f"r{i}") for i in range(100)])
    batch_emulator.advance(seconds=50)
    middle = client.messages.batches.retrieve(batch.id)
    assert middle.processing_status == "in_progress"
    assert middle.request_counts.model_dump() == {
        "processing": 100,
        "succeeded": 0,
        "errored": 0,
        "canceled": 0,
        "expired": 0,
    }
    batch_emulator.advance(seconds=100)
    assert client.messages.batches.retrieve(batch.id).request_counts.succeeded == 100


@pytest.mark.batch_emulator(timing=SLOW, incremental_counts=True)
def test_incremental_counts_move_while_processing(batch_emulator, client):
    batch = client.messages.batches.create(requests=[ok(f"r{i}") for i in range(100)])
    batch_emulator.advance(seconds=50)
    middle = client.messages.batches.retrieve(batch.id)
    c = middle.request_counts
    assert middle.processing_status == "in_progress"
    assert 0 < c.processing < 100 and c.succeeded > 0
    assert c.processing + c.succeeded + c.errored + c.canceled + c.expired == 100
    batch_emulator.advance(seconds=100)
    assert client.messages.batches.retrieve(batch.id).request_counts.succeeded == 100


def result_ids(client: Anthropic, batch_id: str) -> list[str]:
    return [line.custom_id for line in client.messages.batches.results(batch_id)]


@pytest.mark.batch_emulator(timing="immediate", shuffle_results=True)
def test_shuffled_results_are_stable_and_not_in_input_order(client):
    ids = [f"r{i:02d}" for i in range(20)]
    for size in (2, 20):
        batch = client.messages.batches.create(requests=[ok(i) for i in ids[:size]])
        first = result_ids(client, batch.id)
        assert sorted(first) == ids[:size] and first != ids[:size]
        assert result_ids(client, batch.id) == first


@pytest.mark.batch_emulator(timing="immediate")
def test_default_results_follow_input_order(client):
    ids = [f"r{i:02d}" for i in range(20)]
    batch = client.messages.batches.create(requests=[ok(i) for i in ids])
    assert result_ids(client, batch.id) == ids


@pytest.mark.batch_emulator(timing="immediate")
def test_results_url_uses_external_url_when_set(batch_emulator, client):
    batch_emulator.configure(external_url="https://batches.example.test:8443/")
    batch = client.messages.batches.create(requests=[ok("a")])
    done = client.messages.batches.retrieve(batch.id)
    expected = f"https://batches.example.test:8443/v1/messages/batches/{batch.id}/results"
    assert done.results_url == expected


def scenario(name: str) -> dict[str, str]:
    return {"x-emulator-scenario": name, "x-emulator-timing": "immediate"}


def outcome_counts(client: Anthropic, batch_id: str) -> Counter[str]:
    return Counter(line.result.type for line in client.messages.batches.results(batch_id))


def test_errors_scenario_share(client):
    batch = client.messages.batches.create(
        requests=[ok(f"r{i}") for i in range(10)], extra_headers=scenario("errors:0.5")
    )
    done = client.messages.batches.retrieve(batch.id)
    assert (done.request_counts.succeeded, done.request_counts.errored) == (5, 5)
    assert outcome_counts(client, batch.id) == Counter(succeeded=5, errored=5)


def test_expire_scenario_ends_with_expired_lines(client):
    batch = client.messages.batches.create(
        requests=[ok(f"r{i}") for i in range(10)], extra_headers=scenario("expire")
    )
    done = client.messages.batches.retrieve(batch.id)
    c = done.request_counts
    assert done.processing_status == "ended" and c.expired > 0 and c.processing == 0
    assert outcome_counts(client, batch.id) == Counter(
        {k: v for k, v in c.model_dump().items() if v}
    )


def test_fail_scenario_ends_with_every_line_errored(client):
    batch = client.messages.batches.create(
        requests=[ok(f"r{i}") for i in range(4)], extra_headers=scenario("fail")
    )
    done = client.messages.batches.retrieve(batch.id)
    assert done.processing_status == "ended" and done.request_counts.errored == 4
    assert outcome_counts(client, batch.id) == Counter(errored=4)


def test_stall_scenario_runs_until_expiry(batch_emulator, client):
    batch = client.messages.batches.create(
        requests=[ok("a"), ok("b")], extra_headers={"x-emulator-scenario": "stall"}
    )
    batch_emulator.advance(hours=23)
    assert client.messages.batches.retrieve(batch.id).processing_status == "in_progress"
    batch_emulator.advance(hours=2)
    done = client.messages.batches.retrieve(batch.id)
    assert done.processing_status == "ended" and done.request_counts.expired == 2
    assert outcome_counts(client, batch.id) == Counter(expired=2)


@pytest.mark.batch_emulator(timing="polls:2")
def test_poll_timing_moves_on_retrieves(client):
    batch = client.messages.batches.create(requests=[ok("a")])
    statuses = [client.messages.batches.retrieve(batch.id).processing_status for _ in range(6)]
    assert statuses[0] == "in_progress" and statuses[-1] == "ended"


def test_unknown_scenario_is_a_400(batch_emulator):
    response = httpx.post(
        f"{batch_emulator.url}/v1/messages/batches",
        headers={"x-api-key": "k", "x-emulator-scenario": "explode"},
        json={"requests": [ok("a")]},
    )
    assert response.status_code == 400
    assert response.json()["error"]["type"] == "invalid_request_error"
