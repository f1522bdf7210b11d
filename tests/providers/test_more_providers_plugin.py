"""The four newer dialects on the pytest surface: handle URLs, client fixtures, control plane."""

from __future__ import annotations

import json
from typing import Any

import httpx
from groq import Groq
from mistralai.client import Mistral
from openai import AzureOpenAI
from together import Together

from emulator.handle import EmulatorHandle


def test_handle_urls_are_what_each_sdk_is_given(batch_emulator: EmulatorHandle) -> None:
    url = batch_emulator.url
    assert batch_emulator.azure_endpoint == url  # AzureOpenAI appends /openai itself
    assert batch_emulator.groq_base_url == url + "/groq"  # groq appends /openai/v1
    assert batch_emulator.mistral_server_url == url + "/mistral"  # mistralai appends /v1
    assert batch_emulator.together_base_url == url + "/together"  # together appends /v1


def test_client_fixtures_reach_the_fixture_server(
    batch_emulator: EmulatorHandle,
    azure_client: AzureOpenAI,
    groq_client: Groq,
    mistral_client: Mistral,
    together_client: Together,
) -> None:
    assert azure_client.batches.list().data == []
    assert groq_client.batches.list().data == []
    assert mistral_client.batch.jobs.list().total == 0
    assert together_client.batches.list() == []
    seen = [(e.dialect, e.path, e.status) for e in batch_emulator.requests]
    assert seen == [
        ("azure", "/openai/batches", 200),
        ("groq", "/groq/openai/v1/batches", 200),
        ("mistral", "/mistral/v1/batch/jobs", 200),
        ("together", "/together/v1/batches", 200),
    ]


def test_control_plane_lists_and_moves_every_dialects_batches(
    batch_emulator: EmulatorHandle, mistral_client: Mistral
) -> None:
    job = mistral_client.batch.jobs.create(
        requests=[{"custom_id": "a", "body": {"messages": [{"role": "user", "content": "x"}]}}],
        model="mistral-small-latest",
        endpoint="/v1/chat/completions",
        http_headers={"x-emulator-timing": "manual"},
    )
    control = httpx.Client(base_url=batch_emulator.url + "/_emulator")
    listed = control.get("/batches").json()
    rows = listed["data"] if isinstance(listed, dict) else listed
    assert [(r["id"], r["dialect"]) for r in rows] == [(job.id, "mistral")]
    moved = control.post(f"/batches/{job.id}/transition", json={"to": "expired"})
    assert moved.status_code == 200
    assert mistral_client.batch.jobs.get(job_id=job.id).status == "TIMEOUT_EXCEEDED"


def test_in_process_clients_need_no_socket(tmp_path: Any) -> None:
    """`EmulatorHandle.in_process()` wires each SDK to the app itself, Together's PUT to its
    API-issued upload URL included."""
    handle = EmulatorHandle.in_process()
    try:
        path = tmp_path / "in.jsonl"
        line = {"custom_id": "a", "body": {"model": "meta-llama/Llama-3-8b", "messages": []}}
        path.write_text(json.dumps(line) + "\n")
        uploaded = handle.together_client().files.upload(file=path, purpose="batch-api")
        assert uploaded.processing_status == "COMPLETED"
        assert handle.azure_client().batches.list().data == []
        assert handle.groq_client().batches.list().data == []
        assert handle.mistral_client().batch.jobs.list().total == 0
        assert {e.dialect for e in handle.requests} == {"together", "azure", "groq", "mistral"}
    finally:
        handle.stop()
