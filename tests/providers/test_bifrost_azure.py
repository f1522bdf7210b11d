"""Bifrost's `azure` provider: the unified API and the OpenAI-compatible routes, validated
against the seed schema like the other providers (reference more-providers §5)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from openai import AzureOpenAI, OpenAI

from emulator.handle import EmulatorHandle
from tests.providers.test_bifrost_schema import validate

DEPLOYMENT = "gpt4o-batch"
MESSAGES = [{"role": "user", "content": "hi"}]


def _jsonl(*ids: str) -> bytes:
    lines = [
        {
            "custom_id": c,
            "method": "POST",
            "url": "/chat/completions",
            "body": {"model": DEPLOYMENT, "messages": MESSAGES},
        }
        for c in ids
    ]
    return "".join(json.dumps(x) + "\n" for x in lines).encode()


@pytest.fixture
def bifrost(batch_emulator: EmulatorHandle) -> Any:
    with httpx.Client(base_url=batch_emulator.bifrost_base_url, timeout=10) as client:
        yield client


@pytest.mark.parametrize("mode", ["wire", "schema"])
def test_unified_api_creates_an_azure_batch(
    bifrost: httpx.Client, batch_emulator: EmulatorHandle, mode: str
) -> None:
    headers = {"x-emulator-bifrost-mode": mode}
    body = {
        "model": f"azure/{DEPLOYMENT}",
        "endpoint": "/chat/completions",
        "requests": [{"custom_id": "a", "body": {"messages": MESSAGES}}],
    }
    created = bifrost.post("/v1/batches", json=body, headers=headers).json()
    validate("BatchCreateResponse", created, mode=mode)
    assert created["extra_fields"]["provider"] == "azure"
    assert created["endpoint"] == "/chat/completions"
    batch_emulator.advance(hours=1)
    done = bifrost.get(f"/v1/batches/{created['id']}?provider=azure", headers=headers).json()
    validate("BatchRetrieveResponse", done, mode=mode)
    assert done["status"] == "completed"
    results = bifrost.get(
        f"/v1/batches/{created['id']}/results?provider=azure", headers=headers
    ).json()
    validate("BatchResultsResponse", results, mode=mode)
    [item] = results["results"]
    assert item["custom_id"] == "a"
    assert "prompt_filter_results" in item["response"]["body"]  # Azure's own body
    listed = bifrost.get("/v1/batches?provider=azure", headers=headers).json()
    validate("BatchListResponse", listed, mode=mode)
    assert [b["id"] for b in listed["data"]] == [created["id"]]
    # The same batch through Azure's own API.
    native = AzureOpenAI(azure_endpoint=batch_emulator.url, api_key="k", api_version="2024-10-21")
    assert native.batches.retrieve(created["id"]).status == "completed"


def test_unified_files_and_cancel_for_azure(
    bifrost: httpx.Client, batch_emulator: EmulatorHandle
) -> None:
    uploaded = bifrost.post(
        "/v1/files",
        data={"provider": "azure", "purpose": "batch"},
        files={"file": ("in.jsonl", _jsonl("x", "y"))},
    ).json()
    validate("FileUploadResponse", uploaded, doc="files.yaml")
    created = bifrost.post(
        "/v1/batches",
        json={"model": "azure/x", "input_file_id": uploaded["id"], "endpoint": "/chat/completions"},
        headers={"x-emulator-timing": "manual"},
    ).json()
    cancelled = bifrost.post(f"/v1/batches/{created['id']}/cancel?provider=azure").json()
    validate("BatchCancelResponse", cancelled)
    assert cancelled["status"] in ("cancelling", "cancelled")


def test_azure_openai_client_is_routed_by_its_user_agent(batch_emulator: EmulatorHandle) -> None:
    """`AzureOpenAI(azure_endpoint=<bifrost>)` calls `/openai/batches?api-version=...` and names
    no provider; Bifrost picks `azure` from the `AzureOpenAI/Python` User-Agent."""
    sdk = AzureOpenAI(
        azure_endpoint=batch_emulator.bifrost_base_url, api_key="k", api_version="2024-10-21"
    )
    uploaded = sdk.files.create(file=("in.jsonl", _jsonl("q")), purpose="batch")
    batch = sdk.batches.create(
        input_file_id=uploaded.id, endpoint="/chat/completions", completion_window="24h"
    )
    batch_emulator.advance(hours=1)
    done = sdk.batches.retrieve(batch.id)
    assert done.status == "completed"
    native = AzureOpenAI(azure_endpoint=batch_emulator.url, api_key="k", api_version="2024-10-21")
    assert native.batches.retrieve(batch.id).output_file_id == done.output_file_id
    # A plain OpenAI client on the same route still reaches OpenAI, which has no such batch.
    plain = OpenAI(base_url=batch_emulator.bifrost_base_url + "/openai", api_key="k")
    assert [b.id for b in plain.batches.list()] == []


def test_openai_compat_routes_take_provider_azure(batch_emulator: EmulatorHandle) -> None:
    sdk = OpenAI(base_url=batch_emulator.bifrost_base_url + "/openai/v1", api_key="k")
    uploaded = sdk.files.create(
        file=("in.jsonl", _jsonl("z")), purpose="batch", extra_body={"provider": "azure"}
    )
    batch = sdk.batches.create(
        input_file_id=uploaded.id,
        endpoint="/chat/completions",  # type: ignore[arg-type]
        completion_window="24h",
        extra_body={"provider": "azure"},
    )
    seen = sdk.batches.retrieve(batch.id, extra_query={"provider": "azure"})
    assert seen.id == batch.id


@pytest.mark.parametrize("provider", ["groq", "mistral"])
def test_groq_and_mistral_batches_stay_unsupported(bifrost: httpx.Client, provider: str) -> None:
    answer = bifrost.get(f"/v1/batches?provider={provider}")
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "unsupported_operation"
