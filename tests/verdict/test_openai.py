"""The client verdict on OpenAI batch pipelines, driven through the official openai SDK."""

from __future__ import annotations

from typing import Any

import openai
import pytest

from emulator import HttpFault, ItemFault
from tests.verdict.conftest import ENDED, chat_lines, rules, until

pytestmark = pytest.mark.batch_emulator(timing="immediate")
BUGGY = pytest.mark.batch_emulator(verdict="off")  # the test asserts the findings itself
CAREFUL = pytest.mark.batch_emulator(verdict="strict")  # any finding fails the test


def submit(client: openai.OpenAI, data: bytes | None = None) -> Any:
    upload = client.files.create(file=("in.jsonl", data or chat_lines()), purpose="batch")
    return client.batches.create(
        input_file_id=upload.id, endpoint="/v1/chat/completions", completion_window="24h"
    )


def wait(client: openai.OpenAI, batch_id: str) -> Any:
    return until(lambda: client.batches.retrieve(batch_id), lambda b: b.status in ENDED)


def output_only(client: openai.OpenAI) -> list[str]:
    """instructor's BatchProcessor, distilabel's offline batch generation and autobatcher, in
    short: wait for the batch, parse `output_file_id`, never look at `error_file_id`."""
    batch = wait(client, submit(client).id)
    text = client.files.content(batch.output_file_id).text
    return [line for line in text.splitlines() if line]


@BUGGY
def test_reading_only_the_output_file_is_caught(batch_emulator: Any, openai_client: Any) -> None:
    batch_emulator.faults.add(ItemFault(custom_id="r2", status=400, message="too long"))
    assert len(output_only(openai_client)) == 3  # r2's failure silently disappeared
    [finding] = batch_emulator.verdict()
    assert finding.rule == "error_file_unread" and finding.dialect == "openai"
    batch = batch_emulator.batches[0].batch
    assert finding.batch_id == batch.id and batch.error_file_id in finding.message
    assert [(e.operation, e.status) for e in finding.evidence] == [
        ("batches.retrieve", 200),
        ("files.content", 200),
    ]
    assert finding.evidence[0].state == "completed"
    assert finding.evidence[1].file_id == batch.output_file_id


@CAREFUL
def test_reading_both_files_passes_strict(batch_emulator: Any, openai_client: Any) -> None:
    batch_emulator.faults.add(ItemFault(custom_id="r2", status=400, message="too long"))
    batch = wait(openai_client, submit(openai_client).id)
    ok = openai_client.files.content(batch.output_file_id).text.splitlines()
    failed = openai_client.files.content(batch.error_file_id).text.splitlines()
    assert (len(ok), len(failed)) == (3, 1)
    assert batch_emulator.verdict() == []


@BUGGY
def test_all_failed_and_the_error_file_never_read(batch_emulator: Any, openai_client: Any) -> None:
    batch_emulator.faults.add(ItemFault(rate=1.0, status=400, message="bad request"))
    batch = wait(openai_client, submit(openai_client).id)
    assert batch.output_file_id is None and batch.request_counts.failed == 4
    assert rules(batch_emulator) == ["error_file_unread"]


@BUGGY
def test_completed_batch_never_downloaded(batch_emulator: Any, openai_client: Any) -> None:
    wait(openai_client, submit(openai_client).id)
    [finding] = batch_emulator.verdict()
    assert finding.rule == "results_unread" and "output_file_id" in finding.message


@BUGGY
def test_batch_created_and_left_is_no_finding(batch_emulator: Any, openai_client: Any) -> None:
    """No evidence, no finding: the client never saw the batch end (results may be fetched by
    another process later)."""
    submit(openai_client)
    assert batch_emulator.verdict() == []


@BUGGY
@pytest.mark.batch_emulator(scenario="expire")
def test_expired_batch_partial_output_never_read(batch_emulator: Any, openai_client: Any) -> None:
    batch = wait(openai_client, submit(openai_client).id)
    assert batch.status == "expired" and batch.output_file_id is not None
    assert rules(batch_emulator) == ["partial_results_unread"]


@CAREFUL
@pytest.mark.batch_emulator(scenario="expire")
def test_expired_batch_read_whole_passes_strict(batch_emulator: Any, openai_client: Any) -> None:
    batch = wait(openai_client, submit(openai_client).id)
    openai_client.files.content(batch.output_file_id)
    openai_client.files.content(batch.error_file_id)


@BUGGY
def test_create_retried_after_a_lost_answer_is_a_duplicate(
    batch_emulator: Any, openai_client: Any
) -> None:
    """The answer to the create is cut off after the batch was made; the SDK retries on its
    own and the same input file makes a second batch."""
    batch_emulator.faults.add(HttpFault(operation="batches.create", truncate=0.5, times=1))
    second = submit(openai_client)
    assert len(batch_emulator.batches) == 2
    [finding] = batch_emulator.verdict()
    assert finding.rule == "duplicate_create" and finding.batch_id == second.id
    creates = [(e.operation, e.fault, e.retry_count) for e in finding.evidence]
    assert creates == [
        ("batches.create", "http:200+truncate", 0),
        ("batches.create", None, 1),
    ]


@CAREFUL
def test_guarded_create_passes_strict(batch_emulator: Any, openai_client: Any) -> None:
    """The careful client: no blind retry of a create; after a failed answer it looks for the
    batch it may have made before creating again."""
    batch_emulator.faults.add(HttpFault(operation="batches.create", truncate=0.5, times=1))
    upload = openai_client.files.create(file=("in.jsonl", chat_lines()), purpose="batch")
    try:
        created = openai_client.with_options(max_retries=0).batches.create(
            input_file_id=upload.id, endpoint="/v1/chat/completions", completion_window="24h"
        )
        batch_id = created.id
    except openai.APIConnectionError:
        found = [b for b in openai_client.batches.list() if b.input_file_id == upload.id]
        batch_id = found[0].id
    batch = wait(openai_client, batch_id)
    openai_client.files.content(batch.output_file_id)
    assert len(batch_emulator.batches) == 1


@BUGGY
def test_hand_rolled_retry_ignoring_retry_after(batch_emulator: Any, openai_client: Any) -> None:
    batch_emulator.faults.add(
        HttpFault(status=429, operation="batches.retrieve", retry_after=2, times=1)
    )
    batch = submit(openai_client)
    client = openai_client.with_options(max_retries=0)
    for _ in range(3):
        try:
            done = client.batches.retrieve(batch.id)
            break
        except openai.RateLimitError:
            continue  # straight back in: the retry-after header is never looked at
    client.files.content(done.output_file_id)
    [finding] = batch_emulator.verdict()
    assert finding.rule == "retry_too_soon" and finding.batch_id == batch.id
    first, retry = finding.evidence
    assert (first.status, first.retry_after, retry.status) == (429, 2.0, 200)
    assert retry.wall - first.wall < 2


@CAREFUL
def test_sdk_honours_retry_after(batch_emulator: Any, openai_client: Any) -> None:
    batch_emulator.faults.add(
        HttpFault(status=429, operation="batches.retrieve", retry_after_ms=50, times=1)
    )
    batch = wait(openai_client, submit(openai_client).id)
    openai_client.files.content(batch.output_file_id)
    first, retry = [e for e in batch_emulator.requests if e.operation == "batches.retrieve"][:2]
    assert (first.status, retry.retry_count) == (429, 1)
    assert retry.wall - first.wall >= 0.05
