"""Bedrock batch inference through boto3's own `bedrock` and `s3` clients, unmodified, over
loopback (`AWS_ENDPOINT_URL_BEDROCK` / `AWS_ENDPOINT_URL_S3`, reference bedrock-vertex §1).

Expected statuses and error status codes are read from botocore's own service model (the
`ModelInvocationJobStatus` enum and each exception's `httpStatusCode`), output shapes from the
recorded facts in fixtures/recorded/bedrock/batch_output.json.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

import botocore.exceptions
import botocore.session
import pytest

from emulator import HttpFault
from emulator.handle import EmulatorHandle

FACTS = json.loads(
    (
        Path(__file__).resolve().parents[2] / "fixtures/recorded/bedrock/batch_output.json"
    ).read_text()
)
MODEL = botocore.session.get_session().get_service_model("bedrock")
STATUSES = set(MODEL.shape_for("ModelInvocationJobStatus").enum)
ROLE = "arn:aws:iam::123456789012:role/BedrockBatchRole"
CLAUDE = "anthropic.claude-3-haiku-20240307-v1:0"
N = FACTS["minimum_records_per_job"] + 20


def http_status(code: str) -> int:
    status: int = MODEL.shape_for(code).metadata["error"]["httpStatusCode"]
    return status


def claude_record(i: int) -> dict[str, Any]:
    body = {
        "anthropic_version": "bedrock-2023-05-31",
        "max_tokens": 64,
        "messages": [{"role": "user", "content": f"Summarise item {i}"}],
    }
    return {"recordId": f"rec-{i:04d}", "modelInput": body}


def put_input(s3: Any, records: list[dict[str, Any]], key: str = "in/batch.jsonl") -> str:
    for bucket in ("batch-input", "batch-output"):
        with contextlib.suppress(s3.exceptions.BucketAlreadyOwnedByYou):
            s3.create_bucket(Bucket=bucket)
    body = "".join(json.dumps(r) + "\n" for r in records).encode()
    s3.put_object(Bucket="batch-input", Key=key, Body=body)
    return f"s3://batch-input/{key}"


def create(bedrock: Any, uri: str, model: str = CLAUDE, **extra: Any) -> str:
    answer = bedrock.create_model_invocation_job(
        jobName=extra.pop("jobName", "nightly-batch"),
        roleArn=ROLE,
        modelId=model,
        inputDataConfig={"s3InputDataConfig": {"s3Uri": uri}},
        outputDataConfig={"s3OutputDataConfig": {"s3Uri": "s3://batch-output/results/"}},
        **extra,
    )
    arn: str = answer["jobArn"]
    return arn


def outputs(s3: Any) -> dict[str, bytes]:
    listed = s3.list_objects_v2(Bucket="batch-output", Prefix="results/").get("Contents", [])
    return {
        o["Key"]: s3.get_object(Bucket="batch-output", Key=o["Key"])["Body"].read() for o in listed
    }


def run_to_end(handle: EmulatorHandle, bedrock: Any, arn: str) -> list[str]:
    seen = [bedrock.get_model_invocation_job(jobIdentifier=arn)["status"]]
    for _ in range(20):
        handle.advance(seconds=1)
        seen.append(bedrock.get_model_invocation_job(jobIdentifier=arn)["status"])
        if seen[-1] in ("Completed", "PartiallyCompleted", "Failed", "Stopped", "Expired"):
            break
    return seen


def test_documented_flow_writes_jsonl_out_and_manifest(
    batch_emulator: EmulatorHandle, s3_client: Any, bedrock_client: Any
) -> None:
    records = [claude_record(i) for i in range(N)]
    arn = create(bedrock_client, put_input(s3_client, records))
    job_id = arn.rsplit("/", 1)[-1]
    assert arn.startswith("arn:aws:bedrock:us-east-1:") and len(job_id) == 12
    seen = run_to_end(batch_emulator, bedrock_client, arn)
    assert set(seen) <= STATUSES and seen[0] == "Submitted" and seen[-1] == "Completed"
    job = bedrock_client.get_model_invocation_job(jobIdentifier=job_id)  # the bare id works too
    assert job["totalRecordCount"] == job["successRecordCount"] == N
    assert job["roleArn"] == ROLE and job["modelId"] == CLAUDE and "endTime" in job
    files = outputs(s3_client)
    out = files[f"results/{job_id}/batch.jsonl{FACTS['output_suffix'][len('.jsonl') :]}"]
    lines = [json.loads(line) for line in out.splitlines()]
    assert sorted(line["recordId"] for line in lines) == [r["recordId"] for r in records]
    assert all(sorted(line) == sorted(FACTS["output_line_keys_success"]) for line in lines)
    assert lines[0]["modelOutput"]["type"] == "message"
    assert lines[0]["modelOutput"]["content"][0]["type"] == "text"
    manifest = json.loads(files[f"results/{job_id}/{FACTS['manifest_name']}"])
    assert sorted(manifest) == sorted(FACTS["manifest_keys"])
    assert manifest["successRecordCount"] == N and manifest["errorRecordCount"] == 0
    assert manifest["outputTokenCount"] > 0


def test_client_request_token_names_the_same_job(s3_client: Any, bedrock_client: Any) -> None:
    uri = put_input(s3_client, [claude_record(i) for i in range(N)])
    first = create(bedrock_client, uri, clientRequestToken="token-1")
    again = create(bedrock_client, uri, clientRequestToken="token-1")
    other = create(bedrock_client, uri, clientRequestToken="token-2")
    assert first == again != other
    listed = bedrock_client.list_model_invocation_jobs()["invocationJobSummaries"]
    assert len(listed) == 2


def test_list_filters_and_pages_with_the_paginator(s3_client: Any, bedrock_client: Any) -> None:
    uri = put_input(s3_client, [claude_record(i) for i in range(N)])
    arns = [create(bedrock_client, uri, jobName=f"job-{i}") for i in range(5)]
    pages = bedrock_client.get_paginator("list_model_invocation_jobs").paginate(
        PaginationConfig={"PageSize": 2}
    )
    got = [s["jobArn"] for page in pages for s in page["invocationJobSummaries"]]
    assert got == arns[::-1]  # newest first (sortOrder Descending is the default)
    named = bedrock_client.list_model_invocation_jobs(nameContains="job-3")
    assert [s["jobName"] for s in named["invocationJobSummaries"]] == ["job-3"]
    done = bedrock_client.list_model_invocation_jobs(statusEquals="Completed")
    assert done["invocationJobSummaries"] == []


@pytest.mark.batch_emulator(timing="manual")
def test_stop_goes_through_stopping_and_a_stopped_job_refuses_with_conflict(
    batch_emulator: EmulatorHandle, s3_client: Any, bedrock_client: Any
) -> None:
    arn = create(bedrock_client, put_input(s3_client, [claude_record(i) for i in range(N)]))
    bedrock_client.stop_model_invocation_job(jobIdentifier=arn)
    assert bedrock_client.get_model_invocation_job(jobIdentifier=arn)["status"] == "Stopping"
    batch_emulator.advance(minutes=10)
    assert bedrock_client.get_model_invocation_job(jobIdentifier=arn)["status"] == "Stopped"
    batch_emulator.configure(timing="immediate")
    done = create(bedrock_client, put_input(s3_client, [claude_record(i) for i in range(N)]))
    bedrock_client.get_model_invocation_job(jobIdentifier=done)
    with pytest.raises(bedrock_client.exceptions.ConflictException) as caught:
        bedrock_client.stop_model_invocation_job(jobIdentifier=done)
    status = caught.value.response["ResponseMetadata"]["HTTPStatusCode"]
    assert status == http_status("ConflictException")


def test_unknown_job_is_resource_not_found(bedrock_client: Any) -> None:
    with pytest.raises(bedrock_client.exceptions.ResourceNotFoundException) as caught:
        bedrock_client.get_model_invocation_job(jobIdentifier="abcdefghijkl")
    status = caught.value.response["ResponseMetadata"]["HTTPStatusCode"]
    assert status == http_status("ResourceNotFoundException")


def test_bad_parameters_are_validation_exceptions(s3_client: Any, bedrock_client: Any) -> None:
    uri = put_input(s3_client, [claude_record(i) for i in range(N)])
    with pytest.raises(bedrock_client.exceptions.ValidationException) as caught:
        bedrock_client.create_model_invocation_job(
            jobName="bad-role",
            roleArn="not-a-role",
            modelId=CLAUDE,
            inputDataConfig={"s3InputDataConfig": {"s3Uri": uri}},
            outputDataConfig={"s3OutputDataConfig": {"s3Uri": "s3://batch-output/x/"}},
        )
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == http_status(
        "ValidationException"
    )
    with pytest.raises(bedrock_client.exceptions.ValidationException):
        create(bedrock_client, uri, timeoutDurationInHours=200)


def test_too_few_records_fails_in_validation_with_a_message(
    batch_emulator: EmulatorHandle, s3_client: Any, bedrock_client: Any
) -> None:
    arn = create(bedrock_client, put_input(s3_client, [claude_record(i) for i in range(3)]))
    seen = run_to_end(batch_emulator, bedrock_client, arn)
    job = bedrock_client.get_model_invocation_job(jobIdentifier=arn)
    assert seen[-1] == "Failed" and "minimum" in job["message"]
    assert outputs(s3_client) == {}


def test_errors_scenario_tag_writes_error_lines(
    batch_emulator: EmulatorHandle, s3_client: Any, bedrock_client: Any
) -> None:
    uri = put_input(s3_client, [claude_record(i) for i in range(N)])
    tags = [{"key": "emulator_scenario", "value": "errors:0.25"}]
    arn = create(bedrock_client, uri, tags=tags)
    run_to_end(batch_emulator, bedrock_client, arn)
    job = bedrock_client.get_model_invocation_job(jobIdentifier=arn)
    assert job["status"] == "Completed" and job["errorRecordCount"] == round(0.25 * N)
    out = next(v for k, v in outputs(s3_client).items() if k.endswith(".jsonl.out"))
    failed = [json.loads(x) for x in out.splitlines() if b'"error"' in x]
    assert len(failed) == job["errorRecordCount"]
    assert sorted(failed[0]) == sorted(FACTS["output_line_keys_error"])
    assert sorted(failed[0]["error"]) == sorted(FACTS["error_keys"])


def test_expire_scenario_is_partially_completed(
    batch_emulator: EmulatorHandle, s3_client: Any, bedrock_client: Any
) -> None:
    uri = put_input(s3_client, [claude_record(i) for i in range(N)])
    arn = create(bedrock_client, uri, tags=[{"key": "emulator_scenario", "value": "expire"}])
    batch_emulator.advance(days=8)
    job = bedrock_client.get_model_invocation_job(jobIdentifier=arn)
    assert job["status"] in ("PartiallyCompleted", "Expired")
    assert (job["status"] == "PartiallyCompleted") == (job["processedRecordCount"] > 0)


@pytest.mark.parametrize(
    ("model", "body", "key"),
    [
        (
            "amazon.nova-lite-v1:0",
            {"messages": [{"role": "user", "content": [{"text": "hi"}]}]},
            "output",
        ),
        ("meta.llama3-1-8b-instruct-v1:0", {"prompt": "hi", "max_gen_len": 5}, "generation"),
    ],
)
def test_other_model_families_answer_in_their_own_body(
    batch_emulator: EmulatorHandle,
    s3_client: Any,
    bedrock_client: Any,
    model: str,
    body: dict[str, Any],
    key: str,
) -> None:
    records = [{"recordId": f"r{i}", "modelInput": body} for i in range(N)]
    arn = create(bedrock_client, put_input(s3_client, records), model=model)
    run_to_end(batch_emulator, bedrock_client, arn)
    out = next(v for k, v in outputs(s3_client).items() if k.endswith(".jsonl.out"))
    first = json.loads(out.splitlines()[0])["modelOutput"]
    assert key in first


def test_throttling_fault_is_retried_by_botocore(
    batch_emulator: EmulatorHandle, bedrock_client: Any
) -> None:
    batch_emulator.faults.add(
        HttpFault(status=429, dialect="bedrock", operation="ListModelInvocationJobs", times=1)
    )
    assert bedrock_client.list_model_invocation_jobs()["invocationJobSummaries"] == []
    statuses = [
        e.status for e in batch_emulator.requests if e.operation == "ListModelInvocationJobs"
    ]
    assert statuses == [429, 200]


def test_throttling_fault_surfaces_as_throttling_exception(
    batch_emulator: EmulatorHandle, bedrock_client: Any
) -> None:
    batch_emulator.faults.add(
        HttpFault(status=429, dialect="bedrock", operation="ListModelInvocationJobs")
    )
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        bedrock_client.list_model_invocation_jobs()
    assert caught.value.response["Error"]["Code"] == "ThrottlingException"


def test_converse_invocation_type_answers_in_converse_shape(
    batch_emulator: EmulatorHandle, s3_client: Any, bedrock_client: Any
) -> None:
    """`modelInvocationType=Converse`: Converse bodies in, Converse answers out (the Converse
    API reference: `output.message`, `stopReason`, `usage`), for a Claude model too."""
    body = {
        "messages": [{"role": "user", "content": [{"text": "hi"}]}],
        "inferenceConfig": {"maxTokens": 4},
    }
    records = [{"recordId": f"r{i}", "modelInput": body} for i in range(N)]
    arn = create(bedrock_client, put_input(s3_client, records), modelInvocationType="Converse")
    run_to_end(batch_emulator, bedrock_client, arn)
    out = next(v for k, v in outputs(s3_client).items() if k.endswith(".jsonl.out"))
    answer = json.loads(out.splitlines()[0])["modelOutput"]
    assert answer["output"]["message"]["role"] == "assistant"
    assert answer["usage"]["outputTokens"] <= 4 and "stopReason" in answer
