"""OpenAI Batch + Files against sessions recorded from api.openai.com (openai/openai-dotnet
SessionRecords): the recorded requests are replayed over real HTTP and each answer is compared
with the recorded one: status, keys, types, null vs absent, id and time formats, the headers a
client reads, the error envelope."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from emulator.handle import EmulatorHandle
from tests.conformance.recorded import (
    OPENAI_BATCH_ID,
    OPENAI_FILE_ID,
    RESPONSES_ID,
    load,
    nulls,
    shape,
)

AUTH = {"authorization": "Bearer sk-test"}
MANUAL = {"timing": "manual"}


def client(handle: EmulatorHandle) -> httpx.Client:
    return httpx.Client(base_url=handle.url, headers=AUTH)


def replay_upload(http: httpx.Client, recorded: dict[str, Any]) -> httpx.Response:
    form = recorded["request_body"]["multipart"]
    files = {"file": (form["filename"], form["content"].encode())}
    return http.post("/v1/files", files=files, data={"purpose": form["purpose"]})


def assert_headers_like(answer: httpx.Response, recorded: dict[str, Any]) -> None:
    headers = recorded["response_headers"]
    assert answer.headers["openai-version"] == headers["openai-version"] == "2020-10-01"
    assert re.fullmatch(r"\d+", answer.headers["openai-processing-ms"])
    assert answer.headers["x-request-id"]  # recorded (sanitized): always present
    assert answer.headers["content-type"].startswith(headers["content-type"])


@pytest.mark.batch_emulator(**MANUAL)
@pytest.mark.parametrize("recording", ["create_and_cancel.json", "create_and_get.json"])
def test_recorded_session_replays_with_the_same_shapes(
    batch_emulator: EmulatorHandle, recording: str
) -> None:
    upload, create, then = load(f"openai/{recording}")["entries"]
    with client(batch_emulator) as http:
        uploaded = replay_upload(http, upload)  # filename `test-batch-file`: no extension
        assert uploaded.status_code == upload["status"] == 200
        assert_headers_like(uploaded, upload)
        body, want = uploaded.json(), upload["response_body"]
        assert shape(body) == shape(want) and nulls(body) == nulls(want)
        assert OPENAI_FILE_ID.fullmatch(body["id"]) and OPENAI_FILE_ID.fullmatch(want["id"])
        assert (body["filename"], body["bytes"], body["status"]) == (
            want["filename"],
            want["bytes"],
            want["status"],
        )
        assert body["expires_at"] - body["created_at"] == want["expires_at"] - want["created_at"]

        sent = {**create["request_body"], "input_file_id": body["id"]}
        created = http.post("/v1/batches", json=sent)
        assert created.status_code == create["status"]
        assert_headers_like(created, create)
        batch, want = created.json(), create["response_body"]
        assert shape(batch) == shape(want) and nulls(batch) == nulls(want)
        assert OPENAI_BATCH_ID.fullmatch(batch["id"]) and OPENAI_BATCH_ID.fullmatch(want["id"])
        assert batch["expires_at"] - batch["created_at"] == want["expires_at"] - want["created_at"]
        assert (batch["status"], batch["model"], batch["request_counts"], batch["usage"]) == (
            want["status"],
            want["model"],
            want["request_counts"],
            want["usage"],
        )

        method, path = then["method"], then["path"].replace(want["id"], batch["id"])
        answer = http.request(method, path)
        assert answer.status_code == then["status"]
        assert_headers_like(answer, then)
        got, want = answer.json(), then["response_body"]
        assert shape(got) == shape(want) and nulls(got) == nulls(want)
        assert (got["status"], got["request_counts"]) == (want["status"], want["request_counts"])


@pytest.mark.batch_emulator(timing={"policy": "timed", "validating": 1, "in_progress": 600})
def test_in_progress_batch_reports_its_model_snapshot_and_total(
    batch_emulator: EmulatorHandle,
) -> None:
    """Recorded in a listing: while running, `model` is the dated snapshot and `total` is known."""
    recorded = load("openai/list_in_progress.json")["entries"][0]["response_body"]["data"]
    want = next(b for b in recorded if b["status"] == "in_progress")
    upload = load("openai/create_and_cancel.json")["entries"][0]
    with client(batch_emulator) as http:
        file_id = replay_upload(http, upload).json()["id"]
        made = http.post(
            "/v1/batches",
            json={
                "input_file_id": file_id,
                "endpoint": "/v1/chat/completions",
                "completion_window": "24h",
                "metadata": want["metadata"],
            },
        ).json()
        batch_emulator.advance(2)
        got = http.get(f"/v1/batches/{made['id']}").json()
    assert shape(got) == shape(want) and nulls(got) == nulls(want)
    assert (got["status"], got["model"], got["request_counts"]) == (
        "in_progress",
        want["model"],
        want["request_counts"],
    )


@pytest.mark.parametrize(
    ("recording", "call"),
    [
        ("file_not_found.json", ("GET", "/v1/files/fake_id")),
        ("file_not_found.json", ("GET", "/v1/files/fake_id/content")),
    ],
)
def test_error_envelope_matches(
    batch_emulator: EmulatorHandle, recording: str, call: tuple[str, str]
) -> None:
    want = load(f"openai/{recording}")["entries"][0]
    with client(batch_emulator) as http:
        answer = http.request(*call)
    assert answer.status_code == want["status"]
    assert answer.json() == want["response_body"]  # `detail` included, as recorded


def test_a_wrong_extension_is_refused_with_the_recorded_error(
    batch_emulator: EmulatorHandle,
) -> None:
    quoted = load("quoted_errors.json")["openai_upload_wrong_extension"]
    content = load("openai/create_and_cancel.json")["entries"][0]["request_body"]["multipart"]
    with client(batch_emulator) as http:
        answer = http.post(
            "/v1/files",
            files={"file": ("notes.txt", content["content"].encode())},
            data={"purpose": "batch"},
        )
        for name in ("upload", "test-batch-file", "in.jsonl", "IN.JSONL"):
            ok = http.post(
                "/v1/files",
                files={"file": (name, content["content"].encode())},
                data={"purpose": "batch"},
            )
            assert ok.status_code == 200, name
    assert answer.status_code == quoted["status"]
    assert answer.json() == quoted["body"]


def test_unknown_purpose_is_refused_as_recorded(batch_emulator: EmulatorHandle) -> None:
    want = load("openai/file_bad_purpose.json")["entries"][0]
    content = load("openai/create_and_cancel.json")["entries"][0]["request_body"]["multipart"]
    with client(batch_emulator) as http:
        answer = http.post(
            "/v1/files",
            files={"file": ("a.jsonl", content["content"].encode())},
            data={"purpose": "world_domination"},
        )
    assert answer.status_code == want["status"]
    assert answer.json() == want["response_body"]


def test_file_download_carries_a_content_disposition(batch_emulator: EmulatorHandle) -> None:
    upload = load("openai/create_and_cancel.json")["entries"][0]
    with client(batch_emulator) as http:
        file_id = replay_upload(http, upload).json()["id"]
        answer = http.get(f"/v1/files/{file_id}/content")
    assert answer.headers["content-disposition"] == (
        "attachment; filename=\"test-batch-file\"; filename*=UTF-8''test-batch-file"
    )
    assert answer.content == upload["request_body"]["multipart"]["content"].encode()


@pytest.mark.batch_emulator(timing="immediate")
def test_responses_result_body_has_the_recorded_keys(batch_emulator: EmulatorHandle) -> None:
    want = load("openai/response_object.json")["entries"][0]["response_body"]
    line = (
        '{"custom_id": "r1", "method": "POST", "url": "/v1/responses", "body": '
        '{"model": "gpt-5", "input": "Hello, model!", "temperature": 0, "top_p": 0.5}}\n'
    )
    with client(batch_emulator) as http:
        file_id = http.post(
            "/v1/files", files={"file": ("r.jsonl", line.encode())}, data={"purpose": "batch"}
        ).json()["id"]
        batch = http.post(
            "/v1/batches",
            json={
                "input_file_id": file_id,
                "endpoint": "/v1/responses",
                "completion_window": "24h",
            },
        ).json()
        done = http.get(f"/v1/batches/{batch['id']}").json()
        body = http.get(f"/v1/files/{done['output_file_id']}/content").json()["response"]["body"]
    assert set(body) == set(want)
    assert RESPONSES_ID.fullmatch(body["id"]) and RESPONSES_ID.fullmatch(want["id"])
    message = next(item for item in body["output"] if item["type"] == "message")
    assert RESPONSES_ID.fullmatch(message["id"])
    assert (body["temperature"], body["top_p"]) == (0.0, 0.5)  # echoed as sent
    assert body["store"] is False  # batch results are not stored (recorded in batch output)
    assert body["text"]["verbosity"] == want["text"]["verbosity"] == "medium"
    assert body["billing"] == want["billing"] and body["background"] is False
