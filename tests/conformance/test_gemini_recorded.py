"""Gemini Files and batch jobs against recorded answers: a resumable upload (tidyverse/ellmer
_vcr/google-upload.yml) and a v1beta batch lifecycle capture (fixtures/gemini)."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import httpx
import pytest

from emulator.handle import EmulatorHandle
from tests.conformance.recorded import GEMINI_BATCH_NAME, GEMINI_FILE_NAME, load, shape

CAPTURE = json.loads(
    (
        Path(__file__).resolve().parents[2] / "fixtures" / "gemini" / "reference_operations.json"
    ).read_text()
)
KEY = {"x-goog-api-key": "k"}


def upload(http: httpx.Client, data: bytes, name: str, mime: str) -> tuple[httpx.Response, dict]:
    start = http.post(
        "/upload/v1beta/files",
        json={"file": {"display_name": name}},
        headers={
            "X-Goog-Upload-Protocol": "resumable",
            "X-Goog-Upload-Command": "start",
            "X-Goog-Upload-Header-Content-Length": str(len(data)),
            "X-Goog-Upload-Header-Content-Type": mime,
        },
    )
    final = http.post(
        start.headers["x-goog-upload-url"],
        content=data,
        headers={"X-Goog-Upload-Command": "upload, finalize", "X-Goog-Upload-Offset": "0"},
    )
    return start, final.json()


def test_upload_matches_the_recorded_file_object(batch_emulator: EmulatorHandle) -> None:
    recorded = load("gemini/file_upload.json")
    data = b"%PDF-1.4 apples are tasty\n"
    with httpx.Client(base_url=batch_emulator.url, headers=KEY) as http:
        start, body = upload(http, data, "apples.pdf", "application/pdf")
    assert (
        start.headers["x-goog-upload-status"]
        == recorded["start"]["response_headers"]["x-goog-upload-status"]
    )
    want = recorded["finalize"]["response_body"]
    assert shape(body) == shape(want)
    file = body["file"]
    assert GEMINI_FILE_NAME.fullmatch(file["name"]) and GEMINI_FILE_NAME.fullmatch(
        want["file"]["name"]
    )
    # Recorded: base64 of the 64-character hex digest (88 characters), not of the raw digest.
    assert len(file["sha256Hash"]) == len(want["file"]["sha256Hash"]) == 88
    assert base64.b64decode(file["sha256Hash"]).decode() == hashlib.sha256(data).hexdigest()
    assert (file["state"], file["source"]) == (want["file"]["state"], want["file"]["source"])


@pytest.mark.batch_emulator(timing="immediate")
def test_batch_name_shape_and_thinking_usage_as_captured(batch_emulator: EmulatorHandle) -> None:
    request = {"request": {"contents": [{"parts": [{"text": "hi"}]}]}, "metadata": {"key": "a"}}
    body = {"batch": {"displayName": "test", "inputConfig": {"requests": {"requests": [request]}}}}
    with httpx.Client(base_url=batch_emulator.url, headers=KEY) as http:
        made = http.post("/v1beta/models/gemini-2.5-flash:batchGenerateContent", json=body).json()
        done = http.get(f"/v1beta/{made['name']}").json()
    assert GEMINI_BATCH_NAME.fullmatch(made["name"])
    assert GEMINI_BATCH_NAME.fullmatch(CAPTURE["pending"]["name"])
    usage = done["response"]["inlinedResponses"]["inlinedResponses"][0]["response"]["usageMetadata"]
    want = CAPTURE["succeeded_inline"]["response"]["inlinedResponses"]["inlinedResponses"][0]
    assert set(usage) == set(want["response"]["usageMetadata"])  # thoughtsTokenCount included
    assert usage["totalTokenCount"] == (
        usage["promptTokenCount"] + usage["candidatesTokenCount"] + usage["thoughtsTokenCount"]
    )


@pytest.mark.batch_emulator(timing="immediate")
def test_openai_shaped_lines_run_and_error_per_line(batch_emulator: EmulatorHandle) -> None:
    """Decided with evidence (go-genai issue #513): a real JSONL batch accepts top-level keys
    beside `request`; a line with no `request` (litellm writes OpenAI-shaped lines) cannot
    generate anything, so it comes back as that line's error while the batch succeeds; the other
    keys are echoed onto the output line, as recorded."""
    line = {
        "custom_id": "r1",
        "method": "POST",
        "url": "/v1/chat/completions",
        "body": {"model": "gemini-2.5-flash", "messages": [{"role": "user", "content": "hi"}]},
    }
    good = {"key": "k2", "request": {"contents": [{"parts": [{"text": "hi"}]}]}, "extra": 1}
    data = (json.dumps(line) + "\n" + json.dumps(good) + "\n").encode()
    with httpx.Client(base_url=batch_emulator.url, headers=KEY) as http:
        _, uploaded = upload(http, data, "in.jsonl", "application/jsonl")
        body = {
            "batch": {"displayName": "t", "inputConfig": {"fileName": uploaded["file"]["name"]}}
        }
        made = http.post("/v1beta/models/gemini-2.5-flash:batchGenerateContent", json=body).json()
        done = http.get(f"/v1beta/{made['name']}").json()
        out = done["response"]["responsesFile"]
        text = http.get(f"/download/v1beta/{out}:download", params={"alt": "media"}).text
    assert done["metadata"]["state"] == "BATCH_STATE_SUCCEEDED"
    first, second = (json.loads(x) for x in text.splitlines())
    assert "error" in first and "response" not in first
    assert second["key"] == "k2" and "response" in second
    # Recorded echo: the input line's other top-level keys come back on its output line.
    assert {k: first[k] for k in line} == line
    assert second["extra"] == 1


EMBEDDERS = ["text-embedding-004", "gemini-embedding-001", "embedding-001"]


@pytest.mark.parametrize("model", EMBEDDERS)
def test_batch_generate_refuses_embedding_models_in_the_recorded_words(
    batch_emulator: EmulatorHandle, model: str
) -> None:
    """Gemini's 404 for a model the method does not serve (fixtures/recorded/gemini/
    model_not_supported.json), naming the method called."""
    recorded = load("gemini/model_not_supported.json")["response_body"]["error"]
    body = {"batch": {"input_config": {"requests": {"requests": [{"request": {"contents": []}}]}}}}
    answer = httpx.post(
        f"{batch_emulator.url}/v1beta/models/{model}:batchGenerateContent", json=body, headers=KEY
    )
    got = answer.json()["error"]
    assert answer.status_code == recorded["code"] == 404
    assert got["status"] == recorded["status"] == "NOT_FOUND"
    want = recorded["message"].replace("text-embedding-004", model)
    assert got["message"] == want.replace("embedContent", "batchGenerateContent")


def test_the_sdk_sees_not_found_and_generating_models_still_batch(
    batch_emulator: EmulatorHandle,
) -> None:
    from google import genai
    from google.genai import errors

    client = genai.Client(api_key="k", http_options={"base_url": batch_emulator.gemini_base_url})
    src = [{"contents": [{"parts": [{"text": "hi"}], "role": "user"}]}]
    with pytest.raises(errors.ClientError) as caught:
        client.batches.create(model="gemini-embedding-001", src=src)
    assert caught.value.code == 404
    made = client.batches.create(model="gemini-2.5-flash", src=src)
    assert made.name and GEMINI_BATCH_NAME.fullmatch(made.name)
