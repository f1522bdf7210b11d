"""litellm 1.110.2's Bedrock batch functions (create_file, create_batch, retrieve_batch,
file_content), run unmodified from .clients-venv against the fixture's server: litellm signs and
sends the S3 and Bedrock control-plane calls itself, with `s3_endpoint_url` (the bare URL) and
`aws_bedrock_control_plane_endpoint` (`.../bedrock`) pointing here (docs/clients.md).

The trap this makes reproducible offline: litellm maps Bedrock's `PartiallyCompleted` to
OpenAI's `completed` (its status table in llms/bedrock/batches/transformation.py; reference
bedrock-vertex.md), so a job that ran out of time with half its records done reads as finished.
Key sets and the 100-record minimum come from fixtures/recorded/bedrock/batch_output.json.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from emulator import HttpFault, ItemFault
from emulator.handle import EmulatorHandle

from .conftest import Run

FACTS = json.loads(
    (
        Path(__file__).resolve().parents[2] / "fixtures/recorded/bedrock/batch_output.json"
    ).read_text()
)
N = FACTS["minimum_records_per_job"]  # the driver sends exactly Bedrock's minimum
IDS = [f"req-{i:03d}" for i in range(N)]
MODEL = "anthropic.claude-3-haiku-20240307-v1:0"
BUCKET_IN, BUCKET_OUT = "litellm-batch-in", "litellm-batch-out"
OFFLINE = {"LITELLM_LOCAL_MODEL_COST_MAP": "True"}


def litellm_bedrock(handle: EmulatorHandle, s3: Any, run: Run) -> dict[str, Any]:
    """The buckets exist beforehand, as they must on AWS; then litellm's own flow. `calls` is
    the journal of litellm's calls alone: (dialect, operation, status, core state)."""
    for bucket in (BUCKET_IN, BUCKET_OUT):
        s3.create_bucket(Bucket=bucket)
    before = len(handle.requests)
    stdout = run("litellm_bedrock_batch.py", handle.url, BUCKET_IN, BUCKET_OUT, env=OFFLINE)
    out: dict[str, Any] = json.loads(stdout.splitlines()[-1])
    out["calls"] = [(e.dialect, e.operation, e.status, e.state) for e in handle.requests[before:]]
    return out


def job_id(out: dict[str, Any]) -> str:
    arn: str = out["batch_id"]
    assert arn.startswith("arn:aws:bedrock:us-east-1:") and ":model-invocation-job/" in arn
    return arn.rsplit("/", 1)[-1]


def s3_key(uri: str, bucket: str) -> str:
    prefix = f"s3://{bucket}/"
    assert uri.startswith(prefix), uri
    return uri[len(prefix) :]


def manifest(s3: Any, out: dict[str, Any]) -> dict[str, Any]:
    """manifest.json.out next to the `.jsonl.out` litellm downloaded (read with boto3)."""
    prefix = s3_key(out["output_file_id"], BUCKET_OUT).rsplit("/", 1)[0]
    body = s3.get_object(Bucket=BUCKET_OUT, Key=f"{prefix}/{FACTS['manifest_name']}")["Body"]
    found: dict[str, Any] = json.loads(body.read())
    return found


@pytest.mark.batch_emulator(timing="immediate")
def test_upload_create_retrieve_download_100_records(
    batch_emulator: EmulatorHandle, s3_client: Any, bedrock_client: Any, run: Run
) -> None:
    out = litellm_bedrock(batch_emulator, s3_client, run)

    # What litellm returned.
    assert (out["created_status"], out["status"]) == ("validating", "completed")
    assert out["counts"] == {"completed": N, "failed": 0, "total": N}
    assert sorted(line["recordId"] for line in out["lines"]) == IDS
    assert {tuple(line["keys"]) for line in out["lines"]} == {
        tuple(sorted(FACTS["output_line_keys_success"]))
    }
    assert {(line["type"], line["role"]) for line in out["lines"]} == {("message", "assistant")}
    # litellm converted the OpenAI lines into Bedrock records and uploaded them where it says.
    uploaded = s3_client.get_object(Bucket=BUCKET_IN, Key=s3_key(out["file_id"], BUCKET_IN))
    records = [json.loads(x) for x in uploaded["Body"].read().splitlines()]
    assert [r["recordId"] for r in records] == IDS
    assert records[0]["modelInput"]["anthropic_version"] == "bedrock-2023-05-31"
    # The output it downloaded is `<output prefix>/<job id>/<input name>.out`.
    name = out["file_id"].rsplit("/", 1)[-1]
    assert out["output_file_id"].endswith(f"/{job_id(out)}/{name}.out")

    # What the emulator saw and holds.
    job = bedrock_client.get_model_invocation_job(jobIdentifier=out["batch_id"])
    assert (job["status"], job["modelId"], job["successRecordCount"]) == ("Completed", MODEL, N)
    info = batch_emulator.batch(job_id(out))
    assert (info.state, info.dialect, info.counts.succeeded) == ("completed", "bedrock", N)
    assert out["calls"] == [
        ("s3", "s3.PutObject", 200, None),
        ("bedrock", "CreateModelInvocationJob", 200, "validating"),
        ("bedrock", "GetModelInvocationJob", 200, "completed"),
        ("s3", "s3.GetObject", 200, "completed"),  # the output object, tied to the job
    ]


@pytest.mark.batch_emulator(timing="immediate", scenario="expire")
def test_partially_completed_job_reads_as_completed(
    batch_emulator: EmulatorHandle, s3_client: Any, bedrock_client: Any, run: Run
) -> None:
    """Scenario `expire` (what `PATCH /_emulator/config {"scenario": "expire"}` sets): the job
    runs out of time with half its records done. litellm says `completed`; Bedrock says not."""
    out = litellm_bedrock(batch_emulator, s3_client, run)

    # The verdict names the trap: litellm saw the job end, downloaded the .jsonl.out only,
    # never manifest.json.out, and made no job for the rest (judged before this test reads it).
    findings = batch_emulator.verdict()
    assert [(f.rule, f.batch_id) for f in findings] == [
        ("partial_job_read_as_complete", job_id(out))
    ]
    assert f"{N // 2} of {N} record(s) never processed" in findings[0].message

    # The emulator: ran out of time, PartiallyCompleted on the wire, 50 of 100 done.
    job = bedrock_client.get_model_invocation_job(jobIdentifier=out["batch_id"])
    assert job["status"] == "PartiallyCompleted"
    assert (job["successRecordCount"], job["totalRecordCount"]) == (N // 2, N)
    assert batch_emulator.batch(job_id(out)).state == "expired"
    reads = [c for c in out["calls"] if c[1] == "GetModelInvocationJob"]
    assert reads == [("bedrock", "GetModelInvocationJob", 200, "expired")]  # read once, as done
    assert manifest(s3_client, out)["successRecordCount"] == N // 2

    # litellm: the trap. Half the records never ran, yet the status says completed.
    assert out["status"] == "completed"
    assert out["counts"] == {"completed": N // 2, "failed": 0, "total": N}
    done = sorted(line["recordId"] for line in out["lines"])
    assert len(done) == N // 2 and set(done) < set(IDS)
    assert all(line["error"] is None for line in out["lines"])


@pytest.mark.batch_emulator(timing="immediate")
def test_an_errored_record_is_counted_and_carries_bedrocks_error(
    batch_emulator: EmulatorHandle, s3_client: Any, bedrock_client: Any, run: Run
) -> None:
    batch_emulator.faults.add(ItemFault(custom_id="req-007", status=500))
    out = litellm_bedrock(batch_emulator, s3_client, run)

    assert out["status"] == "completed"
    assert out["counts"] == {"completed": N - 1, "failed": 1, "total": N}
    [errored] = [line for line in out["lines"] if line["error"] is not None]
    assert errored["recordId"] == "req-007"
    assert errored["keys"] == sorted(FACTS["output_line_keys_error"])
    assert sorted(errored["error"]) == sorted(FACTS["error_keys"])
    job = bedrock_client.get_model_invocation_job(jobIdentifier=out["batch_id"])
    assert (job["status"], job["errorRecordCount"]) == ("Completed", 1)


@pytest.mark.batch_emulator(timing="immediate")
def test_a_refused_upload_is_not_an_error_to_create_file(
    batch_emulator: EmulatorHandle, s3_client: Any, run: Run
) -> None:
    """S3 answers the upload 503 SlowDown once; litellm 1.110.2's create_file neither retries
    nor raises (its sync HTTP handler's `put` does not check the status), so it hands back a
    file id for an object that does not exist, and the job made from it fails validation."""
    batch_emulator.faults.add(
        HttpFault(status=503, dialect="s3", operation="s3.PutObject", times=1)
    )
    out = litellm_bedrock(batch_emulator, s3_client, run)

    assert out["file_id"].startswith(f"s3://{BUCKET_IN}/")  # litellm: uploaded
    assert (out["created_status"], out["status"]) == ("validating", "failed")
    assert out["output_file_id"] is None and out["lines"] == []
    assert out["calls"][:2] == [
        ("s3", "s3.PutObject", 503, None),
        ("bedrock", "CreateModelInvocationJob", 200, "validating"),
    ]
    listed = s3_client.list_objects_v2(Bucket=BUCKET_IN).get("Contents", [])
    assert listed == []  # nothing was stored
    info = batch_emulator.batch(job_id(out))
    assert info.state == "failed" and info.failure is not None
    assert s3_key(out["file_id"], BUCKET_IN) in info.failure
