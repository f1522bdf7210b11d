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
    # OpenAI claims every /v1 path left over (once a Mount, now a claiming group), so this
    # is its "Invalid URL" 404, in Anthropic's envelope (as before the groups).
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


@pytest.mark.parametrize(
    ("method", "path", "headers", "kind"),
    [
        ("TRACE", "/v1/foo", {"authorization": "Bearer k"}, "openai"),
        ("PROPFIND", "/v1/models", {"authorization": "Bearer k"}, "openai"),
        ("TRACE", "/v1/messages/batches", {"x-api-key": "k"}, "anthropic"),
        ("TRACE", "/v1/messages/batches/x/results", {"x-api-key": "k"}, "anthropic"),
    ],
)
def test_a_method_no_route_knows_is_a_404_on_v1(http, method, path, headers, kind):
    """OpenAI's /v1 claims what is left over, whatever the method: a 404 (no 405 listing
    methods of some other provider's route)."""
    answer = http.request(method, path, headers=headers)
    assert answer.status_code == 404
    assert "allow" not in answer.headers
    error = answer.json()["error"]
    assert error["message"] == f"Invalid URL ({method} {path})"
    assert error["type"] == ("not_found_error" if kind == "anthropic" else "invalid_request_error")


def test_a_wrong_method_on_an_openai_route_lists_that_routes_methods(http):
    """Even where Gemini's /v1 route knows the path for another method (POST ...:cancel)."""
    answer = http.request("TRACE", "/v1/batches/x:cancel", headers={"authorization": "Bearer k"})
    assert answer.status_code == 405
    assert set(answer.headers["allow"].replace(" ", "").split(",")) == {"GET", "HEAD"}


def test_control_characters_in_a_path_are_journalled_as_the_url_spells_it(
    http, batch_emulator: EmulatorHandle
):
    """A line break never reaches a route (as under the old Mount); a tab is dropped from
    the journalled path as the URL parser drops it, so a fault rule sees one spelling."""
    batch_emulator.emulator.service.journal.clear()
    line_break = http.get("/v1/batches/a%0Ab", headers={"authorization": "Bearer k"})
    assert line_break.status_code == 404
    assert line_break.json()["error"]["message"].startswith("Invalid URL (GET /v1/batches/a")
    assert batch_emulator.emulator.service.journal.entries() == []
    tab = http.get("/v1/batches/a%09b", headers={"authorization": "Bearer k"})
    assert tab.status_code == 404 and tab.json()["error"]["code"] == "batch_not_found"
    (entry,) = batch_emulator.emulator.service.journal.entries()
    assert entry.path == "/v1/batches/ab"
