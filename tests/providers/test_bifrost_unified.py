"""The unified Bifrost batch API (`/bifrost/v1/batches`, `/bifrost/v1/files`) over loopback HTTP.

Bifrost has no official SDK for this surface, so these tests use httpx. Every response body is
validated against the published seed schema (tests/providers/test_bifrost_schema.py); the
expected values come from the Bifrost reference notes (status mapping per provider, Go
`omitempty` behaviour, error messages), not from the emulator's code.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from emulator.handle import EmulatorHandle
from tests.providers.test_bifrost_schema import validate, validate_error

CHAT = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Say hello"}]}
CLAUDE = {
    "model": "claude-3-5-haiku-latest",
    "max_tokens": 100,
    "messages": [{"role": "user", "content": "2+2?"}],
}
SCHEMA = {"x-emulator-bifrost-mode": "schema"}


@pytest.fixture
def bifrost(batch_emulator: EmulatorHandle) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=batch_emulator.bifrost_base_url, timeout=10) as client:
        yield client


def ok(response: httpx.Response, schema: str, *, mode: str = "wire") -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    validate(schema, body, mode=mode)
    return body


def refused(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    validate_error(body)
    assert body["status_code"] == status
    return body


def jsonl(*custom_ids: str) -> bytes:
    lines = [
        {"custom_id": c, "method": "POST", "url": "/v1/chat/completions", "body": CHAT}
        for c in custom_ids
    ]
    return ("\n".join(json.dumps(line) for line in lines) + "\n").encode()


def create_openai(client: httpx.Client, *ids: str, **headers: str) -> dict[str, Any]:
    body = {
        "model": "openai/gpt-4o-mini",
        "endpoint": "/v1/chat/completions",
        "requests": [{"custom_id": c, "body": CHAT} for c in ids],
    }
    return ok(client.post("/v1/batches", json=body, headers=headers), "BatchCreateResponse")


def extra(body: dict[str, Any], request_type: str, provider: str) -> None:
    fields = body["extra_fields"]
    assert fields["request_type"] == request_type
    assert fields["provider"] == provider
    assert isinstance(fields["latency"], int)  # Go: no omitempty on latency
    assert fields["chunk_index"] == 0


# -- OpenAI-routed ------------------------------------------------------------------------------
def test_openai_file_batch_full_lifecycle(bifrost, batch_emulator):
    up = bifrost.post(
        "/v1/files",
        params={"provider": "openai"},
        files={"file": ("in.jsonl", jsonl("r1", "r2"))},
        data={"purpose": "batch"},
    )
    assert up.status_code == 200, up.text
    upload = up.json()
    validate("FileUploadResponse", upload, doc="files.yaml")
    extra(upload, "file_upload", "openai")
    body = {
        "model": "openai/gpt-4o-mini",
        "input_file_id": upload["id"],
        "endpoint": "/v1/chat/completions",
        "completion_window": "24h",
        "metadata": {"team": "qa"},
    }
    created = ok(bifrost.post("/v1/batches", json=body), "BatchCreateResponse")
    extra(created, "batch_create", "openai")
    assert created["status"] == "validating"
    assert created["input_file_id"] == upload["id"]
    assert created["metadata"] == {"team": "qa"}
    # request_counts is a non-pointer Go struct: always there, with total/completed/failed.
    assert set(created["request_counts"]) == {"total", "completed", "failed"}
    batch_emulator.advance(hours=1)
    done = ok(
        bifrost.get(f"/v1/batches/{created['id']}", params={"provider": "openai"}),
        "BatchRetrieveResponse",
    )
    extra(done, "batch_retrieve", "openai")
    assert done["status"] == "completed"
    assert done["request_counts"] == {"total": 2, "completed": 2, "failed": 0}
    assert done["completed_at"] >= done["created_at"]
    results = ok(
        bifrost.get(f"/v1/batches/{created['id']}/results", params={"provider": "openai"}),
        "BatchResultsResponse",
    )
    extra(results, "batch_results", "openai")
    assert results["batch_id"] == created["id"]
    assert "has_more" not in results  # Go omitempty: absent when false
    assert sorted(r["custom_id"] for r in results["results"]) == ["r1", "r2"]
    for item in results["results"]:
        assert item["response"]["status_code"] == 200
        assert item["response"]["body"]["object"] == "chat.completion"
        assert "result" not in item


def test_openai_inline_requests_become_an_uploaded_jsonl(bifrost):
    created = create_openai(bifrost, "a", "b", "c")
    file_id = created["input_file_id"]
    info = bifrost.get(f"/v1/files/{file_id}", params={"provider": "openai"}).json()
    validate("FileRetrieveResponse", info, doc="files.yaml")
    assert info["filename"] == "batch_requests.jsonl"
    assert info["purpose"] == "batch"
    content = bifrost.get(f"/v1/files/{file_id}/content", params={"provider": "openai"})
    lines = [json.loads(x) for x in content.content.splitlines()]
    assert [x["custom_id"] for x in lines] == ["a", "b", "c"]
    assert {x["url"] for x in lines} == {"/v1/chat/completions"}
    assert {x["method"] for x in lines} == {"POST"}


def test_openai_cancel_spells_cancelled_on_the_wire_and_canceled_in_schema_mode(
    bifrost, batch_emulator
):
    wire = create_openai(bifrost, "a")
    strict = create_openai(bifrost, "b")
    cancel = ok(
        bifrost.post(f"/v1/batches/{wire['id']}/cancel", params={"provider": "openai"}),
        "BatchCancelResponse",
    )
    extra(cancel, "batch_cancel", "openai")
    assert cancel["status"] == "cancelling"
    assert isinstance(cancel["cancelling_at"], int)
    bifrost.post(f"/v1/batches/{strict['id']}/cancel", params={"provider": "openai"})
    batch_emulator.advance(minutes=5)
    got = bifrost.get(f"/v1/batches/{wire['id']}", params={"provider": "openai"})
    assert ok(got, "BatchRetrieveResponse")["status"] == "cancelled"
    got = bifrost.get(f"/v1/batches/{strict['id']}?provider=openai", headers=SCHEMA)
    assert ok(got, "BatchRetrieveResponse", mode="schema")["status"] == "canceled"


def test_results_not_ready_is_a_500_operation_error_or_a_400_in_schema_mode(bifrost):
    created = create_openai(bifrost, "a")
    url = f"/v1/batches/{created['id']}/results?provider=openai"
    wire = refused(bifrost.get(url), 500)
    assert wire["is_bifrost_error"] is True
    assert "output_file_id is empty" in wire["error"]["message"]
    strict = refused(bifrost.get(url, headers=SCHEMA), 400)
    assert strict["is_bifrost_error"] is False


def test_list_pagination_round_trips_next_cursor(bifrost):
    ids = [create_openai(bifrost, f"c{n}")["id"] for n in range(3)]
    first = ok(bifrost.get("/v1/batches?provider=openai&limit=2"), "BatchListResponse")
    extra(first, "batch_list", "openai")
    assert [b["id"] for b in first["data"]] == ids[::-1][:2]  # newest first
    assert (first["first_id"], first["last_id"]) == (ids[2], ids[1])
    assert first["has_more"] is True
    cursor = json.loads(base64.urlsafe_b64decode(first["next_cursor"]))
    assert cursor == {"v": 1, "i": 0, "c": ids[1]}  # Bifrost's serial multi-key cursor
    for item in first["data"]:
        extra(item, "batch_list", "openai")
    params = {"provider": "openai", "limit": "2", "after": first["next_cursor"]}
    second = ok(bifrost.get("/v1/batches", params=params), "BatchListResponse")
    assert [b["id"] for b in second["data"]] == [ids[0]]
    assert "has_more" not in second and "next_cursor" not in second
    strict = bifrost.get("/v1/batches", params=params, headers=SCHEMA)
    assert ok(strict, "BatchListResponse", mode="schema")["has_more"] is False


def test_batches_made_by_the_plain_openai_api_are_visible_through_bifrost(bifrost, batch_emulator):
    direct = httpx.Client(
        base_url=batch_emulator.openai_base_url, headers={"authorization": "Bearer k"}
    )
    with direct:
        file_id = direct.post(
            "/files", files={"file": ("in.jsonl", jsonl("x"))}, data={"purpose": "batch"}
        ).json()["id"]
        batch = direct.post(
            "/batches",
            json={
                "input_file_id": file_id,
                "endpoint": "/v1/chat/completions",
                "completion_window": "24h",
            },
        ).json()
    listed = ok(bifrost.get("/v1/batches?provider=openai"), "BatchListResponse")
    assert [b["id"] for b in listed["data"]] == [batch["id"]]


# -- Anthropic-routed ---------------------------------------------------------------------------
def test_anthropic_batch_ends_as_ended_with_processing_status(bifrost, batch_emulator):
    body = {
        "model": "anthropic/claude-3-5-haiku-latest",
        "requests": [{"custom_id": "q1", "params": CLAUDE}, {"custom_id": "q2", "params": CLAUDE}],
    }
    created = ok(bifrost.post("/v1/batches", json=body), "BatchCreateResponse")
    extra(created, "batch_create", "anthropic")
    assert created["id"].startswith("msgbatch_")
    assert (created["status"], created["processing_status"]) == ("in_progress", "in_progress")
    assert created["request_counts"] == {"total": 2, "completed": 0, "failed": 0, "pending": 2}
    batch_emulator.advance(hours=1)
    done = ok(
        bifrost.get(f"/v1/batches/{created['id']}", params={"provider": "anthropic"}),
        "BatchRetrieveResponse",
    )
    assert (done["status"], done["processing_status"]) == ("ended", "ended")  # never completed
    assert done["request_counts"] == {"total": 2, "completed": 2, "failed": 0, "succeeded": 2}
    assert done["results_url"].endswith(f"/v1/messages/batches/{created['id']}/results")
    results = ok(
        bifrost.get(f"/v1/batches/{created['id']}/results", params={"provider": "anthropic"}),
        "BatchResultsResponse",
    )
    extra(results, "batch_results", "anthropic")
    assert sorted(r["custom_id"] for r in results["results"]) == ["q1", "q2"]
    for item in results["results"]:
        assert item["result"]["type"] == "succeeded"
        assert item["result"]["message"]["type"] == "message"
        assert "response" not in item


def test_anthropic_cancel_keeps_message_batch_type_then_ends(bifrost, batch_emulator):
    body = {
        "model": "anthropic/claude-3-5-haiku-latest",
        "requests": [{"custom_id": "q", "params": CLAUDE}],
    }
    created = ok(bifrost.post("/v1/batches", json=body), "BatchCreateResponse")
    cancel = ok(
        bifrost.post(f"/v1/batches/{created['id']}/cancel?provider=anthropic"),
        "BatchCancelResponse",
    )
    extra(cancel, "batch_cancel", "anthropic")
    assert cancel["object"] == "message_batch"
    assert cancel["status"] == "cancelling"
    batch_emulator.advance(minutes=1)
    done = ok(
        bifrost.get(f"/v1/batches/{created['id']}?provider=anthropic"), "BatchRetrieveResponse"
    )
    assert (done["status"], done["processing_status"]) == ("ended", "ended")
    assert done["request_counts"]["canceled"] == 1
    results = ok(
        bifrost.get(f"/v1/batches/{created['id']}/results?provider=anthropic"),
        "BatchResultsResponse",
    )
    assert [r["result"]["type"] for r in results["results"]] == ["canceled"]


def test_anthropic_needs_inline_requests(bifrost):
    body = {"model": "anthropic/claude-3-5-haiku-latest", "input_file_id": "file-x"}
    err = refused(bifrost.post("/v1/batches", json=body), 400)
    assert err["error"]["message"] == "requests array is required for Anthropic batch API"


# -- Gemini-routed ------------------------------------------------------------------------------
def test_gemini_batch_carries_operation_name_and_done(bifrost, batch_emulator):
    body = {
        "model": "gemini/gemini-2.5-flash",
        "requests": [{"custom_id": "g1", "body": CHAT}, {"custom_id": "g2", "body": CHAT}],
    }
    created = ok(bifrost.post("/v1/batches", json=body), "BatchCreateResponse")
    extra(created, "batch_create", "gemini")
    assert created["id"].startswith("batches/")
    assert created["operation_name"] == created["id"]
    running = ok(
        bifrost.get(f"/v1/batches/{created['id']}?provider=gemini"), "BatchRetrieveResponse"
    )
    assert (running["status"], running["done"]) == ("in_progress", False)
    batch_emulator.advance(hours=1)
    done = ok(bifrost.get(f"/v1/batches/{created['id']}?provider=gemini"), "BatchRetrieveResponse")
    assert (done["status"], done["done"]) == ("completed", True)
    counts = done["request_counts"]
    assert counts["total"] == 2 and counts["completed"] == 2 and counts["succeeded"] == 2
    assert counts["failed"] == 0 and "pending" not in counts
    results = ok(
        bifrost.get(f"/v1/batches/{created['id']}/results?provider=gemini"), "BatchResultsResponse"
    )
    extra(results, "batch_results", "gemini")
    assert sorted(r["custom_id"] for r in results["results"]) == ["g1", "g2"]
    for item in results["results"]:
        simplified = item["response"]["body"]
        assert item["response"]["status_code"] == 200
        assert simplified["text"]
        usage = simplified["usage"]
        # gemini-2.5 thinks: Gemini's total also counts its thoughtsTokenCount (recorded).
        assert usage["total_tokens"] >= usage["prompt_tokens"] + usage["completion_tokens"]


def test_gemini_list_uses_bare_ids_which_retrieve_accepts(bifrost):
    body = {"model": "gemini/gemini-2.5-flash", "requests": [{"custom_id": "g", "body": CHAT}]}
    created = ok(bifrost.post("/v1/batches", json=body), "BatchCreateResponse")
    listed = ok(bifrost.get("/v1/batches?provider=gemini"), "BatchListResponse")
    bare = created["id"].removeprefix("batches/")
    assert [b["id"] for b in listed["data"]] == [bare]
    assert listed["data"][0]["operation_name"] == created["id"]
    again = ok(bifrost.get(f"/v1/batches/{bare}?provider=gemini"), "BatchRetrieveResponse")
    assert again["id"] == created["id"]


def test_gemini_cancel_is_synthetic_cancelling_then_cancelled(bifrost, batch_emulator):
    body = {"model": "gemini/gemini-2.5-flash", "requests": [{"custom_id": "g", "body": CHAT}]}
    created = ok(bifrost.post("/v1/batches", json=body), "BatchCreateResponse")
    cancel = ok(
        bifrost.post(f"/v1/batches/{created['id']}/cancel?provider=gemini"), "BatchCancelResponse"
    )
    assert cancel["status"] == "cancelling"
    assert cancel["request_counts"] == {"total": 0, "completed": 0, "failed": 0}
    batch_emulator.advance(minutes=1)
    done = ok(bifrost.get(f"/v1/batches/{created['id']}?provider=gemini"), "BatchRetrieveResponse")
    assert (done["status"], done["done"]) == ("cancelled", True)
    results = ok(
        bifrost.get(f"/v1/batches/{created['id']}/results?provider=gemini"), "BatchResultsResponse"
    )
    assert [r["custom_id"] for r in results["results"]] == ["info"]


def test_gemini_results_not_ready_names_the_running_state(bifrost):
    body = {"model": "gemini/gemini-2.5-flash", "requests": [{"custom_id": "g", "body": CHAT}]}
    created = ok(bifrost.post("/v1/batches", json=body), "BatchCreateResponse")
    err = refused(bifrost.get(f"/v1/batches/{created['id']}/results?provider=gemini"), 500)
    assert err["is_bifrost_error"] is True
    assert "results not yet available" in err["error"]["message"]


def test_gemini_files_feed_gemini_batches(bifrost, batch_emulator):
    line = {"key": "k1", "request": {"contents": [{"role": "user", "parts": [{"text": "hi"}]}]}}
    up = bifrost.post(
        "/v1/files",
        headers={"x-model-provider": "gemini"},
        files={"file": ("in.jsonl", json.dumps(line).encode() + b"\n")},
        data={"purpose": "batch"},
    ).json()
    validate("FileUploadResponse", up, doc="files.yaml")
    assert up["id"].startswith("files/")
    body = {"model": "gemini/gemini-2.5-flash", "input_file_id": up["id"]}
    created = ok(bifrost.post("/v1/batches", json=body), "BatchCreateResponse")
    batch_emulator.advance(hours=1)
    results = ok(
        bifrost.get(f"/v1/batches/{created['id']}/results?provider=gemini"), "BatchResultsResponse"
    )
    assert [r["custom_id"] for r in results["results"]] == ["k1"]


# -- provider selection and errors --------------------------------------------------------------
def test_provider_comes_from_model_prefix_header_or_query(bifrost):
    created = create_openai(bifrost, "a")
    by_header = bifrost.get(f"/v1/batches/{created['id']}", headers={"x-model-provider": "openai"})
    assert ok(by_header, "BatchRetrieveResponse")["id"] == created["id"]
    body = {"endpoint": "/v1/chat/completions", "requests": [{"custom_id": "a", "body": CHAT}]}
    no_prefix = bifrost.post("/v1/batches?provider=openai", json=body)
    extra(ok(no_prefix, "BatchCreateResponse"), "batch_create", "openai")


@pytest.mark.parametrize(
    ("method", "path", "body", "message"),
    [
        (
            "GET",
            "/v1/batches",
            None,
            "provider query parameter or x-model-provider header is required",
        ),
        ("GET", "/v1/batches?provider=nope", None, "provider not found for batch list request"),
        (
            "GET",
            "/v1/batches/b?provider=groq",
            None,
            "batch_retrieve is not supported by groq provider",
        ),
        (
            "POST",
            "/v1/batches",
            {"model": "openai/gpt-4o-mini"},
            "either input_file_id or requests is required",
        ),
        (
            "POST",
            "/v1/batches",
            {"model": "gpt-4o-mini", "input_file_id": "f"},
            "provider query parameter or x-model-provider header is required",
        ),
    ],
)
def test_refusals_use_the_bifrost_envelope(bifrost, method, path, body, message):
    err = refused(bifrost.request(method, path, json=body), 400)
    assert err["is_bifrost_error"] is False
    assert err["error"]["message"] == message


def test_unsupported_operation_carries_its_code(bifrost):
    err = refused(bifrost.post("/v1/batches/x/cancel?provider=mistral"), 400)
    assert err["error"]["code"] == "unsupported_operation"
    assert err["extra_fields"] == {"provider": "mistral", "request_type": "batch_cancel"}


def test_file_and_requests_together_are_refused(bifrost):
    body = {
        "model": "openai/gpt-4o-mini",
        "input_file_id": "file-1",
        "requests": [{"custom_id": "a"}],
    }
    err = refused(bifrost.post("/v1/batches", json=body), 400)
    assert "not both" in err["error"]["message"]


def test_unknown_batch_passes_the_upstream_404_through(bifrost):
    for provider, batch_id in (
        ("openai", "batch_test-batch-id"),
        ("anthropic", "msgbatch_test-batch-id"),
        ("gemini", "batches/aaaaaaaaaaaa"),
    ):
        err = refused(bifrost.get(f"/v1/batches/{batch_id}?provider={provider}"), 404)
        assert err["extra_fields"]["provider"] == provider
        refused(bifrost.get(f"/v1/batches/{batch_id}/results?provider={provider}"), 404)


def test_unrouted_bifrost_paths_answer_in_the_bifrost_envelope(bifrost):
    refused(bifrost.get("/v1/nothing-here"), 404)


def test_openai_file_routes_round_trip(bifrost):
    up = bifrost.post(
        "/v1/files",
        data={"purpose": "batch", "provider": "openai"},
        files={"file": ("in.jsonl", jsonl("a"))},
    ).json()
    listed = bifrost.get("/v1/files", params={"x-model-provider": "openai"}).json()
    validate("FileListResponse", listed, doc="files.yaml")
    assert [f["id"] for f in listed["data"]] == [up["id"]]
    assert bifrost.get(f"/v1/files/{up['id']}/content?provider=openai").content == jsonl("a")
    gone = bifrost.delete(f"/v1/files/{up['id']}?provider=openai").json()
    validate("FileDeleteResponse", gone, doc="files.yaml")
    assert gone["deleted"] is True
    refused(bifrost.get(f"/v1/files/{up['id']}?provider=openai"), 404)
    missing = refused(
        bifrost.post("/v1/files?provider=openai", files={"file": ("a.jsonl", b"{}")}), 400
    )
    assert missing["error"]["message"] == "purpose is required"
