"""Native names: every lookup takes the id the SDK hands out, and `BatchInfo.status` is the word
the SDK shows. The expected words are read from the SDKs' own answers, never from our tables."""

from __future__ import annotations

import io
import logging
from pathlib import Path
from typing import Any

import httpx
import pytest

from emulator.serve_log import CallLog
from tests.providers.test_together_sdk import start as start_together

MANUAL = pytest.mark.batch_emulator(timing="manual")
PARAMS = {
    "model": "claude-sonnet-4-5",
    "max_tokens": 8,
    "messages": [{"role": "user", "content": "x"}],
}


def finish(handle: Any, batch_id: str) -> Any:
    for state in ("in_progress", "finalizing", "completed"):
        info = handle.transition(batch_id, state)
    return info


def control(handle: Any) -> httpx.Client:
    return httpx.Client(base_url=handle.url + "/_emulator")


@MANUAL
def test_gemini_names_work_everywhere(batch_emulator: Any, gemini_client: Any) -> None:
    job = gemini_client.batches.create(
        model="gemini-2.5-flash", src=[{"contents": [{"parts": [{"text": "x"}], "role": "user"}]}]
    )
    assert job.name.startswith("batches/")
    info = batch_emulator.batch(job.name)
    assert (info.native_id, info.status) == (job.name, job.state.value)
    # Bifrost's OpenAI-compatible mount rewrites `batches/x` as `batches-x`: that form works too.
    bare = job.name.removeprefix("batches/")
    assert batch_emulator.batch("batches-" + bare).id == batch_emulator.batch(bare).id == bare
    path = f"/batches/{job.name}/transition"
    moved = control(batch_emulator).post(path, json={"to": "in_progress"})
    assert moved.status_code == 200
    running = gemini_client.batches.get(name=job.name)
    assert moved.json()["status"] == running.state.value == "JOB_STATE_RUNNING"
    row = control(batch_emulator).get(f"/batches/{job.name}").json()
    assert (row["native_id"], row["state"]) == (job.name, "in_progress")
    assert batch_emulator.step(job.name).state == "finalizing"  # the handle takes it too
    assert batch_emulator.transition(job.name, "completed").status == "JOB_STATE_SUCCEEDED"
    assert gemini_client.batches.get(name=job.name).state.value == "JOB_STATE_SUCCEEDED"


@MANUAL
def test_anthropic_status_is_ended(batch_emulator: Any, anthropic_client: Any) -> None:
    batch = anthropic_client.messages.batches.create(
        requests=[{"custom_id": "a", "params": PARAMS}]
    )
    info = finish(batch_emulator, batch.id)
    done = anthropic_client.messages.batches.retrieve(batch.id)
    assert (info.status, info.state) == (done.processing_status, "completed")
    assert done.processing_status == "ended"
    list(anthropic_client.messages.batches.results(batch.id))


@MANUAL
def test_mistral_status_is_its_own(batch_emulator: Any, mistral_client: Any) -> None:
    job = mistral_client.batch.jobs.create(
        requests=[{"custom_id": "a", "body": {"messages": [{"role": "user", "content": "x"}]}}],
        model="mistral-small-latest",
        endpoint="/v1/chat/completions",
    )
    info = batch_emulator.transition(job.id, "expired")
    seen = mistral_client.batch.jobs.get(job_id=job.id).status
    assert info.status == seen == "TIMEOUT_EXCEEDED"


@MANUAL
def test_together_status_is_its_own(batch_emulator: Any, tmp_path: Path) -> None:
    sdk = batch_emulator.together_client()
    job = start_together(sdk, tmp_path)
    info = batch_emulator.transition(job.id, "cancelled")
    seen = sdk.batches.retrieve(job.id).status
    assert info.status == str(getattr(seen, "value", seen)) == "CANCELLED"


@MANUAL
def test_openai_words_are_the_core_words(batch_emulator: Any, openai_client: Any) -> None:
    upload = openai_client.files.create(
        file=(
            "in.jsonl",
            b'{"custom_id":"a","method":"POST","url":"/v1/embeddings",'
            b'"body":{"model":"text-embedding-3-small","input":"x"}}\n',
        ),
        purpose="batch",
    )
    batch = openai_client.batches.create(
        input_file_id=upload.id, endpoint="/v1/embeddings", completion_window="24h"
    )
    assert batch_emulator.batch(batch.id).status == batch.status == "validating"
    assert [b.status for b in batch_emulator.batches] == ["validating"]


def test_unknown_native_name_is_still_not_found(batch_emulator: Any) -> None:
    answer = control(batch_emulator).get("/batches/batches/nothing-here")
    assert answer.status_code == 404


@MANUAL
def test_the_serve_log_says_the_providers_word(batch_emulator: Any, gemini_client: Any) -> None:
    out = io.StringIO()
    logger = logging.getLogger("test-native-serve-log")
    logger.addHandler(logging.StreamHandler(out))
    logger.setLevel(logging.INFO)
    log = CallLog(batch_emulator.emulator, logger)
    log.attach()
    try:
        job = gemini_client.batches.create(
            model="gemini-2.5-flash",
            src=[{"contents": [{"parts": [{"text": "x"}], "role": "user"}]}],
        )
        log.drain()  # the log writes on its own thread: the created line is out first
        finish(batch_emulator, job.name)
        gemini_client.batches.get(name=job.name)
        log.drain()
    finally:
        batch_emulator.emulator.service.journal.listeners.remove(log.on_call)
        log.close()
    text = out.getvalue()
    assert f"batch {job.name}: created, JOB_STATE_PENDING [validating]" in text
    assert "JOB_STATE_PENDING [validating] -> JOB_STATE_SUCCEEDED [completed]" in text
