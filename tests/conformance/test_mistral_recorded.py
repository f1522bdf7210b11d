"""Mistral against the job and output file Mistral's own batch cookbook printed from
api.mistral.ai (fixtures/recorded/mistral/batch_api_example.json), through the official
`mistralai` SDK over loopback and the raw output bytes: keys, nulls, id shapes, counts."""

from __future__ import annotations

import json
import re

import pytest
from mistralai.client import Mistral

from emulator.handle import EmulatorHandle
from tests.conformance.recorded import load, nulls, shape

RECORDED = load("mistral/batch_api_example.json")
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
LINE_ID = re.compile("0-" + UUID)
BODY_ID = re.compile(r"[0-9a-f]{32}")
MODEL = "pixtral-large-latest"


def client(handle: EmulatorHandle) -> Mistral:
    return Mistral(api_key="m", server_url=handle.mistral_server_url)


def lines(n: int) -> bytes:
    rows = [
        {
            "custom_id": str(i),
            "body": {"max_tokens": 100, "messages": [{"role": "user", "content": "hi"}]},
        }
        for i in range(n)
    ]
    return b"\n".join(json.dumps(r).encode() for r in rows)  # no final newline, as the cookbook


def create(handle: EmulatorHandle) -> tuple[Mistral, str, dict[str, object]]:
    sdk = client(handle)
    up = sdk.files.upload(file={"file_name": "file.jsonl", "content": lines(10)}, purpose="batch")
    job = sdk.batch.jobs.create(
        input_files=[up.id],
        model=MODEL,
        endpoint="/v1/chat/completions",
        metadata={"job_type": "testing"},
    )
    return sdk, job.id, job.model_dump(by_alias=True)


@pytest.mark.batch_emulator(timing="manual")
def test_the_create_answer_reports_zero_requests_while_queued(
    batch_emulator: EmulatorHandle,
) -> None:
    want = RECORDED["created"]
    _, job_id, job = create(batch_emulator)
    assert re.fullmatch(UUID, job_id) and re.fullmatch(UUID, want["id"])
    picked = {
        k: job[k]
        for k in (
            "status",
            "total_requests",
            "completed_requests",
            "succeeded_requests",
            "failed_requests",
            "errors",
            "output_file",
            "error_file",
            "started_at",
            "completed_at",
        )
    }
    assert picked == {k: want[k] for k in picked}


def test_finished_job_and_output_lines_match_the_recording(batch_emulator: EmulatorHandle) -> None:
    sdk, job_id, _ = create(batch_emulator)
    batch_emulator.advance(hours=1)
    done = sdk.batch.jobs.get(job_id=job_id)
    want = RECORDED["finished"]
    assert (done.status, done.total_requests, done.succeeded_requests, done.failed_requests) == (
        want["status"],
        want["total_requests"],
        want["succeeded_requests"],
        want["failed_requests"],
    )
    assert (done.error_file is None) == (want["error_file"] is None)  # no failures: no error file
    assert done.output_file and re.fullmatch(UUID, done.output_file)
    raw = sdk.files.download(file_id=done.output_file).read().decode()
    got = [json.loads(x) for x in raw.splitlines()]
    line = got[0]
    recorded = RECORDED["output_line"]
    assert shape(line) == shape(recorded) and nulls(line) == nulls(recorded)
    assert shape(line["response"]["body"]) == shape(recorded["response"]["body"])
    message = line["response"]["body"]["choices"][0]["message"]
    assert list(message) == list(recorded["response"]["body"]["choices"][0]["message"])
    assert message["tool_calls"] is None  # recorded: null, not absent
    assert line["response"]["body"]["model"] == recorded["response"]["body"]["model"] == MODEL
    for item in got:
        assert LINE_ID.fullmatch(item["id"]) and BODY_ID.fullmatch(item["response"]["body"]["id"])
    assert LINE_ID.fullmatch(recorded["id"]) and LINE_ID.fullmatch(RECORDED["last_line_id"])
    assert BODY_ID.fullmatch(recorded["response"]["body"]["id"])
    assert len({item["id"] for item in got}) == len(got) == 10
