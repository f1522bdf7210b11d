"""Together through the official `together` SDK, unmodified, over loopback (reference
more-providers §4): the three-step upload, `{job}` on create, a bare-array list, UPPERCASE
statuses and ISO timestamps, all as the SDK's own code and types expect them."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
import together
from together import Together

from emulator import HttpFault
from emulator.handle import EmulatorHandle
from tests.providers.conftest import parse_jsonl

MODEL = "meta-llama/Llama-3.3-70B-Instruct-Turbo"
CHAT = "/v1/chat/completions"


def client(handle: EmulatorHandle, **kw: Any) -> Together:
    return Together(base_url=handle.together_base_url, api_key="tg-test", **kw)


def write(tmp_path: Path, n: int, model: str = MODEL, name: str = "batch.jsonl") -> Path:
    path = tmp_path / name
    lines = [
        {
            "custom_id": f"req-{i}",
            "body": {
                "model": model,
                "messages": [{"role": "user", "content": "hi"}],
                "max_tokens": 20,
            },
        }
        for i in range(n)
    ]
    path.write_text("".join(json.dumps(x) + "\n" for x in lines))
    return path


def start(sdk: Together, tmp_path: Path, n: int = 3, **kw: Any) -> Any:
    uploaded = sdk.files.upload(file=write(tmp_path, n), purpose="batch-api")
    return sdk.batches.create(input_file_id=uploaded.id, endpoint=CHAT, **kw).job


def test_three_step_upload_as_the_sdk_drives_it(
    batch_emulator: EmulatorHandle, tmp_path: Path
) -> None:
    sdk = client(batch_emulator)
    uploaded = sdk.files.upload(file=write(tmp_path, 2), purpose="batch-api")
    assert (uploaded.purpose, uploaded.file_type, uploaded.processing_status) == (
        "batch-api",
        "jsonl",
        "COMPLETED",
    )
    assert uploaded.bytes == (tmp_path / "batch.jsonl").stat().st_size
    steps = [(e.method, e.operation, e.status) for e in batch_emulator.requests]
    assert steps == [
        ("POST", "files.upload", 302),
        ("PUT", "files.put", 200),
        ("POST", "files.preprocess", 200),
    ]
    raw = httpx.post(
        f"{batch_emulator.together_base_url}/v1/files",
        data={"purpose": "batch-api", "file_name": "x.jsonl", "file_type": "jsonl"},
        headers={"Authorization": "Bearer k"},
    )
    assert raw.status_code == 302
    location = httpx.URL(raw.headers["location"])
    assert location.path.endswith(f"/files/{raw.headers['x-together-file-id']}/upload")
    assert location.params["signature"]  # a one-time signed URL, as Together's presigned one
    assert sdk.files.retrieve(uploaded.id).id == uploaded.id


def test_put_with_wrong_bytes_fails_the_checksum(batch_emulator: EmulatorHandle) -> None:
    start_ = httpx.post(
        f"{batch_emulator.together_base_url}/v1/files",
        data={
            "purpose": "batch-api",
            "file_name": "x.jsonl",
            "file_type": "jsonl",
            "checksum": "0" * 64,
        },
        headers={"Authorization": "Bearer k"},
    )
    put = httpx.put(start_.headers["location"], content=b'{"a": 1}\n')
    assert put.status_code == 400


def test_create_poll_download(batch_emulator: EmulatorHandle, tmp_path: Path) -> None:
    sdk = client(batch_emulator)
    created = sdk.batches.create(
        input_file_id=sdk.files.upload(file=write(tmp_path, 3), purpose="batch-api").id,
        endpoint=CHAT,
    )
    assert created.warning is None
    job = created.job
    assert job is not None and job.status == "VALIDATING"
    assert job.id is not None and str(uuid.UUID(job.id)) == job.id  # UUIDs, as the docs show
    assert job.created_at is not None and job.created_at.tzinfo is not None  # ISO-8601, parsed
    assert (
        job.job_deadline is not None
        and (job.job_deadline - job.created_at).total_seconds() == 86_400
    )
    batch_emulator.advance(hours=1)
    done = sdk.batches.retrieve(job.id or "")
    assert (done.status, done.progress) == ("COMPLETED", 100.0)
    assert done.completed_at is not None and done.output_file_id
    lines = parse_jsonl(sdk.files.content(done.output_file_id).read())
    assert sorted(x["custom_id"] for x in lines) == ["req-0", "req-1", "req-2"]
    body = lines[0]["response"]["body"]
    assert body["prompt"] == [] and body["object"] == "chat.completion"
    assert body["model"] == MODEL


def test_list_is_a_bare_array_newest_first(batch_emulator: EmulatorHandle, tmp_path: Path) -> None:
    sdk = client(batch_emulator)
    made = [start(sdk, tmp_path, 1).id for _ in range(3)]
    listed = sdk.batches.list()
    assert [b.id for b in listed] == list(reversed(made))
    raw = httpx.get(
        f"{batch_emulator.together_base_url}/v1/batches", headers={"Authorization": "Bearer k"}
    )
    assert isinstance(raw.json(), list)


@pytest.mark.batch_emulator(timing={"policy": "manual"})
def test_cancel_reaches_cancelled(batch_emulator: EmulatorHandle, tmp_path: Path) -> None:
    sdk = client(batch_emulator)
    job = start(sdk, tmp_path, 2)
    assert sdk.batches.cancel(job.id).status in ("CANCELING", "CANCELLED")
    batch_emulator.advance(minutes=10)
    assert sdk.batches.retrieve(job.id).status == "CANCELLED"


def test_cancel_after_completion_is_refused(batch_emulator: EmulatorHandle, tmp_path: Path) -> None:
    sdk = client(batch_emulator)
    job = start(sdk, tmp_path, 1)
    batch_emulator.advance(hours=1)
    with pytest.raises(together.BadRequestError):
        sdk.batches.cancel(job.id)


def test_not_found_is_together_not_found_error(batch_emulator: EmulatorHandle) -> None:
    sdk = client(batch_emulator)
    with pytest.raises(together.NotFoundError) as caught:
        sdk.batches.retrieve("no-such-batch")
    assert caught.value.body["error"]["message"] == "Batch job no-such-batch not found"  # type: ignore[index]
    with pytest.raises(together.NotFoundError):
        sdk.files.retrieve("file-missing")


@pytest.mark.parametrize(("scenario", "status"), [("fail", "FAILED"), ("expire", "EXPIRED")])
def test_scenarios_map_to_together_statuses(
    batch_emulator: EmulatorHandle, tmp_path: Path, scenario: str, status: str
) -> None:
    sdk = client(batch_emulator)
    job = start(sdk, tmp_path, 4, extra_headers={"x-emulator-scenario": scenario})
    batch_emulator.advance(hours=25)
    done = sdk.batches.retrieve(job.id)
    assert done.status == status
    if status == "FAILED":
        assert done.error


def test_partial_failures_stay_completed_with_an_error_file(
    batch_emulator: EmulatorHandle, tmp_path: Path
) -> None:
    sdk = client(batch_emulator)
    job = start(sdk, tmp_path, 10, extra_headers={"x-emulator-scenario": "errors:0.2"})
    batch_emulator.advance(hours=1)
    done = sdk.batches.retrieve(job.id)
    assert done.status == "COMPLETED" and done.error_file_id and done.output_file_id
    assert len(parse_jsonl(sdk.files.content(done.error_file_id).read())) == 2


def test_unknown_model_fails_validation(batch_emulator: EmulatorHandle, tmp_path: Path) -> None:
    sdk = client(batch_emulator)
    uploaded = sdk.files.upload(file=write(tmp_path, 1, model="gpt-4o"), purpose="batch-api")
    job = sdk.batches.create(input_file_id=uploaded.id, endpoint=CHAT).job
    assert job is not None
    batch_emulator.advance(hours=1)
    assert sdk.batches.retrieve(job.id or "").status == "FAILED"


def test_server_fault_is_retried_by_the_sdk(batch_emulator: EmulatorHandle) -> None:
    sdk = client(batch_emulator, max_retries=2)
    batch_emulator.faults.add(
        HttpFault(
            status=500, dialect="together", operation="batches.list", times=2, retry_after_ms=1
        )
    )
    assert sdk.batches.list() == []
    statuses = [e.status for e in batch_emulator.requests if e.operation == "batches.list"]
    assert statuses == [500, 500, 200]
