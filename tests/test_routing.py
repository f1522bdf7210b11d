"""Route groups (emulator.routegroup) skip other providers' routes with one test, and behave as
the flat route list did: first full match wins, a wrong method answers 405 in the envelope."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from emulator.handle import EmulatorHandle


@pytest.fixture
def http(batch_emulator: EmulatorHandle) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=batch_emulator.url, timeout=10) as client:
        yield client


def test_a_wrong_method_inside_a_group_answers_in_the_providers_envelope(http):
    # OpenAI's /v1 mount claims every /v1 path it cannot serve, so this is its "Invalid URL"
    # 404, in Anthropic's envelope (as before the groups).
    anthropic = http.delete("/v1/messages/batches", headers={"x-api-key": "k"})
    assert anthropic.status_code == 404
    assert anthropic.json()["error"] == {
        "type": "not_found_error",
        "message": "Invalid URL (DELETE /v1/messages/batches)",
    }
    google = http.put("/v1beta/batches/abc:cancel", headers={"x-goog-api-key": "k"})
    assert google.status_code == 405
    assert google.json()["error"]["status"] == "NOT_FOUND"


def test_shared_v1_paths_go_to_gemini_only_for_google_clients(http):
    openai = http.get("/v1/batches/batch_x", headers={"authorization": "Bearer k"})
    assert openai.status_code == 404 and openai.json()["error"]["code"] == "batch_not_found"
    google = http.get("/v1/batches/x", headers={"x-goog-api-key": "k"})
    assert google.status_code == 404 and google.json()["error"]["status"] == "NOT_FOUND"
    # A Google custom method on /v1 is Gemini's whoever sends it (as before the groups).
    method = http.post("/v1/models/gemini-2.5-flash:batchGenerateContent", json={})
    assert method.status_code == 403 and method.json()["error"]["status"] == "PERMISSION_DENIED"


def test_groups_work_inside_bifrosts_mounts(http):
    listed = http.get("/bifrost/anthropic/v1/messages/batches", headers={"x-api-key": "k"})
    assert listed.status_code == 200 and listed.json()["data"] == []
    genai = http.get("/bifrost/genai/v1beta/batches", headers={"x-goog-api-key": "k"})
    assert genai.status_code == 200
