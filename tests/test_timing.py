"""Timing policies through the OpenAI SDK: per server, per test (marker) and per batch (header).

Expected sequences come from the policy definitions in DESIGN.md section 3 (one phase per N
reads for polls:N; validating -> in_progress -> finalizing -> completed), not from the code.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import openai
import pytest
from freezegun import freeze_time
from openai import OpenAI
from openai.types import Batch

from emulator import Emulator
from emulator.handle import EmulatorHandle

HOUR = 3600


def submit(client: OpenAI, n: int = 1, **kwargs: object) -> Batch:
    lines = [
        json.dumps(
            {
                "custom_id": f"r{i}",
                "method": "POST",
                "url": "/v1/chat/completions",
                "body": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]},
            }
        )
        for i in range(n)
    ]
    upload = client.files.create(file=("in.jsonl", "\n".join(lines).encode()), purpose="batch")
    return client.batches.create(
        input_file_id=upload.id,
        endpoint="/v1/chat/completions",
        completion_window="24h",
        **kwargs,  # type: ignore[arg-type]
    )


def statuses(client: OpenAI, batch_id: str, reads: int) -> list[str]:
    return [client.batches.retrieve(batch_id).status for _ in range(reads)]


@pytest.mark.batch_emulator(timing="immediate")
def test_immediate_is_done_on_the_first_read(openai_client):
    batch = submit(openai_client, 3)
    assert batch.status == "validating"  # the create response is the batch as created
    done = openai_client.batches.retrieve(batch.id)
    assert done.status == "completed"
    assert done.request_counts is not None
    assert (done.request_counts.total, done.request_counts.completed) == (3, 3)


SLOW = {"policy": "timed", "validating": 10, "in_progress": 10, "per_request": 1, "finalizing": 10}


@pytest.mark.batch_emulator(timing=SLOW)
def test_timed_phases_scale_with_batch_size(openai_client, batch_emulator):
    small, big = submit(openai_client, 2), submit(openai_client, 20)
    # Work ends at validating + in_progress + per_request * n: 22 s for 2 requests, 40 s for 20.
    checkpoints = [
        (5, "validating", "validating"),
        (11, "in_progress", "in_progress"),
        (23, "finalizing", "in_progress"),
        (33, "completed", "in_progress"),
        (41, "completed", "finalizing"),
        (51, "completed", "completed"),
    ]
    elapsed = 0
    for at, small_status, big_status in checkpoints:
        batch_emulator.advance(at - elapsed)
        elapsed = at
        got = (
            openai_client.batches.retrieve(small.id).status,
            openai_client.batches.retrieve(big.id).status,
        )
        assert got == (small_status, big_status), f"at +{at}s"
    done = openai_client.batches.retrieve(small.id)
    assert done.completed_at is not None
    assert abs(done.completed_at - done.created_at - 32) <= 1


@pytest.mark.batch_emulator(timing="polls:2")
def test_polls_n_moves_one_phase_per_n_reads(openai_client, batch_emulator):
    batch = submit(openai_client)
    batch_emulator.advance(hours=1)  # the clock alone does not move a poll-driven batch
    assert statuses(openai_client, batch.id, 7) == [
        "validating",
        "in_progress",
        "in_progress",
        "finalizing",
        "finalizing",
        "completed",
        "completed",
    ]


@pytest.mark.batch_emulator(timing="manual")
def test_manual_moves_only_when_stepped(openai_client, batch_emulator):
    batch = submit(openai_client, 4)
    batch_emulator.advance(hours=23)
    assert statuses(openai_client, batch.id, 3) == ["validating"] * 3
    seen = []
    for _ in range(3):
        batch_emulator.step(batch.id)
        seen.append(openai_client.batches.retrieve(batch.id).status)
    assert seen == ["in_progress", "finalizing", "completed"]
    done = openai_client.batches.retrieve(batch.id)
    assert done.output_file_id is not None
    lines = openai_client.files.content(done.output_file_id).text.splitlines()
    assert sorted(json.loads(line)["custom_id"] for line in lines) == ["r0", "r1", "r2", "r3"]


@pytest.mark.batch_emulator(timing="manual")
def test_manual_transition_and_expiry_still_apply(openai_client, batch_emulator):
    forced, left = submit(openai_client), submit(openai_client)
    batch_emulator.transition(forced.id, "in_progress")
    assert openai_client.batches.retrieve(forced.id).status == "in_progress"
    batch_emulator.transition(forced.id, "completed")
    assert openai_client.batches.retrieve(forced.id).status == "completed"
    batch_emulator.advance(hours=24)  # manual stops phase progression, not the clock
    expired = openai_client.batches.retrieve(left.id)
    assert expired.status == "expired"
    assert expired.expired_at == left.created_at + 24 * HOUR


@pytest.mark.batch_emulator(timing="script:in_progress,finalizing,completed")
def test_script_shows_one_state_per_read_then_repeats_the_last(openai_client):
    batch = submit(openai_client)
    assert statuses(openai_client, batch.id, 4) == [
        "in_progress",
        "finalizing",
        "completed",
        "completed",
    ]


@pytest.mark.batch_emulator(timing=SLOW)
def test_per_batch_header_overrides_the_test_timing(openai_client):
    quick = submit(openai_client, extra_headers={"x-emulator-timing": "immediate"})
    polled = submit(openai_client, extra_headers={"x-emulator-timing": "polls:1"})
    normal = submit(openai_client)
    assert openai_client.batches.retrieve(quick.id).status == "completed"
    assert statuses(openai_client, polled.id, 2) == ["in_progress", "finalizing"]
    assert openai_client.batches.retrieve(normal.id).status == "validating"


def test_a_bad_timing_header_is_a_400(openai_client):
    with pytest.raises(openai.BadRequestError) as info:
        submit(openai_client, extra_headers={"x-emulator-timing": "sometimes"})
    assert info.value.status_code == 400
    assert "x-emulator-timing" in str(info.value)


def test_timing_per_server_without_pytest_fixtures():
    handle = EmulatorHandle.serve(Emulator(timing="polls:3"))
    try:
        with handle.openai_client() as client:
            batch = submit(client)
            assert statuses(client, batch.id, 3) == ["validating", "validating", "in_progress"]
    finally:
        handle.stop()


def test_naive_polling_loop_finishes_within_a_second(openai_client):
    """The user's own code under test: sleeping between polls is what it does."""
    start = time.perf_counter()
    batch = submit(openai_client, 20)
    while batch.status != "completed":
        assert time.perf_counter() - start < 1.0, f"still {batch.status}"
        time.sleep(0.05)
        batch = openai_client.batches.retrieve(batch.id)
    assert time.perf_counter() - start < 1.0
    assert batch.request_counts is not None and batch.request_counts.completed == 20


# The default `timed` policy, as documented (README "Timing policies"): validating 0.2 s,
# in_progress 0.3 s + 5 ms per request but at most 8 s, finalizing 0.1 s. Time is frozen so
# the instants are exact however long the upload takes on a busy machine.
FROZEN = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)


def _states_at(
    client: OpenAI, emulator: EmulatorHandle, batch_id: str, marks: list[float]
) -> list[str]:
    seen, elapsed = [], 0.0
    for at in marks:
        emulator.advance(at - elapsed)
        elapsed = at
        seen.append(client.batches.retrieve(batch_id).status)
    return seen


def test_default_timing_shows_every_state_of_a_100_request_batch_within_about_a_second(
    openai_client, batch_emulator
):
    with freeze_time(FROZEN):
        batch = submit(openai_client, 100)  # work ends at 0.2 + 0.3 + 0.5 = 1.0 s, done at 1.1 s
        marks = [0.1, 0.3, 0.95, 1.05, 1.15]
        assert _states_at(openai_client, batch_emulator, batch.id, marks) == [
            "validating",
            "in_progress",
            "in_progress",
            "finalizing",
            "completed",
        ]


def test_default_timing_ends_a_big_batch_within_the_cap(openai_client, batch_emulator):
    with freeze_time(FROZEN):
        batch = submit(openai_client, 3000)  # 0.3 + 15 s of work uncapped; capped at 8 s
        assert _states_at(openai_client, batch_emulator, batch.id, [8.1, 8.25, 8.35]) == [
            "in_progress",
            "finalizing",
            "completed",
        ]


def test_linear_timing_scales_without_a_cap(openai_client, batch_emulator):
    with freeze_time(FROZEN):
        linear = submit(openai_client, 3000, extra_headers={"x-emulator-timing": "timed:linear"})
        # 0.2 validating, then 0.3 + 3000 * 0.005 = 15.3 s of work, then 0.1 finalizing.
        assert _states_at(openai_client, batch_emulator, linear.id, [8.5, 15.45, 15.55, 15.65]) == [
            "in_progress",
            "in_progress",
            "finalizing",
            "completed",
        ]


@pytest.mark.batch_emulator(timing={"policy": "timed", "per_request": 0.01})
def test_durations_set_by_hand_are_not_capped(openai_client, batch_emulator):
    with freeze_time(FROZEN):
        batch = submit(openai_client, 1000)  # 0.2 + 0.3 + 10 s: past the default 8 s bound
        assert _states_at(openai_client, batch_emulator, batch.id, [9.0, 10.45, 10.55, 10.65]) == [
            "in_progress",
            "in_progress",
            "finalizing",
            "completed",
        ]
