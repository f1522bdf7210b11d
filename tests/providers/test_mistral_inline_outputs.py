"""`GET /v1/batch/jobs/{id}?inline=true` through the official `mistralai` SDK: the finished job's
result lines in `outputs`.

Evidence: the `inline` query parameter ("If True, return results inline in the response") and
`BatchJob.outputs` (a nullable list of objects) of mistralai's generated client, and the
@mistralai/mistralai example examples/src/async_batch_jobs.ts, which creates a job with inline
`requests` and prints each output's `response.body`. No recorded `outputs` exists; each entry
is expected to be what the output (or error) file holds for that request, so the test compares
the two through the SDK's own readers.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from mistralai.client import Mistral
from mistralai.client.models import ChatCompletionResponse

from emulator.handle import EmulatorHandle

MODEL = "mistral-small-latest"
ENDPOINT = "/v1/chat/completions"


def client(handle: EmulatorHandle) -> Mistral:
    return Mistral(api_key="mistral-test", server_url=handle.mistral_server_url)


def requests(n: int) -> list[dict[str, Any]]:
    """The example's inline requests: `customId` i, "What's i + i"."""
    return [
        {
            "custom_id": str(i),
            "body": {"messages": [{"role": "user", "content": f"What's i + {i}"}]},
        }
        for i in range(n)
    ]


def lines(sdk: Mistral, file_id: str | None) -> list[dict[str, Any]]:
    if file_id is None:
        return []
    data = sdk.files.download(file_id=file_id).read().decode()
    return [json.loads(line) for line in data.splitlines()]


def test_inline_job_outputs_are_its_result_lines(batch_emulator: EmulatorHandle) -> None:
    sdk = client(batch_emulator)
    job = sdk.batch.jobs.create(requests=requests(5), model=MODEL, endpoint=ENDPOINT)
    batch_emulator.advance(hours=1)
    done = sdk.batch.jobs.get(job_id=job.id, inline=True)
    assert done.status == "SUCCESS"
    assert done.outputs is not None and len(done.outputs) == 5
    assert sorted(o["custom_id"] for o in done.outputs) == ["0", "1", "2", "3", "4"]
    for output in done.outputs:
        assert output["error"] is None and output["response"]["status_code"] == 200
        reply = ChatCompletionResponse.model_validate(output["response"]["body"])
        assert reply.choices[0].message.role == "assistant"
    assert done.output_file  # the file is still written (mistralai's BatchClient reads it)
    by_id = {line["custom_id"]: line for line in lines(sdk, done.output_file)}
    assert {o["custom_id"]: o for o in done.outputs} == by_id


def test_without_inline_outputs_stay_null(batch_emulator: EmulatorHandle) -> None:
    sdk = client(batch_emulator)
    job = sdk.batch.jobs.create(requests=requests(2), model=MODEL, endpoint=ENDPOINT)
    batch_emulator.advance(hours=1)
    for done in (
        sdk.batch.jobs.get(job_id=job.id),
        sdk.batch.jobs.get(job_id=job.id, inline=False),
    ):
        assert done.status == "SUCCESS"
        assert done.outputs is None


def test_outputs_are_null_before_the_job_ends(batch_emulator: EmulatorHandle) -> None:
    sdk = client(batch_emulator)
    job = sdk.batch.jobs.create(requests=requests(2), model=MODEL, endpoint=ENDPOINT)
    running = sdk.batch.jobs.get(job_id=job.id, inline=True)
    assert running.status in ("QUEUED", "RUNNING")
    assert running.outputs is None


def test_file_job_and_failed_lines_inline(batch_emulator: EmulatorHandle) -> None:
    """A file job answers `inline=true` as well; failed requests are among the outputs with the
    line their error file holds."""
    sdk = client(batch_emulator)
    data = "".join(json.dumps(r) + "\n" for r in requests(10)).encode()
    uploaded = sdk.files.upload(file={"file_name": "b.jsonl", "content": data}, purpose="batch")
    job = sdk.batch.jobs.create(
        input_files=[uploaded.id],
        model=MODEL,
        endpoint=ENDPOINT,
        metadata={"emulator_scenario": "errors:0.3"},
    )
    batch_emulator.advance(hours=1)
    done = sdk.batch.jobs.get(job_id=job.id, inline=True)
    assert (done.succeeded_requests, done.failed_requests) == (7, 3)
    assert done.outputs is not None
    on_file = lines(sdk, done.output_file) + lines(sdk, done.error_file)
    key = lambda line: line["custom_id"]  # noqa: E731
    assert sorted(done.outputs, key=key) == sorted(on_file, key=key)
    failed = [o for o in done.outputs if o["response"]["status_code"] >= 400]
    assert len(failed) == 3


def test_cancelled_job_outputs_hold_the_unrun_requests(batch_emulator: EmulatorHandle) -> None:
    sdk = client(batch_emulator)
    job = sdk.batch.jobs.create(requests=requests(3), model=MODEL, endpoint=ENDPOINT)
    sdk.batch.jobs.cancel(job_id=job.id)
    batch_emulator.advance(hours=1)
    done = sdk.batch.jobs.get(job_id=job.id, inline=True)
    assert done.status == "CANCELLED"
    assert done.outputs is not None
    assert sorted(o["custom_id"] for o in done.outputs) == ["0", "1", "2"]
    assert all(o["response"] is None and o["error"] for o in done.outputs)


@pytest.mark.parametrize("value", ["maybe", "", "2"])
def test_a_non_boolean_inline_is_a_400(batch_emulator: EmulatorHandle, value: str) -> None:
    sdk = client(batch_emulator)
    job = sdk.batch.jobs.create(requests=requests(1), model=MODEL, endpoint=ENDPOINT)
    answer = httpx.get(
        f"{batch_emulator.mistral_server_url}/v1/batch/jobs/{job.id}",
        params={"inline": value},
        headers={"authorization": "Bearer k"},
    )
    assert answer.status_code == 400
    assert answer.json()["object"] == "error"


def test_the_verdict_counts_an_inline_read_as_reading_results(
    batch_emulator: EmulatorHandle,
) -> None:
    """The example's flow (poll to SUCCESS, read `outputs`) reads the results; polling alone
    does not, and the verdict says so."""
    sdk = client(batch_emulator)
    read = sdk.batch.jobs.create(requests=requests(1), model=MODEL, endpoint=ENDPOINT)
    unread = sdk.batch.jobs.create(requests=requests(1), model=MODEL, endpoint=ENDPOINT)
    batch_emulator.advance(hours=1)
    for job in (read, unread):
        assert sdk.batch.jobs.get(job_id=job.id).status == "SUCCESS"
    assert sdk.batch.jobs.get(job_id=read.id, inline=True).outputs
    flagged = {f.batch_id for f in batch_emulator.verdict() if f.rule == "results_unread"}
    assert flagged == {unread.id}
