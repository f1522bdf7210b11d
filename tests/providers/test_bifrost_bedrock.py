"""Bifrost's `bedrock` (and `vertex`) provider on the unified `/bifrost/v1/batches` API and the
OpenAI-compatible create (reference bifrost-batch §3-§5): inline requests uploaded to S3 beside
the output prefix, `id` = jobArn, Bedrock's statuses mapped as Bifrost maps them
(PartiallyCompleted reads `failed`), counts from `manifest.json.out`, results parsed from the
`.jsonl.out` objects. The job is the same one boto3 sees at `/bedrock`."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from emulator.handle import EmulatorHandle

MODEL = "bedrock/anthropic.claude-3-haiku-20240307-v1:0"
ROLE = "arn:aws:iam::123456789012:role/BifrostBatch"


def requests(n: int) -> list[dict[str, Any]]:
    body = {
        "anthropic_version": "bedrock-2023-05-31",
        "max_tokens": 16,
        "messages": [{"role": "user", "content": "hi"}],
    }
    return [{"custom_id": f"req-{i}", "params": body} for i in range(n)]


@pytest.fixture
def bifrost(batch_emulator: EmulatorHandle, s3_client: Any) -> httpx.Client:
    s3_client.create_bucket(Bucket="bifrost-out")
    return httpx.Client(base_url=batch_emulator.bifrost_base_url)


def create(bifrost: httpx.Client, n: int = 100, **headers: str) -> dict[str, Any]:
    answer = bifrost.post(
        "/v1/batches",
        json={
            "model": MODEL,
            "requests": requests(n),
            "role_arn": ROLE,
            "output_s3_uri": "s3://bifrost-out/results/",
            "metadata": {"job_name": "bifrost-job"},
        },
        headers=headers,
    )
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def test_unified_flow_is_the_same_job_boto3_sees(
    batch_emulator: EmulatorHandle, bifrost: httpx.Client, bedrock_client: Any, s3_client: Any
) -> None:
    made = create(bifrost)
    assert made["id"].startswith("arn:aws:bedrock:") and made["status"] == "validating"
    assert made["metadata"] == {
        "job_name": "bifrost-job",
        "model_id": "anthropic.claude-3-haiku-20240307-v1:0",
    }
    batch_emulator.advance(seconds=5)
    native = bedrock_client.get_model_invocation_job(jobIdentifier=made["id"])
    assert native["status"] == "Completed" and native["jobName"] == "bifrost-job"
    got = bifrost.get(f"/v1/batches/{made['id']}", params={"provider": "bedrock"}).json()
    assert got["status"] == "completed" and "completed_at" in got
    assert got["request_counts"] == {"total": 100, "completed": 100, "failed": 0}
    results = bifrost.get(
        f"/v1/batches/{made['id']}/results", params={"provider": "bedrock"}
    ).json()
    assert results["batch_id"] == made["id"]
    assert sorted(r["custom_id"] for r in results["results"]) == sorted(
        f"req-{i}" for i in range(100)
    )
    assert results["results"][0]["response"]["body"]["type"] == "message"
    keys = [o["Key"] for o in s3_client.list_objects_v2(Bucket="bifrost-out")["Contents"]]
    assert any(k.endswith(".jsonl.out") for k in keys)


def test_partially_completed_reads_failed_as_bifrost_maps_it(
    batch_emulator: EmulatorHandle, bifrost: httpx.Client, bedrock_client: Any
) -> None:
    made = create(bifrost, **{"x-emulator-scenario": "expire"})
    batch_emulator.advance(days=8)
    native = bedrock_client.get_model_invocation_job(jobIdentifier=made["id"])
    got = bifrost.get(f"/v1/batches/{made['id']}", params={"provider": "bedrock"}).json()
    expected = {"PartiallyCompleted": "failed", "Expired": "expired"}[native["status"]]
    assert got["status"] == expected


@pytest.mark.batch_emulator(timing="manual")
def test_cancel_and_list(bifrost: httpx.Client) -> None:
    made = create(bifrost)
    cancelled = bifrost.post(f"/v1/batches/{made['id']}/cancel", params={"provider": "bedrock"})
    assert cancelled.json()["status"] == "cancelling"
    listed = bifrost.get("/v1/batches", params={"provider": "bedrock"}).json()
    assert [b["id"] for b in listed["data"]] == [made["id"]]


def test_missing_role_arn_is_refused(bifrost: httpx.Client) -> None:
    answer = bifrost.post(
        "/v1/batches",
        json={"model": MODEL, "requests": requests(1), "output_s3_uri": "s3://bifrost-out/r/"},
    )
    assert answer.status_code >= 400 and "role_arn" in answer.json()["error"]["message"]


def test_vertex_provider_inline_gemini_and_claude(
    batch_emulator: EmulatorHandle, bifrost: httpx.Client, gcs_client: Any, vertex_client: Any
) -> None:
    """Vertex (newer upstream Bifrost): inline lines wrapped in `request`, the custom_id in the
    `bifrost_custom_id` label (Gemini) or top-level (Claude), publisher model paths, states
    mapped by `vertexJobStateToBatchStatus`."""
    gcs_client.create_bucket("bifrost-vout")
    made = {}
    for model in ("vertex/gemini-2.0-flash-001", "vertex/claude-3-5-haiku"):
        answer = bifrost.post(
            "/v1/batches",
            json={
                "model": model,
                "requests": [
                    {
                        "custom_id": f"v-{i}",
                        "body": {"messages": [{"role": "user", "content": "hi"}], "max_tokens": 8},
                    }
                    for i in range(3)
                ],
                "output_gcs_uri": "gs://bifrost-vout/out/",
            },
        )
        assert answer.status_code == 200, answer.text
        made[model] = answer.json()
    gemini, claude = made.values()
    assert gemini["id"].startswith("projects/") and "/batchPredictionJobs/" in gemini["id"]
    assert gemini["status"] == "validating"
    batch_emulator.advance(seconds=5)
    native = vertex_client.batches.get(name=claude["id"].rsplit("/", 1)[-1])
    assert native.model == "publishers/anthropic/models/claude-3-5-haiku"
    for job in (gemini, claude):
        got = bifrost.get(f"/v1/batches/{job['id']}", params={"provider": "vertex"}).json()
        assert got["status"] == "completed" and "completed_at" in got
        assert got["request_counts"] == {"total": 3, "completed": 3, "failed": 0}
        results = bifrost.get(
            f"/v1/batches/{job['id']}/results", params={"provider": "vertex"}
        ).json()["results"]
        assert sorted(r["custom_id"] for r in results) == ["v-0", "v-1", "v-2"]
        assert all(r["response"]["status_code"] == 200 for r in results)


def test_bedrock_compatible_routes_serve_boto3(
    batch_emulator_env: EmulatorHandle, s3_client: Any, bifrost: httpx.Client
) -> None:
    """Bifrost's Bedrock integration (`/bedrock/model-invocation-job...` on the gateway): boto3
    pointed at `<bifrost>/bedrock` creates and reads the same job as the unified API (keys and
    region from `batch_emulator_env`)."""
    batch_emulator = batch_emulator_env
    import boto3

    body = requests(1)[0]["params"]
    lines = "".join(
        json.dumps({"recordId": f"r{i}", "modelInput": body}) + "\n" for i in range(100)
    )
    s3_client.put_object(Bucket="bifrost-out", Key="in.jsonl", Body=lines.encode())
    bedrock = boto3.client("bedrock", endpoint_url=batch_emulator.bifrost_base_url + "/bedrock")
    arn = bedrock.create_model_invocation_job(
        jobName="via-bifrost",
        roleArn=ROLE,
        modelId="anthropic.claude-3-haiku-20240307-v1:0",
        inputDataConfig={"s3InputDataConfig": {"s3Uri": "s3://bifrost-out/in.jsonl"}},
        outputDataConfig={"s3OutputDataConfig": {"s3Uri": "s3://bifrost-out/results/"}},
    )["jobArn"]
    batch_emulator.advance(seconds=5)
    assert bedrock.get_model_invocation_job(jobIdentifier=arn)["status"] == "Completed"
    got = bifrost.get(f"/v1/batches/{arn}", params={"provider": "bedrock"}).json()
    assert got["metadata"]["job_name"] == "via-bifrost" and got["status"] == "completed"
