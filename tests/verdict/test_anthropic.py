"""The client verdict on Anthropic Message Batches, driven through the official anthropic SDK.

Anthropic has no error file: `errored` lines come in the one results stream, so reading the
results is reading the failures and `error_file_unread` never applies.
"""

from __future__ import annotations

from typing import Any

import anthropic
import httpx
import pytest

from emulator import HttpFault, ItemFault
from tests.verdict.conftest import anthropic_requests, rules, until

pytestmark = pytest.mark.batch_emulator(timing="immediate")
BUGGY = pytest.mark.batch_emulator(verdict="off")
CAREFUL = pytest.mark.batch_emulator(verdict="strict")


def wait(client: anthropic.Anthropic, batch_id: str) -> Any:
    read = lambda: client.messages.batches.retrieve(batch_id)  # noqa: E731
    return until(read, lambda b: b.processing_status == "ended")


@CAREFUL
def test_reading_the_results_stream_passes_strict(
    batch_emulator: Any, anthropic_client: Any
) -> None:
    batch_emulator.faults.add(ItemFault(custom_id="q1", status=400, message="bad"))
    batch = anthropic_client.messages.batches.create(requests=anthropic_requests())
    wait(anthropic_client, batch.id)
    kinds = sorted(r.result.type for r in anthropic_client.messages.batches.results(batch.id))
    assert kinds == ["errored", "succeeded", "succeeded"]


@BUGGY
def test_ended_batch_never_read(batch_emulator: Any, anthropic_client: Any) -> None:
    batch_emulator.faults.add(ItemFault(custom_id="q1", status=400, message="bad"))
    batch = anthropic_client.messages.batches.create(requests=anthropic_requests())
    wait(anthropic_client, batch.id)
    [finding] = batch_emulator.verdict()
    assert (finding.rule, finding.batch_id, finding.dialect) == (
        "results_unread",
        batch.id,
        "anthropic",
    )
    assert "messages.batches.results" in finding.message
    assert [(e.operation, e.state) for e in finding.evidence] == [
        ("messages.batches.retrieve", "completed")
    ]


@BUGGY
@pytest.mark.batch_emulator(scenario="expire")
def test_expired_batch_partial_results_never_read(
    batch_emulator: Any, anthropic_client: Any
) -> None:
    batch = anthropic_client.messages.batches.create(requests=anthropic_requests(4))
    ended = wait(anthropic_client, batch.id)
    assert ended.request_counts.succeeded > 0 and ended.request_counts.expired > 0
    assert rules(batch_emulator) == ["partial_results_unread"]


@CAREFUL
@pytest.mark.batch_emulator(scenario="expire")
def test_expired_batch_read_passes_strict(batch_emulator: Any, anthropic_client: Any) -> None:
    batch = anthropic_client.messages.batches.create(requests=anthropic_requests(4))
    wait(anthropic_client, batch.id)
    assert len(list(anthropic_client.messages.batches.results(batch.id))) == 4


@BUGGY
@pytest.mark.batch_emulator(timing="manual")
def test_results_asked_for_before_the_batch_ended(
    batch_emulator: Any, anthropic_client: Any
) -> None:
    """A client that fetches the results URL itself, without waiting for `ended` (the SDK's
    own `results()` checks `results_url` first, so it cannot make this mistake)."""
    batch = anthropic_client.messages.batches.create(requests=anthropic_requests())
    for _ in range(3):
        with pytest.raises(anthropic.NotFoundError):
            path = f"/v1/messages/batches/{batch.id}/results"
            anthropic_client.get(path, cast_to=httpx.Response)
    [finding] = batch_emulator.verdict()
    assert finding.rule == "results_before_ready" and finding.batch_id == batch.id
    assert [(e.operation, e.status, e.state) for e in finding.evidence] == [
        ("messages.batches.results", 404, "validating")
    ] * 3


@BUGGY
def test_create_retried_after_a_lost_answer_is_a_duplicate(
    batch_emulator: Any, anthropic_client: Any
) -> None:
    batch_emulator.faults.add(HttpFault(operation="messages.batches.create", truncate=0.5, times=1))
    second = anthropic_client.messages.batches.create(requests=anthropic_requests())
    [finding] = batch_emulator.verdict()
    assert (finding.rule, finding.batch_id) == ("duplicate_create", second.id)
    assert "3 identical inline request(s)" in finding.message
    assert [e.retry_count for e in finding.evidence] == [0, 1]


@CAREFUL
def test_different_requests_are_no_duplicate(batch_emulator: Any, anthropic_client: Any) -> None:
    first = anthropic_client.messages.batches.create(requests=anthropic_requests(2))
    second = anthropic_client.messages.batches.create(requests=anthropic_requests(3))
    for batch in (first, second):
        wait(anthropic_client, batch.id)
        list(anthropic_client.messages.batches.results(batch.id))


@BUGGY
def test_hand_rolled_retry_ignoring_retry_after(batch_emulator: Any, anthropic_client: Any) -> None:
    batch_emulator.faults.add(
        HttpFault(status=529, operation="messages.batches.create", retry_after=3, times=1)
    )
    client = anthropic_client.with_options(max_retries=0)
    for _ in range(3):
        try:
            client.messages.batches.create(requests=anthropic_requests())
            break
        except anthropic.InternalServerError:
            continue
    [finding] = batch_emulator.verdict()
    assert finding.rule == "retry_too_soon" and finding.dialect == "anthropic"
    assert [e.status for e in finding.evidence] == [529, 200]
    assert "3 s" in finding.message


@CAREFUL
def test_sdk_honours_retry_after_ms(batch_emulator: Any, anthropic_client: Any) -> None:
    batch_emulator.faults.add(
        HttpFault(status=529, operation="messages.batches.create", retry_after_ms=40, times=1)
    )
    batch = anthropic_client.messages.batches.create(requests=anthropic_requests())
    wait(anthropic_client, batch.id)
    list(anthropic_client.messages.batches.results(batch.id))
