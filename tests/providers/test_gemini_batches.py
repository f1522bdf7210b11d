"""Gemini batch jobs through the official google-genai SDK (3.x, default `/v1`), over loopback.

Expectations come from the SDK's own types and transformers and from the reference
(shared/reference/anthropic-gemini-batch.md Part B), not from the emulator's code.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from google import genai
from google.genai import errors, types

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "gemini"
MODEL = "gemini-2.5-flash"
SLOW = {"policy": "timed", "validating": 10, "in_progress": 100, "finalizing": 10}


def sdk(emu: Any, **http: Any) -> genai.Client:
    return genai.Client(api_key="test", http_options={"base_url": emu.gemini_base_url, **http})


def raw(emu: Any) -> httpx.Client:
    return httpx.Client(base_url=emu.url, headers={"x-goog-api-key": "test"})


def inline(n: int, prefix: str = "req") -> list[dict[str, Any]]:
    return [
        {
            "contents": [{"parts": [{"text": f"question {i}: what is {i}+{i}?"}], "role": "user"}],
            "metadata": {"key": f"{prefix}-{i}"},
        }
        for i in range(n)
    ]


def finished(emu: Any, client: genai.Client, name: str) -> types.BatchJob:
    emu.advance(hours=1)
    job = client.batches.get(name=name)
    assert job.done, job.state
    return job


def test_create_inline_returns_a_pending_job(batch_emulator: Any) -> None:
    client = sdk(batch_emulator)
    job = client.batches.create(model=MODEL, src=inline(2), config={"display_name": "dn"})
    assert re.fullmatch(r"batches/[^/]+", job.name or "")
    assert job.state == types.JobState.JOB_STATE_PENDING
    assert job.display_name == "dn"
    assert job.model == f"models/{MODEL}"
    assert job.dest is None and not job.done
    assert job.create_time is not None and job.create_time == job.update_time
    assert [r.path for r in batch_emulator.requests] == [f"/v1/models/{MODEL}:batchGenerateContent"]


def test_inline_results_come_back_in_input_order_with_metadata(batch_emulator: Any) -> None:
    client = sdk(batch_emulator)
    job = client.batches.create(model=MODEL, src=inline(6))
    done = finished(batch_emulator, client, job.name or "")
    assert done.state == types.JobState.JOB_STATE_SUCCEEDED
    assert done.end_time is not None and done.create_time is not None
    assert done.create_time <= done.end_time
    assert done.dest is not None and done.dest.file_name is None
    answers = done.dest.inlined_responses or []
    assert [a.metadata for a in answers] == [{"key": f"req-{i}"} for i in range(6)]
    for answer in answers:
        assert answer.error is None and answer.response is not None
        candidate = (answer.response.candidates or [])[0]
        assert candidate.finish_reason == types.FinishReason.STOP
        assert answer.response.text
        usage = answer.response.usage_metadata
        assert usage is not None and usage.total_token_count == (
            (usage.prompt_token_count or 0)
            + (usage.candidates_token_count or 0)
            + (usage.thoughts_token_count or 0)  # recorded: thoughts count into the total
        )


def test_results_are_seeded(batch_emulator: Any) -> None:
    def texts() -> list[str | None]:
        client = sdk(batch_emulator)
        job = client.batches.create(model=MODEL, src=inline(3))
        done = finished(batch_emulator, client, job.name or "")
        return [a.response.text for a in (done.dest.inlined_responses or []) if a.response]

    first = texts()
    seed = batch_emulator.emulator.config.seed
    batch_emulator.reset(seed=seed)  # an explicit reseed replays; a plain reset never repeats
    assert texts() == first
    batch_emulator.reset(seed=seed)
    batch_emulator.configure(seed=99)
    assert texts() != first


def test_generation_config_is_honoured(batch_emulator: Any) -> None:
    client = sdk(batch_emulator)
    request = {
        "contents": "say a lot",
        "config": {"max_output_tokens": 3, "candidate_count": 2, "system_instruction": "terse"},
    }
    job = client.batches.create(model=MODEL, src=[request])
    done = finished(batch_emulator, client, job.name or "")
    response = (done.dest.inlined_responses or [])[0].response if done.dest else None
    assert response is not None and len(response.candidates or []) == 2
    for candidate in response.candidates or []:
        assert candidate.finish_reason == types.FinishReason.MAX_TOKENS
    assert response.usage_metadata is not None
    assert (response.usage_metadata.candidates_token_count or 0) <= 2 * 3


def test_sent_body_is_camel_case_and_accepted_as_snake_case(batch_emulator: Any) -> None:
    """The REST docs show snake_case input; proto-JSON takes both spellings (B2)."""
    body = {
        "batch": {
            "display_name": "snake",
            "input_config": {
                "requests": {
                    "requests": [
                        {
                            "request": {
                                "contents": [{"parts": [{"text": "hi"}]}],
                                "generation_config": {"temperature": 0.1},
                            },
                            "metadata": {"key": "s-1"},
                        }
                    ]
                }
            },
        }
    }
    with raw(batch_emulator) as http:
        created = http.post(f"/v1beta/models/{MODEL}:batchGenerateContent", json=body)
    assert created.status_code == 200
    client = sdk(batch_emulator)  # kept in a name: a collected Client closes its transport
    job = client.batches.get(name=created.json()["name"])
    assert job.display_name == "snake"


def test_file_input_gives_a_responses_file_in_input_order(batch_emulator: Any) -> None:
    client = sdk(batch_emulator)
    data = (FIXTURES / "batch_input.jsonl").read_bytes()
    keys = [json.loads(line)["key"] for line in data.splitlines()]
    upload = client.files.upload(
        file=str(FIXTURES / "batch_input.jsonl"), config={"mime_type": "jsonl"}
    )
    job = client.batches.create(model=MODEL, src=upload.name or "")
    done = finished(batch_emulator, client, job.name or "")
    assert done.state == types.JobState.JOB_STATE_SUCCEEDED
    batch_id = (job.name or "").removeprefix("batches/")
    assert done.dest is not None and done.dest.file_name == f"files/batch-{batch_id}"
    assert done.dest.inlined_responses is None
    lines = [json.loads(x) for x in client.files.download(file=done.dest.file_name).splitlines()]
    assert [line["key"] for line in lines] == keys
    for line in lines:
        assert set(line) == {"key", "response"}
        types.GenerateContentResponse.model_validate(line["response"])  # strict: extra=forbid
    truncated = types.GenerateContentResponse.model_validate(lines[2]["response"])
    assert (truncated.candidates or [])[0].finish_reason == types.FinishReason.MAX_TOKENS


def test_bad_input_file_fails_the_batch(batch_emulator: Any) -> None:
    client = sdk(batch_emulator)
    bad = io.BytesIO(b'{"key": "a", "request": {"contents": []}}\nnot json\n')
    upload = client.files.upload(file=bad, config={"mime_type": "jsonl"})
    job = client.batches.create(model=MODEL, src=upload.name or "")
    done = finished(batch_emulator, client, job.name or "")
    assert done.state == types.JobState.JOB_STATE_FAILED
    assert done.dest is None


def test_missing_contents_is_that_requests_own_error(batch_emulator: Any) -> None:
    entries = [
        {"request": {"contents": [{"parts": [{"text": "fine"}]}]}, "metadata": {"key": "ok"}},
        {"request": {"contents": []}, "metadata": {"key": "empty"}},
    ]
    body = {"batch": {"inputConfig": {"requests": {"requests": entries}}}}
    with raw(batch_emulator) as http:
        name = http.post(f"/v1/models/{MODEL}:batchGenerateContent", json=body).json()["name"]
    client = sdk(batch_emulator)
    done = finished(batch_emulator, client, name)
    first, second = done.dest.inlined_responses or [] if done.dest else []
    assert first.response is not None and first.error is None
    assert second.response is None and second.error is not None
    assert second.error.code == 3  # google.rpc.Code INVALID_ARGUMENT (B5)
    assert second.metadata == {"key": "empty"}


def test_list_pages_newest_first(batch_emulator: Any) -> None:
    client = sdk(batch_emulator)
    names = [client.batches.create(model=MODEL, src=inline(1)).name for _ in range(5)]
    pager = client.batches.list(config={"page_size": 2})
    assert len(pager.page) == 2
    assert [job.name for job in pager] == names[::-1]
    listed = [r for r in batch_emulator.requests if r.path == "/v1/batches"]
    assert len(listed) == 3  # 2 + 2 + 1, stopping when nextPageToken is absent


def test_list_leaves_inlined_responses_out(batch_emulator: Any) -> None:
    """The cookbook: 'The list API currently doesn't return inlined_responses' (B4)."""
    client = sdk(batch_emulator)
    job = client.batches.create(model=MODEL, src=inline(2))
    assert finished(batch_emulator, client, job.name or "").dest is not None
    listed = next(iter(client.batches.list()))
    assert listed.name == job.name and listed.state == types.JobState.JOB_STATE_SUCCEEDED
    assert listed.dest is None


@pytest.mark.batch_emulator(timing="manual")
def test_cancel_goes_straight_to_cancelled(batch_emulator: Any) -> None:
    client = sdk(batch_emulator)
    job = client.batches.create(model=MODEL, src=inline(3))
    assert client.batches.cancel(name=job.name or "") is None
    after = client.batches.get(name=job.name or "")
    assert after.state == types.JobState.JOB_STATE_CANCELLED and after.done
    assert after.end_time is not None and after.dest is None


def test_cancel_of_a_finished_job_is_refused(batch_emulator: Any) -> None:
    client = sdk(batch_emulator)
    job = client.batches.create(model=MODEL, src=inline(1))
    finished(batch_emulator, client, job.name or "")
    with pytest.raises(errors.ClientError) as caught:
        client.batches.cancel(name=job.name or "")
    assert caught.value.code == 400 and caught.value.status == "FAILED_PRECONDITION"


@pytest.mark.batch_emulator(timing=SLOW)
def test_delete_removes_a_running_job(batch_emulator: Any) -> None:
    client = sdk(batch_emulator)
    keep = client.batches.create(model=MODEL, src=inline(1))
    job = client.batches.create(model=MODEL, src=inline(1))
    batch_emulator.advance(20)
    assert client.batches.get(name=job.name or "").state == types.JobState.JOB_STATE_RUNNING
    deleted = client.batches.delete(name=job.name or "")
    assert isinstance(deleted, types.DeleteResourceJob) and deleted.error is None
    with pytest.raises(errors.ClientError) as caught:
        client.batches.get(name=job.name or "")
    assert caught.value.code == 404 and caught.value.status == "NOT_FOUND"
    assert [j.name for j in client.batches.list()] == [keep.name]


@pytest.mark.batch_emulator(timing=SLOW)
def test_states_follow_the_clock(batch_emulator: Any) -> None:
    client = sdk(batch_emulator)
    job = client.batches.create(model=MODEL, src=inline(2))
    seen = [job.state]
    for seconds in (5, 20, 200):
        batch_emulator.advance(seconds)
        seen.append(client.batches.get(name=job.name or "").state)
    assert seen == [
        types.JobState.JOB_STATE_PENDING,
        types.JobState.JOB_STATE_PENDING,
        types.JobState.JOB_STATE_RUNNING,
        types.JobState.JOB_STATE_SUCCEEDED,
    ]


@pytest.mark.batch_emulator(timing="manual")
def test_a_job_left_pending_expires_after_48_hours(batch_emulator: Any) -> None:
    client = sdk(batch_emulator)
    job = client.batches.create(model=MODEL, src=inline(2))
    batch_emulator.advance(hours=47)
    assert client.batches.get(name=job.name or "").state == types.JobState.JOB_STATE_PENDING
    batch_emulator.advance(hours=2)
    expired = client.batches.get(name=job.name or "")
    assert expired.state == types.JobState.JOB_STATE_EXPIRED and expired.done
    assert expired.dest is None


def test_scenario_header_plans_per_request_errors(batch_emulator: Any) -> None:
    client = sdk(batch_emulator)
    job = client.batches.create(
        model=MODEL,
        src=inline(10),
        config={"http_options": {"headers": {"x-emulator-scenario": "errors:0.5"}}},
    )
    done = finished(batch_emulator, client, job.name or "")
    answers = done.dest.inlined_responses or [] if done.dest else []
    failed = [a for a in answers if a.error is not None]
    assert len(answers) == 10 and len(failed) == 5
    assert all(a.response is None and isinstance(a.error.code, int) for a in failed if a.error)
    with raw(batch_emulator) as http:
        stats = http.get(f"/v1/{job.name}").json()["metadata"]["batchStats"]
    assert stats == {"requestCount": "10", "successfulRequestCount": "5", "failedRequestCount": "5"}


def test_v1beta_is_served_too(batch_emulator: Any) -> None:
    client = sdk(batch_emulator, api_version="v1beta")
    job = client.batches.create(model=MODEL, src=inline(1))
    assert finished(batch_emulator, client, job.name or "").dest is not None
    assert {r.path.split("/")[1] for r in batch_emulator.requests} == {"v1beta"}


def test_unknown_model_is_not_found(batch_emulator: Any) -> None:
    client = sdk(batch_emulator)
    with pytest.raises(errors.ClientError) as caught:
        client.batches.create(model="no-such-model", src=inline(1))
    assert caught.value.code == 404 and caught.value.status == "NOT_FOUND"
