"""OpenAI Batches API lifecycle through the official sync SDK (reference §1.3, §1.4, §3, §4)."""

from __future__ import annotations

from typing import Any

import openai
import pytest
from openai import OpenAI
from openai.types import Batch

from emulator.clock import ManualClock
from emulator.handle import EmulatorHandle
from tests.providers.conftest import EPOCH, chat_file, fixture_bytes, parse_jsonl

DAY = 86_400
# Whole-second phases so every timestamp is distinct: validating 3 s, work 10 s, finalizing 2 s.
SLOW = {
    "timing": {
        "policy": "timed",
        "validating": 3,
        "in_progress": 10,
        "per_request": 0,
        "finalizing": 2,
        "cancel_delay": 1,
    }
}
T = int(EPOCH)


def start(client: OpenAI, data: bytes, endpoint: Any = "/v1/chat/completions", **kw: Any) -> Batch:
    upload = client.files.create(file=("input.jsonl", data), purpose="batch")
    return client.batches.create(
        input_file_id=upload.id, endpoint=endpoint, completion_window="24h", **kw
    )


def lines_of(client: OpenAI, file_id: str | None) -> list[dict[str, Any]]:
    return [] if file_id is None else parse_jsonl(client.files.content(file_id).content)


def assert_counts_match_files(client: OpenAI, batch: Batch) -> None:
    """completed = output lines; failed = error lines except expired and cancelled ones
    (recorded: openai-dotnet ListBatchesProtocol.json, no cancelled batch has failed > 0)."""
    output, errors = lines_of(client, batch.output_file_id), lines_of(client, batch.error_file_id)
    not_run = ("batch_expired", "batch_cancelled")
    unrun = [e for e in errors if (e["error"] or {}).get("code") in not_run]
    counts = batch.request_counts
    assert counts is not None
    assert counts.completed == len(output)
    assert counts.failed == len(errors) - len(unrun)
    assert counts.total == len(output) + len(errors)
    assert batch.output_file_id is None or output, "an output file is never empty"
    assert batch.error_file_id is None or errors, "an error file is never empty"


@pytest.mark.batch_emulator(**SLOW)
def test_full_lifecycle_sets_each_timestamp_when_reached(
    openai_sdk: OpenAI, manual_clock: ManualClock
) -> None:
    batch = start(openai_sdk, chat_file(4), metadata={"job": "nightly"})
    assert batch.status == "validating"
    assert batch.object == "batch"
    assert batch.id.startswith("batch_")
    assert (batch.created_at, batch.expires_at) == (T, T + DAY)
    assert batch.completion_window == "24h"
    assert batch.metadata == {"job": "nightly"}
    assert batch.errors is None
    assert (batch.output_file_id, batch.error_file_id) == (None, None)
    assert batch.request_counts is not None and batch.request_counts.total == 0
    unset = ("in_progress_at", "finalizing_at", "completed_at", "failed_at", "expired_at")
    assert all(getattr(batch, name) is None for name in unset)

    manual_clock.advance(3)
    running = openai_sdk.batches.retrieve(batch.id)
    assert (running.status, running.in_progress_at, running.finalizing_at) == (
        "in_progress",
        T + 3,
        None,
    )
    assert running.request_counts is not None
    assert (running.request_counts.total, running.request_counts.completed) == (4, 0)

    manual_clock.advance(5)  # half of the 10 s of work
    halfway = openai_sdk.batches.retrieve(batch.id)
    assert halfway.request_counts is not None and halfway.request_counts.completed == 2

    manual_clock.advance(5)
    finalizing = openai_sdk.batches.retrieve(batch.id)
    assert (finalizing.status, finalizing.finalizing_at, finalizing.completed_at) == (
        "finalizing",
        T + 13,
        None,
    )

    manual_clock.advance(2)
    done = openai_sdk.batches.retrieve(batch.id)
    assert done.status == "completed"
    assert (done.in_progress_at, done.finalizing_at, done.completed_at) == (T + 3, T + 13, T + 15)
    assert (done.failed_at, done.expired_at, done.cancelled_at) == (None, None, None)
    assert done.expires_at == T + DAY
    assert done.model == "gpt-4o-mini-2024-07-18"  # the resolved snapshot, as observed live
    assert done.error_file_id is None
    assert done.request_counts is not None
    assert (done.request_counts.total, done.request_counts.completed) == (4, 4)
    assert_counts_match_files(openai_sdk, done)
    assert openai_sdk.batches.retrieve(batch.id) == done


def test_output_file_is_a_batch_output_file_object(
    openai_sdk: OpenAI, batch_emulator: EmulatorHandle
) -> None:
    batch = start(openai_sdk, fixture_bytes("chat.jsonl"))
    batch_emulator.advance(hours=1)
    done = openai_sdk.batches.retrieve(batch.id)
    assert done.output_file_id is not None
    meta = openai_sdk.files.retrieve(done.output_file_id)
    assert meta.purpose == "batch_output"
    assert meta.status == "processed"
    content = openai_sdk.files.content(done.output_file_id).content
    assert meta.bytes == len(content)
    assert openai_sdk.files.content(done.output_file_id).content == content
    lines = parse_jsonl(content)
    assert sorted(line["custom_id"] for line in lines) == [f"chat-{i}" for i in range(1, 6)]
    for line in lines:
        assert set(line) == {"id", "custom_id", "response", "error"}
        assert line["id"].startswith("batch_req_")
        assert line["error"] is None
        assert set(line["response"]) == {"status_code", "request_id", "body"}
        assert line["response"]["status_code"] == 200
        assert line["response"]["body"]["model"] == done.model
    assert len({line["id"] for line in lines}) == len(lines)


def test_usage_sums_the_successful_bodies(
    openai_sdk: OpenAI, batch_emulator: EmulatorHandle
) -> None:
    batch = start(
        openai_sdk, fixture_bytes("chat.jsonl"), extra_headers={"x-emulator-scenario": "errors:0.4"}
    )
    batch_emulator.advance(hours=1)
    done = openai_sdk.batches.retrieve(batch.id)
    bodies = [line["response"]["body"] for line in lines_of(openai_sdk, done.output_file_id)]
    prompt = sum(b["usage"]["prompt_tokens"] for b in bodies)
    completion = sum(b["usage"]["completion_tokens"] for b in bodies)
    assert done.usage is not None
    assert (done.usage.input_tokens, done.usage.output_tokens) == (prompt, completion)
    assert done.usage.total_tokens == prompt + completion
    assert_counts_match_files(openai_sdk, done)


def test_errors_scenario_puts_failures_in_the_error_file(
    openai_sdk: OpenAI, batch_emulator: EmulatorHandle
) -> None:
    batch = start(openai_sdk, chat_file(10), extra_headers={"x-emulator-scenario": "errors:0.5"})
    batch_emulator.advance(hours=1)
    done = openai_sdk.batches.retrieve(batch.id)
    assert done.status == "completed"
    assert done.request_counts is not None
    assert (done.request_counts.completed, done.request_counts.failed) == (5, 5)
    errors = lines_of(openai_sdk, done.error_file_id)
    for line in errors:
        assert line["error"] is None  # an HTTP failure keeps `response`, not `error`
        response = line["response"]
        assert response["status_code"] >= 400
        assert set(response["body"]["error"]) == {"message", "type", "param", "code"}
    assert_counts_match_files(openai_sdk, done)


def test_every_item_failing_still_completes_without_output_file(
    openai_sdk: OpenAI, batch_emulator: EmulatorHandle
) -> None:
    batch = start(openai_sdk, chat_file(3), metadata={"emulator_scenario": "errors:1"})
    batch_emulator.advance(hours=1)
    done = openai_sdk.batches.retrieve(batch.id)
    assert done.status == "completed"
    assert done.output_file_id is None
    assert done.error_file_id is not None
    assert_counts_match_files(openai_sdk, done)


def test_fail_scenario_fails_validation(openai_sdk: OpenAI, batch_emulator: EmulatorHandle) -> None:
    batch = start(openai_sdk, chat_file(3), extra_headers={"x-emulator-scenario": "fail"})
    batch_emulator.advance(hours=1)
    failed = openai_sdk.batches.retrieve(batch.id)
    assert failed.status == "failed"
    assert failed.failed_at is not None and failed.in_progress_at is None
    assert failed.errors is not None and failed.errors.data
    assert (failed.output_file_id, failed.error_file_id) == (None, None)
    assert failed.request_counts is not None and failed.request_counts.total == 0


@pytest.mark.batch_emulator(**SLOW)
def test_expire_scenario_keeps_finished_items(
    openai_sdk: OpenAI, manual_clock: ManualClock
) -> None:
    batch = start(openai_sdk, chat_file(4), extra_headers={"x-emulator-scenario": "expire"})
    manual_clock.advance(60)
    expired = openai_sdk.batches.retrieve(batch.id)
    assert expired.status == "expired"
    assert expired.expired_at is not None and expired.completed_at is None
    assert expired.expires_at == T + DAY
    counts = expired.request_counts
    assert counts is not None and 0 < counts.completed < counts.total == 4
    errors = lines_of(openai_sdk, expired.error_file_id)
    assert errors and all(
        line["response"] is None and line["error"]["code"] == "batch_expired" for line in errors
    )
    assert_counts_match_files(openai_sdk, expired)


@pytest.mark.batch_emulator(
    timing={"policy": "timed", "validating": 3, "in_progress": 2 * DAY, "per_request": 0}
)
def test_not_finished_by_expires_at_expires(openai_sdk: OpenAI, manual_clock: ManualClock) -> None:
    batch = start(openai_sdk, chat_file(10))
    manual_clock.advance(DAY - 1)
    assert openai_sdk.batches.retrieve(batch.id).status == "in_progress"
    manual_clock.advance(1)
    expired = openai_sdk.batches.retrieve(batch.id)
    # Recorded (openai-dotnet ListBatchesProtocol.json): finalizing_at = expires_at + 1; our
    # expired_at follows it, where the real one comes about ten minutes later.
    assert (expired.status, expired.finalizing_at, expired.expired_at) == (
        "expired",
        T + DAY + 1,
        T + DAY + 1,
    )
    counts = expired.request_counts
    assert counts is not None and 0 < counts.completed < 10
    assert counts.failed == 0  # expired requests are not counted as failed (reference §3.3)
    assert expired.output_file_id is not None
    assert_counts_match_files(openai_sdk, expired)


def test_stall_scenario_expires_with_nothing_done(
    openai_sdk: OpenAI, batch_emulator: EmulatorHandle
) -> None:
    batch = start(openai_sdk, chat_file(3), extra_headers={"x-emulator-scenario": "stall"})
    batch_emulator.advance(hours=23)
    stalled = openai_sdk.batches.retrieve(batch.id)
    assert stalled.status == "in_progress"
    assert stalled.request_counts is not None and stalled.request_counts.completed == 0
    batch_emulator.advance(hours=1, seconds=1)
    expired = openai_sdk.batches.retrieve(batch.id)
    assert expired.status == "expired"
    assert expired.output_file_id is None
    assert len(lines_of(openai_sdk, expired.error_file_id)) == 3
    assert_counts_match_files(openai_sdk, expired)


def test_stall_scenario_can_still_be_cancelled(
    openai_sdk: OpenAI, batch_emulator: EmulatorHandle
) -> None:
    batch = start(openai_sdk, chat_file(3), extra_headers={"x-emulator-scenario": "stall"})
    batch_emulator.advance(minutes=5)
    assert openai_sdk.batches.cancel(batch.id).status == "cancelling"
    batch_emulator.advance(minutes=1)
    assert openai_sdk.batches.retrieve(batch.id).status == "cancelled"


def test_unknown_scenario_is_a_400(openai_sdk: OpenAI) -> None:
    with pytest.raises(openai.BadRequestError):
        start(openai_sdk, chat_file(1), extra_headers={"x-emulator-scenario": "explode"})


@pytest.mark.batch_emulator(**SLOW)
def test_cancel_keeps_partial_results(openai_sdk: OpenAI, manual_clock: ManualClock) -> None:
    batch = start(openai_sdk, chat_file(10))
    manual_clock.advance(8)  # validating 3 s, then half of the 10 s of work
    cancelling = openai_sdk.batches.cancel(batch.id)
    assert (cancelling.status, cancelling.cancelling_at, cancelling.cancelled_at) == (
        "cancelling",
        T + 8,
        None,
    )
    assert (cancelling.output_file_id, cancelling.error_file_id) == (None, None)
    manual_clock.advance(1)
    cancelled = openai_sdk.batches.retrieve(batch.id)
    assert (cancelled.status, cancelled.cancelled_at) == ("cancelled", T + 9)
    assert cancelled.completed_at is None and cancelled.finalizing_at is None
    counts = cancelled.request_counts
    assert counts is not None and (counts.total, counts.completed, counts.failed) == (10, 5, 0)
    errors = lines_of(openai_sdk, cancelled.error_file_id)
    assert {line["error"]["code"] for line in errors} == {"batch_cancelled"}
    assert_counts_match_files(openai_sdk, cancelled)

    again = openai_sdk.batches.cancel(batch.id)  # cancelling a cancelled batch is a 200
    assert again.status == "cancelled"
    assert again.output_file_id == cancelled.output_file_id


def test_cancel_while_validating(openai_sdk: OpenAI, batch_emulator: EmulatorHandle) -> None:
    batch = start(openai_sdk, chat_file(2))
    assert openai_sdk.batches.cancel(batch.id).status == "cancelling"
    assert openai_sdk.batches.cancel(batch.id).status == "cancelling"
    batch_emulator.advance(minutes=1)
    cancelled = openai_sdk.batches.retrieve(batch.id)
    assert cancelled.status == "cancelled"
    assert cancelled.in_progress_at is None
    # Recorded (all 1,023 such batches in ListBatchesProtocol.json): no files, counts all 0.
    assert cancelled.output_file_id is None and cancelled.error_file_id is None
    assert cancelled.model is None
    counts = cancelled.request_counts
    assert counts is not None and (counts.total, counts.completed, counts.failed) == (0, 0, 0)
    assert_counts_match_files(openai_sdk, cancelled)


@pytest.mark.parametrize("scenario", ["success", "fail"])
def test_cancel_a_terminal_batch_is_a_409(
    batch_emulator: EmulatorHandle, openai_sdk: OpenAI, scenario: str
) -> None:
    batch = start(openai_sdk, chat_file(2), extra_headers={"x-emulator-scenario": scenario})
    batch_emulator.advance(hours=1)
    status = openai_sdk.batches.retrieve(batch.id).status
    with pytest.raises(openai.ConflictError) as info:
        openai_sdk.with_options(max_retries=0).batches.cancel(batch.id)
    err = info.value
    assert err.status_code == 409
    assert err.body == {
        "message": f"Cannot cancel a batch with status '{status}'.",
        "type": "invalid_request_error",
        "param": None,
        "code": None,
    }
    assert openai_sdk.batches.retrieve(batch.id).status == status


def test_sdk_retries_a_409_twice(openai_sdk: OpenAI, batch_emulator: EmulatorHandle) -> None:
    """Default client: three attempts reach the server before ConflictError (reference §0.5)."""
    batch = start(openai_sdk, chat_file(1))
    batch_emulator.advance(hours=1)
    openai_sdk.batches.retrieve(batch.id)
    with pytest.raises(openai.ConflictError):
        openai_sdk.with_options(max_retries=2).batches.cancel(batch.id)
    cancels = [e for e in batch_emulator.requests if e.operation == "batches.cancel"]
    assert [(e.status, e.retry_count) for e in cancels] == [(409, 0), (409, 1), (409, 2)]


def test_unknown_batch_is_a_404(openai_sdk: OpenAI) -> None:
    for call in (
        openai_sdk.batches.retrieve,
        openai_sdk.with_options(max_retries=0).batches.cancel,
    ):
        with pytest.raises(openai.NotFoundError) as info:
            call("batch_nope")
        assert isinstance(info.value.body, dict)
        assert "No batch found" in info.value.body["message"]


def test_list_is_newest_first_and_pages(openai_sdk: OpenAI, batch_emulator: EmulatorHandle) -> None:
    upload = openai_sdk.files.create(file=("in.jsonl", chat_file(1)), purpose="batch")
    ids = []
    for _ in range(25):
        ids.append(
            openai_sdk.batches.create(
                input_file_id=upload.id, endpoint="/v1/chat/completions", completion_window="24h"
            ).id
        )
        batch_emulator.advance(1)
    newest = ids[::-1]
    first = openai_sdk.batches.list()
    assert [b.id for b in first.data] == newest[:20]  # default limit 20
    assert first.has_more is True
    raw = openai_sdk.batches.with_raw_response.list(limit=3).http_response.json()
    assert (raw["object"], raw["first_id"], raw["last_id"], raw["has_more"]) == (
        "list",
        newest[0],
        newest[2],
        True,
    )
    after = openai_sdk.batches.list(after=newest[19], limit=100)
    assert ([b.id for b in after.data], after.has_more) == (newest[20:], False)
    assert [b.id for b in openai_sdk.batches.list(limit=7)] == newest  # auto-pagination
    empty = openai_sdk.batches.with_raw_response.list(after=newest[-1]).http_response.json()
    assert (empty["data"], empty["first_id"], empty["last_id"], empty["has_more"]) == (
        [],
        None,
        None,
        False,
    )


@pytest.mark.parametrize("limit", [0, 101, -1])
def test_list_limit_out_of_range(openai_sdk: OpenAI, limit: int) -> None:
    with pytest.raises(openai.BadRequestError) as info:
        openai_sdk.batches.list(limit=limit)
    assert info.value.param == "limit"


def test_list_renders_terminal_batches_with_their_files(
    openai_sdk: OpenAI, batch_emulator: EmulatorHandle
) -> None:
    batch = start(openai_sdk, chat_file(2))
    batch_emulator.advance(hours=1)
    listed = openai_sdk.batches.list().data[0]
    assert listed.status == "completed" and listed.output_file_id is not None
    assert listed == openai_sdk.batches.retrieve(batch.id)


def test_output_expires_after_sets_result_file_expiry(
    openai_sdk: OpenAI, batch_emulator: EmulatorHandle
) -> None:
    batch = start(
        openai_sdk, chat_file(1), output_expires_after={"anchor": "created_at", "seconds": 7200}
    )
    batch_emulator.advance(hours=1)
    done = openai_sdk.batches.retrieve(batch.id)
    assert done.output_file_id is not None
    output = openai_sdk.files.retrieve(done.output_file_id)
    assert output.expires_at == output.created_at + 7200
