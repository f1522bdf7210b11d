"""Every failure answers in OpenAI's envelope with the right status; nothing is a 500 (§5)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import openai
import pytest
from hypothesis import given, settings, strategies as st
from openai import OpenAI

from emulator import Emulator
from emulator.handle import EmulatorHandle
from tests.providers.conftest import chat_file

AUTH = {"authorization": "Bearer sk-test"}
ENVELOPE_KEYS = {"message", "type", "param", "code"}


def assert_envelope(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    # Files errors also repeat message and code in `detail`, as recorded (openai-dotnet).
    files = "/files" in str(response.request.url)
    assert set(body) == ({"error", "detail"} if files else {"error"})
    if files:
        assert body["detail"] == {k: body["error"][k] for k in ("message", "code")}
    assert set(body["error"]) == ENVELOPE_KEYS
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return dict(body["error"])


def test_missing_api_key_is_a_401(batch_emulator: EmulatorHandle) -> None:
    for method, path in (("GET", "/v1/files"), ("POST", "/v1/batches"), ("GET", "/v1/batches/x")):
        response = httpx.request(method, batch_emulator.url + path)
        error = assert_envelope(response, 401)
        assert error["type"] == "invalid_request_error"
        assert error["message"].startswith("You didn't provide an API key.")
        assert response.headers["x-request-id"].startswith("req_")


def test_sdk_sees_authentication_error(batch_emulator: EmulatorHandle) -> None:
    client = OpenAI(base_url=batch_emulator.openai_base_url, api_key="sk-test", max_retries=0)
    with pytest.raises(openai.AuthenticationError) as info:
        client.batches.list(extra_headers={"Authorization": openai.Omit()})
    assert info.value.status_code == 401
    assert info.value.request_id is not None


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/v1/batches/b/results", 404),
        ("GET", "/v1/files/f/content/extra", 404),
        ("POST", "/v1/batchesx", 404),
        ("PUT", "/v1/files", 405),
        ("PATCH", "/v1/batches/abc", 405),
        ("GET", "/v1/batches/abc/cancel", 405),
        ("POST", "/v1/files/abc", 405),
    ],
)
def test_unknown_routes_and_wrong_methods(
    batch_emulator: EmulatorHandle, method: str, path: str, status: int
) -> None:
    response = httpx.request(method, batch_emulator.url + path, headers=AUTH)
    error = assert_envelope(response, status)
    assert error == {
        "message": f"Invalid URL ({method} {path})",
        "type": "invalid_request_error",
        "param": None,
        "code": None,
    }
    assert response.headers["x-request-id"].startswith("req_")


def test_unknown_path_outside_the_families(batch_emulator: EmulatorHandle) -> None:
    response = httpx.get(batch_emulator.url + "/v1/nothing-here", headers=AUTH)
    assert assert_envelope(response, 404)["message"] == "Invalid URL (GET /v1/nothing-here)"


@pytest.mark.parametrize("payload", [b"{not json", b"", b"[1,", b"\xff\xfe"])
def test_malformed_json_body(batch_emulator: EmulatorHandle, payload: bytes) -> None:
    response = httpx.post(
        batch_emulator.url + "/v1/batches",
        headers={**AUTH, "content-type": "application/json"},
        content=payload,
    )
    error = assert_envelope(response, 400)
    assert error["type"] == "invalid_request_error"
    assert "JSON" in error["message"]
    assert response.headers["x-request-id"]


def test_cancel_accepts_an_empty_body(openai_sdk: OpenAI) -> None:
    upload = openai_sdk.files.create(file=("in.jsonl", chat_file(1)), purpose="batch")
    batch = openai_sdk.batches.create(
        input_file_id=upload.id, endpoint="/v1/chat/completions", completion_window="24h"
    )
    raw = openai_sdk.batches.with_raw_response.cancel(batch.id)
    assert raw.http_request.content == b""
    assert raw.parse().status == "cancelling"


def test_json_responses_carry_content_type_and_request_id(openai_sdk: OpenAI) -> None:
    upload = openai_sdk.files.with_raw_response.create(
        file=("in.jsonl", chat_file(1)), purpose="batch"
    )
    file_id = upload.parse().id
    calls = [
        upload,
        openai_sdk.files.with_raw_response.list(),
        openai_sdk.files.with_raw_response.retrieve(file_id),
        openai_sdk.batches.with_raw_response.create(
            input_file_id=file_id, endpoint="/v1/chat/completions", completion_window="24h"
        ),
        openai_sdk.batches.with_raw_response.list(),
    ]
    ids = set()
    for raw in calls:
        assert raw.headers["content-type"] == "application/json"
        assert raw.request_id is not None and raw.request_id.startswith("req_")
        ids.add(raw.request_id)
    assert len(ids) == len(calls)


def test_request_id_on_sdk_errors(openai_sdk: OpenAI) -> None:
    with pytest.raises(openai.NotFoundError) as info:
        openai_sdk.files.retrieve("file-missing")
    assert info.value.request_id is not None
    assert info.value.response.headers["content-type"] == "application/json"


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
CREATE_KEYS = st.sampled_from(
    ["input_file_id", "endpoint", "completion_window", "metadata", "output_expires_after", "x"]
)


@settings(max_examples=40)
@given(
    body=st.dictionaries(CREATE_KEYS, JSON | st.sampled_from(["24h", "/v1/embeddings"]), max_size=6)
    | JSON,
    path=st.sampled_from(["/v1/batches", "/v1/batches/batch_x/cancel", "/v1/files"]),
)
def test_no_json_body_produces_a_500(body: Any, path: str) -> None:
    """In-process (ASGI): arbitrary JSON on every POST route is a 2xx or a 4xx envelope."""
    emulator = Emulator()

    async def send() -> httpx.Response:
        transport = httpx.ASGITransport(app=emulator.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://emu") as client:
            return await client.post(path, headers=AUTH, content=json.dumps(body))

    response = asyncio.run(send())
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert_envelope(response, response.status_code)
