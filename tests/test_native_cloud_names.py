"""Native names for the cloud batch doors: the handle, the control plane and the dashboard
take the id the SDK hands out (Bedrock's job ARN, Vertex's `projects/.../batchPredictionJobs/N`
name) and `BatchInfo` reports the status word the provider's GET answers at the same instant.

Found in review: the native-names work (issue 24) and the Bedrock/Vertex doors (issue 26)
landed in parallel, so a Bedrock batch read as `completed` (not `Completed`) in BatchInfo, the
serve log and the dashboard, and looking it up by its ARN was a not-found.
"""

from __future__ import annotations

from urllib.parse import quote

import httpx
import pytest

from emulator.handle import EmulatorHandle

ROLE = "arn:aws:iam::123456789012:role/BedrockBatchRole"
BEARER = {"authorization": "Bearer ya29.test"}


def _bedrock_job(http: httpx.Client) -> str:
    http.put("/s3/names-in")
    record = '{"recordId": "r%d", "modelInput": {"max_tokens": 5, "messages": []}}\n'
    http.put("/s3/names-in/in.jsonl", content="".join(record % i for i in range(100)).encode())
    created = http.post(
        "/bedrock/model-invocation-job",
        json={
            "jobName": "names",
            "roleArn": ROLE,
            "modelId": "anthropic.claude-3-haiku-20240307-v1:0",
            "inputDataConfig": {"s3InputDataConfig": {"s3Uri": "s3://names-in/in.jsonl"}},
            "outputDataConfig": {"s3OutputDataConfig": {"s3Uri": "s3://names-in/out/"}},
        },
    )
    assert created.status_code == 200, created.text[:200]
    arn: str = created.json()["jobArn"]
    return arn


def _vertex_job(http: httpx.Client) -> str:
    http.post("/storage/v1/b", json={"name": "names-gcs"})
    line = b'{"request": {"contents": [{"role": "user", "parts": [{"text": "hi"}]}]}}\n'
    media = {"uploadType": "media", "name": "in.jsonl"}
    http.post("/upload/storage/v1/b/names-gcs/o", params=media, content=line)
    created = http.post(
        "/vertex/v1/projects/p1/locations/us-central1/batchPredictionJobs",
        json={
            "model": "publishers/google/models/gemini-2.0-flash-001",
            "inputConfig": {
                "instancesFormat": "jsonl",
                "gcsSource": {"uris": ["gs://names-gcs/in.jsonl"]},
            },
            "outputConfig": {
                "predictionsFormat": "jsonl",
                "gcsDestination": {"outputUriPrefix": "gs://names-gcs/out"},
            },
        },
    )
    assert created.status_code == 200, created.text[:200]
    name: str = created.json()["name"]
    return name


@pytest.mark.parametrize("door", ["bedrock", "vertex"])
def test_the_sdks_id_finds_the_batch_and_its_status_is_the_providers_word(
    batch_emulator: EmulatorHandle, door: str
) -> None:
    with httpx.Client(base_url=batch_emulator.url, headers=BEARER, timeout=30) as http:
        sdk_id = _bedrock_job(http) if door == "bedrock" else _vertex_job(http)
        read = (
            f"/bedrock/model-invocation-job/{quote(sdk_id, safe='')}"
            if door == "bedrock"
            else f"/vertex/v1/{sdk_id}"
        )
        field = "status" if door == "bedrock" else "state"
        seen = set()
        for step in (0, 0.05, 0.1, 0.2, 0.3, 1, 10):  # validating, running, ended
            batch_emulator.advance(seconds=step)
            info = batch_emulator.batch(sdk_id)  # a look, not a poll: read it first
            answered = http.get(read).json()[field]
            assert info.status == answered, (step, info.status, answered)
            assert info.native_id == sdk_id
            seen.add(answered)
        control = http.get(f"/_emulator/batches/{quote(sdk_id, safe='/:')}")
        assert control.status_code == 200, control.text[:200]
        assert control.json()["native_id"] == sdk_id
        assert len(seen) >= 2 and info.state.value in ("completed", "failed"), seen
