"""Mistral through the official `mistralai` SDK, unmodified, over loopback (reference
more-providers §3). The SDK validates every answer against its pydantic models, so each call
succeeding is itself a check that every required field is present and typed as it expects."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from mistralai.client import Mistral, errors
from mistralai.client.models import BatchJob, ChatCompletionResponse, EmbeddingResponse
from mistralai.extra.batch import BatchOutput

from emulator import HttpFault
from emulator.handle import EmulatorHandle

MODEL = "mistral-small-latest"


def client(handle: EmulatorHandle) -> Mistral:
    return Mistral(api_key="mistral-test", server_url=handle.mistral_server_url)


def jsonl(n: int, **body: Any) -> bytes:
    lines = [
        {
            "custom_id": str(i),
            "body": {"max_tokens": 20, "messages": [{"role": "user", "content": f"q{i}"}], **body},
        }
        for i in range(n)
    ]
    return "".join(json.dumps(x) + "\n" for x in lines).encode()


def upload(sdk: Mistral, data: bytes) -> str:
    return sdk.files.upload(file={"file_name": "batch.jsonl", "content": data}, purpose="batch").id


def start(sdk: Mistral, n: int = 3, **kw: Any) -> BatchJob:
    return sdk.batch.jobs.create(
        input_files=[upload(sdk, jsonl(n))], model=MODEL, endpoint="/v1/chat/completions", **kw
    )


def test_upload_create_poll_download_parse(batch_emulator: EmulatorHandle) -> None:
    sdk = client(batch_emulator)
    uploaded = sdk.files.upload(
        file={"file_name": "batch.jsonl", "content": jsonl(3)}, purpose="batch"
    )
    assert (uploaded.purpose, uploaded.sample_type, uploaded.source) == (
        "batch",
        "batch_request",
        "upload",
    )
    job = sdk.batch.jobs.create(
        input_files=[uploaded.id], model=MODEL, endpoint="/v1/chat/completions", metadata={"k": "v"}
    )
    assert job.status == "QUEUED"
    assert str(uuid.UUID(job.id)) == job.id  # job ids are UUIDs (docs.mistral.ai)
    assert (job.model, job.input_files, job.metadata) == (MODEL, [uploaded.id], {"k": "v"})
    # Recorded (mistralai/cookbook): a QUEUED job answers total_requests=0
    assert (job.total_requests, job.succeeded_requests) == (0, 0)
    batch_emulator.advance(hours=1)
    done = sdk.batch.jobs.get(job_id=job.id)
    assert done.status == "SUCCESS"
    assert (
        done.total_requests,
        done.completed_requests,
        done.succeeded_requests,
        done.failed_requests,
    ) == (3, 3, 3, 0)
    assert done.output_file and done.error_file is None
    assert done.started_at is not None and done.completed_at is not None
    meta = sdk.files.retrieve(file_id=done.output_file)
    assert (meta.sample_type, meta.source, meta.deleted) == ("batch_result", "mistral", False)
    data = sdk.files.download(file_id=done.output_file).read()
    parsed = BatchOutput.from_jsonl_bytes(data, ChatCompletionResponse)
    assert sorted(parsed.responses) == ["0", "1", "2"]
    reply = parsed.responses["0"]
    assert reply.model == MODEL
    assert reply.choices[0].finish_reason in ("stop", "length")


def test_inline_requests_and_embeddings(batch_emulator: EmulatorHandle) -> None:
    sdk = client(batch_emulator)
    job = sdk.batch.jobs.create(
        requests=[{"custom_id": "a", "body": {"input": ["hello"]}}, {"body": {"input": ["x"]}}],
        model="mistral-embed",
        endpoint="/v1/embeddings",
    )
    batch_emulator.advance(hours=1)
    done = sdk.batch.jobs.get(job_id=job.id)
    assert done.status == "SUCCESS" and done.output_file
    parsed = BatchOutput.from_jsonl_bytes(
        sdk.files.download(file_id=done.output_file).read(), EmbeddingResponse
    )
    assert sorted(parsed.responses) == ["1", "a"]  # a line without custom_id gets its index


def test_partial_failure_is_success_with_an_error_file(batch_emulator: EmulatorHandle) -> None:
    sdk = client(batch_emulator)
    job = start(sdk, 10, metadata={"emulator_scenario": "errors:0.3"})
    batch_emulator.advance(hours=1)
    done = sdk.batch.jobs.get(job_id=job.id)
    assert done.status == "SUCCESS"
    assert (done.succeeded_requests, done.failed_requests) == (7, 3)
    assert done.error_file
    assert sdk.files.retrieve(file_id=done.error_file).sample_type == "batch_error"
    failed = BatchOutput.from_jsonl_bytes(
        sdk.files.download(file_id=done.error_file).read(), ChatCompletionResponse
    )
    assert len(failed.request_errors) == 3


@pytest.mark.batch_emulator(timing={"policy": "manual"})  # no result files appear meanwhile
def test_list_pages_by_number_with_total(batch_emulator: EmulatorHandle) -> None:
    sdk = client(batch_emulator)
    made = [start(sdk, 1).id for _ in range(5)]
    first = sdk.batch.jobs.list(page=0, page_size=2)
    assert first.total == 5 and first.data is not None and len(first.data) == 2
    seen = []
    for page in range(3):
        listed = sdk.batch.jobs.list(page=page, page_size=2)
        seen += [j.id for j in listed.data or []]
    assert seen == list(reversed(made))  # newest first by default (`-created`)
    oldest = sdk.batch.jobs.list(page=0, page_size=1, order_by="created")
    assert [j.id for j in oldest.data or []] == [made[0]]
    files = sdk.files.list(page=0, page_size=2)
    assert files.total == 5 and len(files.data) == 2


def test_status_filter(batch_emulator: EmulatorHandle) -> None:
    sdk = client(batch_emulator)
    finished = start(sdk, 1)
    batch_emulator.advance(hours=1)
    running = (
        start(sdk, 1, extra_headers=None)
        if False
        else sdk.batch.jobs.create(
            input_files=[upload(sdk, jsonl(1))],
            model=MODEL,
            endpoint="/v1/chat/completions",
            http_headers={"x-emulator-timing": "manual"},
        )
    )
    queued = sdk.batch.jobs.list(status=["QUEUED"])
    assert [j.id for j in queued.data or []] == [running.id]
    assert [j.id for j in sdk.batch.jobs.list(status=["SUCCESS"]).data or []] == [finished.id]


@pytest.mark.batch_emulator(timing={"policy": "manual"})
def test_cancel_requested_then_cancelled_then_deleted(batch_emulator: EmulatorHandle) -> None:
    sdk = client(batch_emulator)
    job = start(sdk, 2)
    with pytest.raises(errors.SDKError) as refused:
        sdk.batch.jobs.delete(job_id=job.id)  # still running
    assert refused.value.status_code == 400
    cancelling = sdk.batch.jobs.cancel(job_id=job.id)
    assert cancelling.status in ("CANCELLATION_REQUESTED", "CANCELLED")
    batch_emulator.advance(minutes=10)
    assert sdk.batch.jobs.get(job_id=job.id).status == "CANCELLED"
    deleted = sdk.batch.jobs.delete(job_id=job.id)
    assert (deleted.id, deleted.deleted) == (job.id, True)
    with pytest.raises(errors.SDKError) as gone:
        sdk.batch.jobs.get(job_id=job.id)
    assert gone.value.status_code == 404


def test_not_found_is_sdkerror_with_status(batch_emulator: EmulatorHandle) -> None:
    sdk = client(batch_emulator)
    with pytest.raises(errors.SDKError) as caught:
        sdk.batch.jobs.get(job_id="00000000-0000-0000-0000-000000000000")
    assert caught.value.status_code == 404
    assert json.loads(caught.value.body)["object"] == "error"
    with pytest.raises(errors.SDKError):
        sdk.files.retrieve(file_id="missing")


@pytest.mark.parametrize(
    ("scenario", "status"),
    [("fail", "FAILED"), ("expire", "TIMEOUT_EXCEEDED"), ("success", "SUCCESS")],
)
def test_scenarios_map_to_mistral_statuses(
    batch_emulator: EmulatorHandle, scenario: str, status: str
) -> None:
    sdk = client(batch_emulator)
    job = start(sdk, 4, timeout_hours=2, http_headers={"x-emulator-scenario": scenario})
    batch_emulator.advance(hours=3)
    done = sdk.batch.jobs.get(job_id=job.id)
    assert done.status == status
    if status == "FAILED":
        assert done.errors and done.errors[0].message


def test_invalid_lines_fail_the_job_with_errors(batch_emulator: EmulatorHandle) -> None:
    sdk = client(batch_emulator)
    bad = b'{"custom_id": "0", "body": {"messages": []}}\nnot json\n'
    job = sdk.batch.jobs.create(
        input_files=[upload(sdk, bad)], model=MODEL, endpoint="/v1/chat/completions"
    )
    batch_emulator.advance(hours=1)
    failed = sdk.batch.jobs.get(job_id=job.id)
    assert failed.status == "FAILED"
    assert failed.errors


def test_unknown_model_is_refused(batch_emulator: EmulatorHandle) -> None:
    sdk = client(batch_emulator)
    with pytest.raises(errors.SDKError) as caught:
        sdk.batch.jobs.create(
            input_files=[upload(sdk, jsonl(1))], model="gpt-4o", endpoint="/v1/chat/completions"
        )
    assert caught.value.status_code == 400


def test_rate_limit_fault_reaches_the_sdk(batch_emulator: EmulatorHandle) -> None:
    sdk = client(batch_emulator)
    batch_emulator.faults.add(HttpFault(status=429, dialect="mistral", operation="batch.jobs.list"))
    with pytest.raises(errors.SDKError) as caught:
        sdk.batch.jobs.list()
    assert caught.value.status_code == 429
    assert json.loads(caught.value.body)["type"] == "rate_limited"


def test_download_is_octet_stream_and_signed_url_serves_it(batch_emulator: EmulatorHandle) -> None:
    import httpx

    sdk = client(batch_emulator)
    file_id = upload(sdk, jsonl(1))
    answer = httpx.get(
        f"{batch_emulator.mistral_server_url}/v1/files/{file_id}/content",
        headers={"Authorization": "Bearer k"},
    )
    assert answer.headers["content-type"] == "application/octet-stream"
    assert sdk.files.get_signed_url(file_id=file_id).url.endswith(f"/files/{file_id}/content")


def test_fault_options_mistralai_never_reads_are_refused(batch_emulator: EmulatorHandle) -> None:
    from emulator.core.faults import FaultError

    with pytest.raises(FaultError, match="x-should-retry"):
        batch_emulator.add_fault(HttpFault(status=503, dialect="mistral", should_retry=True))


def test_missing_input_file_fails_the_job(batch_emulator: EmulatorHandle) -> None:
    sdk = client(batch_emulator)
    job = sdk.batch.jobs.create(
        input_files=["0b7e1d2c-0000-4000-8000-000000000000"],
        model=MODEL,
        endpoint="/v1/chat/completions",
    )
    batch_emulator.advance(hours=1)
    failed = sdk.batch.jobs.get(job_id=job.id)
    assert failed.status == "FAILED"
    assert "0b7e1d2c-0000-4000-8000-000000000000" in failed.errors[0].message
