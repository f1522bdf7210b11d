"""The client verdict on Gemini batch jobs, driven through the official google-genai SDK.

A Gemini job keeps per-item errors beside its responses (inline, or in the one responses
file), so `error_file_unread` never applies; an inline job's responses come with the status
read of the finished job; a cancelled or expired job keeps nothing to read.
"""

from __future__ import annotations

import io
import json
import time
from typing import Any

import pytest
from google import genai
from google.genai import errors, types

from emulator import HttpFault, ItemFault
from tests.verdict.conftest import until

pytestmark = pytest.mark.batch_emulator(timing="immediate")
BUGGY = pytest.mark.batch_emulator(verdict="off")
CAREFUL = pytest.mark.batch_emulator(verdict="strict")
MODEL = "gemini-2.5-flash"
INLINE = [{"contents": [{"role": "user", "parts": [{"text": f"q{i}"}]}]} for i in range(3)]


def lines(n: int = 3) -> bytes:
    return "".join(
        json.dumps({"key": f"k{i}", "request": {"contents": [{"parts": [{"text": "hi"}]}]}}) + "\n"
        for i in range(n)
    ).encode()


def wait(client: genai.Client, name: str) -> types.BatchJob:
    job: types.BatchJob = until(lambda: client.batches.get(name=name), lambda j: j.done)
    return job


def file_job(client: genai.Client) -> types.BatchJob:
    upload = client.files.upload(file=io.BytesIO(lines()), config={"mime_type": "jsonl"})
    return client.batches.create(model=MODEL, src=upload.name or "")


@CAREFUL
def test_inline_job_read_through_its_status_passes_strict(
    batch_emulator: Any, gemini_client: genai.Client
) -> None:
    batch_emulator.faults.add(ItemFault(rate=0.34, status=400, message="bad"))
    job = wait(gemini_client, gemini_client.batches.create(model=MODEL, src=INLINE).name or "")
    answers = job.dest.inlined_responses if job.dest else None
    assert answers is not None and len(answers) == 3
    assert any(a.error is not None for a in answers)


@BUGGY
def test_file_job_whose_responses_are_never_downloaded(
    batch_emulator: Any, gemini_client: genai.Client
) -> None:
    job = wait(gemini_client, file_job(gemini_client).name or "")
    assert job.dest is not None and job.dest.file_name
    [finding] = batch_emulator.verdict()
    assert (finding.rule, finding.dialect) == ("results_unread", "gemini")
    assert [(e.operation, e.state) for e in finding.evidence] == [("batches.get", "completed")]


@CAREFUL
def test_file_job_downloaded_passes_strict(
    batch_emulator: Any, gemini_client: genai.Client
) -> None:
    job = wait(gemini_client, file_job(gemini_client).name or "")
    data = gemini_client.files.download(file=job.dest.file_name if job.dest else "")
    assert len(data.splitlines()) == 3


@CAREFUL
@pytest.mark.batch_emulator(scenario="expire")
def test_expired_job_keeps_nothing_to_read(
    batch_emulator: Any, gemini_client: genai.Client
) -> None:
    job = wait(gemini_client, gemini_client.batches.create(model=MODEL, src=INLINE).name or "")
    assert job.state == types.JobState.JOB_STATE_EXPIRED


@BUGGY
def test_the_same_inline_requests_twice_is_a_duplicate(
    batch_emulator: Any, gemini_client: genai.Client
) -> None:
    first = gemini_client.batches.create(model=MODEL, src=INLINE)
    second = gemini_client.batches.create(model=MODEL, src=INLINE)
    [finding] = batch_emulator.verdict()
    assert finding.rule == "duplicate_create"
    assert (second.name or "").endswith(finding.batch_id or "?")
    assert (first.name or "").split("/")[-1] in finding.message


@BUGGY
def test_sdk_retries_ignore_retry_after(batch_emulator: Any) -> None:
    """google-genai's retries use their own backoff: told to wait 2 s, it comes back after
    0.05 s. The verdict names the SDK's behaviour for what it is."""
    batch_emulator.faults.add(
        HttpFault(status=429, operation="batches.get", retry_after=2, times=1)
    )
    retry = types.HttpRetryOptions(attempts=2, initial_delay=0.05, max_delay=0.05, jitter=0)
    client = batch_emulator.gemini_client(http_options={"retry_options": retry})
    job = client.batches.create(model=MODEL, src=INLINE)
    client.batches.get(name=job.name or "")
    [finding] = batch_emulator.verdict()
    assert finding.rule == "retry_too_soon" and finding.dialect == "gemini"
    assert [(e.status, e.retry_after) for e in finding.evidence] == [(429, 2.0), (200, None)]


@CAREFUL
def test_waiting_as_told_passes_strict(batch_emulator: Any, gemini_client: genai.Client) -> None:
    batch_emulator.faults.add(
        HttpFault(status=429, operation="batches.get", retry_after_ms=30, times=1)
    )
    job = gemini_client.batches.create(model=MODEL, src=INLINE)
    for _ in range(2):
        try:
            wait(gemini_client, job.name or "")
            break
        except errors.ClientError as err:
            assert err.response is not None
            time.sleep(float(err.response.headers["retry-after-ms"]) / 1000)
