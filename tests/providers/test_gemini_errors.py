"""Gemini errors and the raw wire: Google's envelope and statuses, auth, injected faults, and
routing next to OpenAI on the shared `/v1` prefix. Shapes come from the reference (B3, B7) and
its capture in fixtures/gemini/reference_operations.json.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from google import genai
from google.genai import errors
from openai import OpenAI

from emulator.core.faults import HttpFault

REFERENCE = json.loads(
    (Path(__file__).resolve().parents[2] / "fixtures/gemini/reference_operations.json").read_text()
)
MODEL = "gemini-2.5-flash"
CREATE = f"/v1beta/models/{MODEL}:batchGenerateContent"
ONE = {"request": {"contents": [{"parts": [{"text": "hi"}]}]}, "metadata": {"key": "a"}}


def sdk(emu: Any) -> genai.Client:
    return genai.Client(api_key="test", http_options={"base_url": emu.gemini_base_url})


def body(*requests: dict[str, Any], **batch: Any) -> dict[str, Any]:
    return {"batch": {"inputConfig": {"requests": {"requests": list(requests)}}, **batch}}


def google_error(response: httpx.Response, status: int, name: str) -> str:
    assert response.status_code == status
    error = response.json()["error"]
    assert set(error) == {"code", "message", "status"}
    assert error["code"] == status and error["status"] == name
    message: str = error["message"]
    return message


def shape(value: Any) -> Any:
    """Keys at every level (list items by their first element), to compare with a capture."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return type(value).__name__


def test_operation_matches_the_captured_shape(batch_emulator: Any) -> None:
    with httpx.Client(base_url=batch_emulator.url, headers={"x-goog-api-key": "k"}) as http:
        pending = http.post(CREATE, json=body(ONE, ONE, ONE, displayName="test-batch-job")).json()
        batch_emulator.advance(hours=1)
        done = http.get(f"/v1beta/{pending['name']}").json()
    expected = shape(REFERENCE["pending"])
    assert shape(pending) == expected
    succeeded = shape(REFERENCE["succeeded_inline"])
    # gemini-2.5-flash thinks: `thoughtsTokenCount` is there, as in the capture.
    succeeded["response"]["inlinedResponses"] = succeeded["metadata"]["output"]["inlinedResponses"]
    assert shape(done) == succeeded
    assert done["metadata"]["batchStats"] == {"requestCount": "3", "successfulRequestCount": "3"}
    assert done["response"]["inlinedResponses"] == done["metadata"]["output"]["inlinedResponses"]


def test_missing_key_is_403_and_query_key_is_accepted(batch_emulator: Any) -> None:
    with httpx.Client(base_url=batch_emulator.url) as http:
        message = google_error(http.get("/v1beta/batches"), 403, "PERMISSION_DENIED")
        assert "API Key" in message
        bearer = http.get("/v1beta/batches", headers={"authorization": "Bearer x"})
        google_error(bearer, 401, "UNAUTHENTICATED")
        google_error(http.get("/v1beta/batches?key="), 400, "INVALID_ARGUMENT")
        assert http.get("/v1beta/batches?key=abc").json() == {"operations": []}
        assert http.get("/v1/batches?key=abc").json() == {"operations": []}


@pytest.mark.parametrize(
    "payload",
    [
        {"batch": {}},
        {"batch": {"inputConfig": {"fileName": "files/a", "requests": {"requests": [ONE]}}}},
        {"batch": {"inputConfig": {"requests": {"requests": []}}}},
        {"batch": {"inputConfig": {"requests": {"requests": [{"metadata": {"key": "x"}}]}}}},
        {"batch": {"inputConfig": {"requests": {"requests": [ONE]}}, "bogus": 1}},
        {"nobatch": {}},
        [1, 2],
    ],
)
def test_malformed_creates_are_invalid_argument(batch_emulator: Any, payload: Any) -> None:
    with httpx.Client(base_url=batch_emulator.url, headers={"x-goog-api-key": "k"}) as http:
        google_error(http.post(CREATE, json=payload), 400, "INVALID_ARGUMENT")
        google_error(http.post(CREATE, content=b"{not json"), 400, "INVALID_ARGUMENT")
    assert batch_emulator.batches == []


def test_unknown_batch_is_not_found_through_the_sdk(batch_emulator: Any) -> None:
    client = sdk(batch_emulator)
    with pytest.raises(errors.ClientError) as caught:
        client.batches.get(name="batches/nope")
    assert caught.value.code == 404 and caught.value.status == "NOT_FOUND"
    with pytest.raises(errors.ClientError):
        client.batches.delete(name="batches/nope")


@pytest.mark.parametrize(
    ("status", "name", "kind"),
    [
        (429, "RESOURCE_EXHAUSTED", errors.ClientError),
        (500, "INTERNAL", errors.ServerError),
        (503, "UNAVAILABLE", errors.ServerError),
    ],
)
def test_injected_faults_use_googles_statuses(
    batch_emulator: Any, status: int, name: str, kind: type[errors.APIError]
) -> None:
    client = sdk(batch_emulator)
    job = client.batches.create(model=MODEL, src=[{"contents": "hi"}])
    batch_emulator.add_fault(
        HttpFault(status=status, dialect="gemini", operation="batches.get", times=1)
    )
    with pytest.raises(kind) as caught:
        client.batches.get(name=job.name or "")
    assert caught.value.code == status and caught.value.status == name
    assert client.batches.get(name=job.name or "").name == job.name  # one shot, no retries


def test_openai_and_gemini_share_v1_without_stepping_on_each_other(batch_emulator: Any) -> None:
    gemini = sdk(batch_emulator)
    job = gemini.batches.create(model=MODEL, src=[{"contents": "hi"}])
    openai = OpenAI(base_url=batch_emulator.openai_base_url, api_key="sk-test")
    line = {
        "custom_id": "a",
        "method": "POST",
        "url": "/v1/chat/completions",
        "body": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]},
    }
    uploaded = openai.files.create(file=("in.jsonl", json.dumps(line).encode()), purpose="batch")
    batch = openai.batches.create(
        input_file_id=uploaded.id, endpoint="/v1/chat/completions", completion_window="24h"
    )
    assert [b.id for b in openai.batches.list()] == [batch.id]
    assert openai.batches.retrieve(batch.id).id == batch.id
    assert [f.id for f in openai.files.list()] == [uploaded.id]
    assert [j.name for j in gemini.batches.list()] == [job.name]
    assert [f.name for f in gemini.files.list()] == []
    with pytest.raises(errors.ClientError):
        gemini.batches.get(name=f"batches/{batch.id}")
    dialects = {(r.path.split("/")[2], r.dialect) for r in batch_emulator.requests}
    assert dialects == {
        ("models", "gemini"),
        ("files", "openai"),
        ("batches", "openai"),
        ("batches", "gemini"),
        ("files", "gemini"),
    }
