"""The client verdict on Bedrock and Vertex pipelines: the results live in object storage, so
downloading the job's output object (S3 GetObject, GCS download) is what reading them means;
a client that watched the job finish and never downloaded it is caught."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from emulator import ItemFault
from emulator.handle import EmulatorHandle

pytestmark = pytest.mark.batch_emulator(timing="immediate")
BUGGY = pytest.mark.batch_emulator(verdict="off")  # the test asserts the findings itself
CAREFUL = pytest.mark.batch_emulator(verdict="strict")  # any finding fails the test
RECORD = {
    "anthropic_version": "bedrock-2023-05-31",
    "max_tokens": 8,
    "messages": [{"role": "user", "content": "hi"}],
}


def bedrock_job(s3: Any, bedrock: Any) -> str:
    s3.create_bucket(Bucket="verdict-in")
    s3.create_bucket(Bucket="verdict-out")
    lines = "".join(
        json.dumps({"recordId": f"r{i}", "modelInput": RECORD}) + "\n" for i in range(100)
    )
    s3.put_object(Bucket="verdict-in", Key="in.jsonl", Body=lines.encode())
    arn: str = bedrock.create_model_invocation_job(
        jobName="verdict",
        roleArn="arn:aws:iam::123456789012:role/R",
        modelId="anthropic.claude-3-haiku-20240307-v1:0",
        inputDataConfig={"s3InputDataConfig": {"s3Uri": "s3://verdict-in/in.jsonl"}},
        outputDataConfig={"s3OutputDataConfig": {"s3Uri": "s3://verdict-out/out/"}},
    )["jobArn"]
    assert bedrock.get_model_invocation_job(jobIdentifier=arn)["status"] == "Completed"
    return arn


@BUGGY
def test_bedrock_job_seen_completed_but_never_downloaded(
    batch_emulator: EmulatorHandle, s3_client: Any, bedrock_client: Any
) -> None:
    arn = bedrock_job(s3_client, bedrock_client)
    findings = batch_emulator.verdict()
    assert [(f.rule, f.batch_id) for f in findings] == [("results_unread", arn.rsplit("/")[-1])]
    assert "jsonl.out" in findings[0].message


@CAREFUL
def test_bedrock_job_whose_output_is_downloaded_has_no_finding(
    s3_client: Any, bedrock_client: Any
) -> None:
    arn = bedrock_job(s3_client, bedrock_client)
    key = f"out/{arn.rsplit('/', 1)[-1]}/in.jsonl.out"
    assert s3_client.get_object(Bucket="verdict-out", Key=key)["Body"].read()


def vertex_job(gcs: Any, vertex: Any) -> Any:
    for name in ("verdict-vin", "verdict-vout"):
        gcs.create_bucket(name)
    line = {"request": {"contents": [{"role": "user", "parts": [{"text": "hi"}]}]}}
    gcs.bucket("verdict-vin").blob("in.jsonl").upload_from_string(json.dumps(line))
    job = vertex.batches.create(
        model="gemini-2.0-flash-001",
        src="gs://verdict-vin/in.jsonl",
        config={"dest": "gs://verdict-vout/out"},
    )
    done = vertex.batches.get(name=job.name)
    assert done.state.value == "JOB_STATE_SUCCEEDED"
    return done


@BUGGY
def test_vertex_job_seen_succeeded_but_never_downloaded(
    batch_emulator: EmulatorHandle, gcs_client: Any, vertex_client: Any
) -> None:
    job = vertex_job(gcs_client, vertex_client)
    findings = batch_emulator.verdict()
    assert [(f.rule, f.batch_id) for f in findings] == [
        ("results_unread", job.name.rsplit("/")[-1])
    ]


@CAREFUL
def test_vertex_job_whose_predictions_are_downloaded_has_no_finding(
    gcs_client: Any, vertex_client: Any
) -> None:
    job = vertex_job(gcs_client, vertex_client)
    folder = job.output_info.gcs_output_directory.removeprefix("gs://verdict-vout/")
    blob = gcs_client.bucket("verdict-vout").blob(f"{folder}/predictions.jsonl")
    assert blob.download_as_bytes()


# A Bedrock job that runs out of time with half its records done: `PartiallyCompleted`, its
# `.jsonl.out` holds 50 lines and only manifest.json.out says 100 were asked for.
PARTIAL = pytest.mark.batch_emulator(timing="immediate", scenario="expire")


def partial_job(s3: Any, bedrock: Any) -> tuple[str, str]:
    """The job seen ended and its records downloaded, as litellm does; (job id, folder)."""
    s3.create_bucket(Bucket="verdict-in")
    s3.create_bucket(Bucket="verdict-out")
    arn = create_job(s3, bedrock, "verdict")
    assert bedrock.get_model_invocation_job(jobIdentifier=arn)["status"] == "PartiallyCompleted"
    job = arn.rsplit("/", 1)[-1]
    body = s3.get_object(Bucket="verdict-out", Key=f"out/{job}/verdict.jsonl.out")["Body"].read()
    assert len(body.splitlines()) == 50  # half: nothing in the file says the rest is missing
    return job, f"out/{job}"


def create_job(s3: Any, bedrock: Any, name: str) -> str:
    lines = "".join(
        json.dumps({"recordId": f"r{i}", "modelInput": RECORD}) + "\n" for i in range(100)
    )
    s3.put_object(Bucket="verdict-in", Key=f"{name}.jsonl", Body=lines.encode())
    arn: str = bedrock.create_model_invocation_job(
        jobName=name,
        roleArn="arn:aws:iam::123456789012:role/R",
        modelId="anthropic.claude-3-haiku-20240307-v1:0",
        inputDataConfig={"s3InputDataConfig": {"s3Uri": f"s3://verdict-in/{name}.jsonl"}},
        outputDataConfig={"s3OutputDataConfig": {"s3Uri": "s3://verdict-out/out/"}},
    )["jobArn"]
    return arn


@PARTIAL
@BUGGY
def test_partially_completed_job_whose_manifest_is_unread_is_caught(
    batch_emulator: EmulatorHandle, s3_client: Any, bedrock_client: Any
) -> None:
    job, _ = partial_job(s3_client, bedrock_client)
    findings = batch_emulator.verdict()
    assert [(f.rule, f.batch_id) for f in findings] == [("partial_job_read_as_complete", job)]
    assert "50 of 100" in findings[0].message and "manifest.json.out" in findings[0].message
    assert [e.operation for e in findings[0].evidence] == [
        "GetModelInvocationJob",
        "s3.GetObject",
    ]
    assert findings[0].evidence[1].file_id == f"out/{job}/verdict.jsonl.out"


@PARTIAL
@CAREFUL
def test_a_client_that_reads_the_manifest_has_no_finding(
    s3_client: Any, bedrock_client: Any
) -> None:
    _, folder = partial_job(s3_client, bedrock_client)
    got = s3_client.get_object(Bucket="verdict-out", Key=f"{folder}/manifest.json.out")
    manifest = json.loads(got["Body"].read())
    assert (manifest["processedRecordCount"], manifest["totalRecordCount"]) == (50, 100)


@PARTIAL
@CAREFUL
def test_a_client_that_resubmits_the_rest_has_no_finding(
    batch_emulator: EmulatorHandle, s3_client: Any, bedrock_client: Any
) -> None:
    partial_job(s3_client, bedrock_client)
    batch_emulator.configure(scenario=None)  # the rerun is given the time it needs
    arn = create_job(s3_client, bedrock_client, "rest")
    assert bedrock_client.get_model_invocation_job(jobIdentifier=arn)["status"] == "Completed"
    key = f"out/{arn.rsplit('/', 1)[-1]}/rest.jsonl.out"
    assert len(s3_client.get_object(Bucket="verdict-out", Key=key)["Body"].read().splitlines())


@CAREFUL
def test_a_completed_job_read_through_jsonl_out_alone_has_no_finding(
    s3_client: Any, bedrock_client: Any
) -> None:
    arn = bedrock_job(s3_client, bedrock_client)
    key = f"out/{arn.rsplit('/', 1)[-1]}/in.jsonl.out"
    assert len(s3_client.get_object(Bucket="verdict-out", Key=key)["Body"].read().splitlines())


@PARTIAL
@CAREFUL
def test_a_bifrost_client_told_failed_with_counts_has_no_finding(
    batch_emulator: EmulatorHandle, s3_client: Any
) -> None:
    """Through Bifrost the counts come with the status (`request_counts`), and Bifrost maps
    PartiallyCompleted to `failed` (bifrost-batch §4.2): there is no manifest to miss."""
    s3_client.create_bucket(Bucket="verdict-out")
    body = {
        "model": "bedrock/anthropic.claude-3-haiku-20240307-v1:0",
        "requests": [{"custom_id": f"r{i}", "params": RECORD} for i in range(100)],
        "role_arn": "arn:aws:iam::123456789012:role/R",
        "output_s3_uri": "s3://verdict-out/out/",
    }
    bedrock = {"provider": "bedrock"}
    with httpx.Client(base_url=batch_emulator.bifrost_base_url) as http:
        made = http.post("/v1/batches", json=body).json()
        got = http.get(f"/v1/batches/{made['id']}", params=bedrock).json()
        assert (got["status"], got["request_counts"]["completed"]) == ("failed", 50)
        results = http.get(f"/v1/batches/{made['id']}/results", params=bedrock).json()
    assert len(results["results"]) == 50


BEDROCK_ENDED = {"Completed", "PartiallyCompleted", "Failed", "Expired", "Stopped"}


def careful_bedrock(handle: EmulatorHandle, interval: float) -> str:
    """Polls at its pace until the job ends, then reads every object under the job's folder:
    the records and manifest.json.out. The status it saw last."""
    s3, bedrock = handle.s3_client(), handle.bedrock_client()
    for bucket in ("verdict-in", "verdict-out"):
        s3.create_bucket(Bucket=bucket)
    arn = create_job(s3, bedrock, "careful")
    for _ in range(60):
        status: str = bedrock.get_model_invocation_job(jobIdentifier=arn)["status"]
        if status in BEDROCK_ENDED:
            break
        handle.advance(interval)
    listed = s3.list_objects_v2(Bucket="verdict-out", Prefix=f"out/{arn.rsplit('/', 1)[-1]}/")
    for obj in listed.get("Contents", []):
        s3.get_object(Bucket="verdict-out", Key=obj["Key"])["Body"].read()
    return status


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    scenario=st.sampled_from(["success", "errors:0.5", "expire", "fail"]),
    item_errors=st.booleans(),
    interval=st.floats(1.0, 120.0),
)
def test_a_careful_bedrock_client_never_gets_a_finding(
    batch_emulator: EmulatorHandle, scenario: str, item_errors: bool, interval: float
) -> None:
    batch_emulator.reset()
    timing = {"policy": "timed", "validating": 10, "in_progress": 20, "per_request": 0.1}
    batch_emulator.configure(timing=timing, scenario=scenario)
    if item_errors:
        batch_emulator.faults.add(ItemFault(rate=0.5, status=400, message="bad"))
    status = careful_bedrock(batch_emulator, interval)
    assert status in BEDROCK_ENDED
    assert [str(f) for f in batch_emulator.verdict()] == []


@PARTIAL
@CAREFUL
def test_an_expired_vertex_job_has_no_counts_object_to_miss(
    gcs_client: Any, vertex_client: Any
) -> None:
    """Vertex writes no manifest: `completionStats` comes with every status read, so reading
    predictions.jsonl alone is no finding (the journal cannot see how a status is read)."""
    for name in ("verdict-vin", "verdict-vout"):
        gcs_client.create_bucket(name)
    line = {"request": {"contents": [{"role": "user", "parts": [{"text": "hi"}]}]}}
    lines = "".join(json.dumps(line) + "\n" for _ in range(4))
    gcs_client.bucket("verdict-vin").blob("in.jsonl").upload_from_string(lines)
    job = vertex_client.batches.create(
        model="gemini-2.0-flash-001",
        src="gs://verdict-vin/in.jsonl",
        config={"dest": "gs://verdict-vout/out"},
    )
    done = vertex_client.batches.get(name=job.name)
    assert done.state.value == "JOB_STATE_EXPIRED"
    assert done.completion_stats.incomplete_count == 2  # the status read says what is missing
    folder = done.output_info.gcs_output_directory.removeprefix("gs://verdict-vout/")
    blob = gcs_client.bucket("verdict-vout").blob(f"{folder}/predictions.jsonl")
    assert len(blob.download_as_bytes().splitlines()) == 2  # half ran; nothing says the rest
