"""Vertex AI batch prediction through google-genai (`vertexai=True`, `base_url=<url>/vertex`)
and google-cloud-storage (`STORAGE_EMULATOR_HOST`), both unmodified, over loopback
(reference bedrock-vertex §2). States are checked against google-genai's own JobState enum;
output names and line keys against fixtures/recorded/vertex/batch_prediction.json.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from google.genai import errors, types

from emulator.handle import EmulatorHandle

FACTS = json.loads(
    (
        Path(__file__).resolve().parents[2] / "fixtures/recorded/vertex/batch_prediction.json"
    ).read_text()
)
STATES = {s.value for s in types.JobState}
GEMINI = "gemini-2.0-flash-001"
CLAUDE = "publishers/anthropic/models/claude-3-5-haiku@20241022"


def gemini_line(i: int) -> dict[str, Any]:
    return {"request": {"contents": [{"role": "user", "parts": [{"text": f"question {i}"}]}]}}


def claude_line(i: int, version: str = FACTS["claude_anthropic_version"]) -> dict[str, Any]:
    request = {
        "anthropic_version": version,
        "max_tokens": 32,
        "messages": [{"role": "user", "content": f"question {i}"}],
    }
    return {"custom_id": f"c-{i}", "request": request}


def upload(gcs: Any, lines: list[dict[str, Any]], name: str = "in/requests.jsonl") -> str:
    for bucket in ("vertex-in", "vertex-out"):
        if gcs.lookup_bucket(bucket) is None:
            gcs.create_bucket(bucket)
    text = "".join(json.dumps(line) + "\n" for line in lines)
    gcs.bucket("vertex-in").blob(name).upload_from_string(text, content_type="application/jsonl")
    return f"gs://vertex-in/{name}"


def start(vertex: Any, src: str, model: str = GEMINI, **config: Any) -> Any:
    return vertex.batches.create(
        model=model, src=src, config={"dest": "gs://vertex-out/results", **config}
    )


def finish(handle: EmulatorHandle, vertex: Any, name: str) -> list[str]:
    seen = [vertex.batches.get(name=name).state.value]
    for _ in range(20):
        handle.advance(seconds=1)
        seen.append(vertex.batches.get(name=name).state.value)
        if seen[-1] not in ("JOB_STATE_QUEUED", "JOB_STATE_PENDING", "JOB_STATE_RUNNING"):
            break
    return seen


def predictions(gcs: Any, job: Any) -> list[dict[str, Any]]:
    folder = job.output_info.gcs_output_directory
    assert folder.startswith("gs://vertex-out/results/" + FACTS["output_folder_prefix"])
    blob = folder[len("gs://vertex-out/") :] + "/" + FACTS["predictions_file"]
    raw = gcs.bucket("vertex-out").blob(blob).download_as_bytes()
    return [json.loads(line) for line in raw.splitlines()]


def test_gemini_flow_from_gcs_to_predictions(
    batch_emulator: EmulatorHandle, gcs_client: Any, vertex_client: Any
) -> None:
    job = start(vertex_client, upload(gcs_client, [gemini_line(i) for i in range(6)]))
    assert job.name.startswith("projects/emulator-project/locations/us-central1/")
    assert job.model == f"publishers/google/models/{GEMINI}"
    seen = finish(batch_emulator, vertex_client, job.name)
    assert set(seen) <= STATES and seen[-1] == "JOB_STATE_SUCCEEDED"
    done = vertex_client.batches.get(name=job.name.rsplit("/", 1)[-1])  # the bare id too
    stats = done.completion_stats
    assert (stats.successful_count, stats.failed_count, stats.incomplete_count) == (6, 0, 0)
    lines = predictions(gcs_client, done)
    assert [line["request"] for line in lines] == [gemini_line(i)["request"] for i in range(6)]
    assert all(sorted(line) == sorted(FACTS["line_keys_success"]) for line in lines)
    assert lines[0]["response"]["candidates"][0]["content"]["role"] == "model"


def test_claude_on_vertex_lines_and_a_bad_version(
    batch_emulator: EmulatorHandle, gcs_client: Any, vertex_client: Any
) -> None:
    lines = [claude_line(0), claude_line(1), claude_line(2, version="bedrock-2023-05-31")]
    job = start(vertex_client, upload(gcs_client, lines), model=CLAUDE)
    assert job.model == CLAUDE
    seen = finish(batch_emulator, vertex_client, job.name)
    assert seen[-1] == "JOB_STATE_PARTIALLY_SUCCEEDED"
    done = vertex_client.batches.get(name=job.name)
    out = {line["custom_id"]: line for line in predictions(gcs_client, done)}
    assert out["c-0"]["response"]["type"] == "message"
    assert sorted(out["c-2"]) == sorted([*FACTS["line_keys_error"], "custom_id"])


@pytest.mark.batch_emulator(timing="manual")
def test_cancel_then_delete(
    batch_emulator: EmulatorHandle, gcs_client: Any, vertex_client: Any
) -> None:
    job = start(vertex_client, upload(gcs_client, [gemini_line(0)]))
    with pytest.raises(errors.ClientError):  # a running job cannot be deleted
        vertex_client.batches.delete(name=job.name)
    vertex_client.batches.cancel(name=job.name)
    assert vertex_client.batches.get(name=job.name).state.value == "JOB_STATE_CANCELLING"
    batch_emulator.advance(minutes=10)
    assert vertex_client.batches.get(name=job.name).state.value == "JOB_STATE_CANCELLED"
    assert vertex_client.batches.delete(name=job.name).done is True
    with pytest.raises(errors.ClientError) as caught:
        vertex_client.batches.get(name=job.name)
    assert caught.value.code == 404


def test_list_pages(gcs_client: Any, vertex_client: Any) -> None:
    src = upload(gcs_client, [gemini_line(0)])
    names = [start(vertex_client, src).name for _ in range(3)]
    listed = [j.name for j in vertex_client.batches.list(config={"page_size": 2})]
    assert sorted(listed) == sorted(names)


def test_expire_scenario_reads_expired(
    batch_emulator: EmulatorHandle, gcs_client: Any, vertex_client: Any
) -> None:
    src = upload(gcs_client, [gemini_line(i) for i in range(4)])
    job = vertex_client.batches.create(
        model=GEMINI,
        src=src,
        config={
            "dest": "gs://vertex-out/results",
            "http_options": {"headers": {"x-emulator-scenario": "expire"}},
        },
    )
    batch_emulator.advance(days=2)
    done = vertex_client.batches.get(name=job.name)
    assert done.state.value == "JOB_STATE_EXPIRED"
    assert done.completion_stats.incomplete_count > 0


def test_bigquery_is_refused_with_a_400_in_googles_envelope(
    batch_emulator: EmulatorHandle, vertex_client: Any
) -> None:
    with pytest.raises(errors.ClientError) as caught:
        vertex_client.batches.create(
            model=GEMINI, src="bq://project.dataset.table", config={"dest": "bq://p.d.out"}
        )
    assert caught.value.code == 400 and "BigQuery" in str(caught.value.message)
    raw = httpx.post(
        f"{batch_emulator.url}/vertex/v1beta1/projects/p/locations/l/batchPredictionJobs",
        json={"model": "publishers/google/models/x", "inputConfig": {"bigquerySource": {}}},
        headers={"authorization": "Bearer t"},
    )
    assert raw.status_code == 400
    assert raw.json()["error"]["status"] == "INVALID_ARGUMENT"


def test_missing_token_is_unauthenticated(batch_emulator: EmulatorHandle) -> None:
    raw = httpx.get(
        f"{batch_emulator.url}/vertex/v1beta1/projects/p/locations/l/batchPredictionJobs"
    )
    assert raw.status_code == 401
    assert raw.json()["error"]["status"] == "UNAUTHENTICATED"


def test_missing_input_fails_the_job(
    batch_emulator: EmulatorHandle, gcs_client: Any, vertex_client: Any
) -> None:
    upload(gcs_client, [gemini_line(0)])
    job = start(vertex_client, "gs://vertex-in/nothing-here.jsonl")
    seen = finish(batch_emulator, vertex_client, job.name)
    assert seen[-1] == "JOB_STATE_FAILED"
    assert "nothing-here" in (vertex_client.batches.get(name=job.name).error.message or "")
