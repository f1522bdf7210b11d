"""`batch-emulator serve --flavor bifrost`: the Bifrost surface at the root of its own server."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from emulator.api import Emulator
from emulator.app import create_app
from emulator.server import ServerThread
from tests.providers.test_bifrost_schema import validate, validate_error

CHAT = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}


@pytest.fixture
def served() -> Iterator[tuple[Emulator, httpx.Client]]:
    emulator = Emulator()
    server = ServerThread(create_app(emulator, flavor="bifrost"))
    url = server.start()
    try:
        with httpx.Client(base_url=url, timeout=10) as client:
            yield emulator, client
    finally:
        server.stop()


def test_unified_api_is_served_at_the_root(served):
    emulator, client = served
    body = {
        "model": "openai/gpt-4o-mini",
        "endpoint": "/v1/chat/completions",
        "requests": [{"custom_id": "a", "body": CHAT}],
    }
    created = client.post("/v1/batches", json=body).json()
    validate("BatchCreateResponse", created)
    emulator.advance(hours=1)
    done = client.get(f"/v1/batches/{created['id']}", params={"provider": "openai"}).json()
    validate("BatchRetrieveResponse", done)
    assert done["status"] == "completed"
    results = client.get(f"/v1/batches/{created['id']}/results?provider=openai").json()
    validate("BatchResultsResponse", results)
    assert [r["custom_id"] for r in results["results"]] == ["a"]


def test_anthropic_results_url_points_at_the_root_surface(served):
    emulator, client = served
    params = {"model": "claude-3-5-haiku-latest", "max_tokens": 16, "messages": CHAT["messages"]}
    body = {
        "model": "anthropic/claude-3-5-haiku-latest",
        "requests": [{"custom_id": "q", "params": params}],
    }
    created = client.post("/v1/batches", json=body).json()
    emulator.advance(hours=1)
    done = client.get(f"/v1/batches/{created['id']}?provider=anthropic").json()
    validate("BatchRetrieveResponse", done)
    url = done["results_url"]
    root = str(client.base_url).rstrip("/")
    assert url == f"{root}/anthropic/v1/messages/batches/{created['id']}/results"
    lines = client.get(url, headers={"x-api-key": "k"}).text.splitlines()
    assert len(lines) == 1


def test_unrouted_paths_answer_in_the_bifrost_envelope(served):
    _, client = served
    for path in ("/nothing", "/bifrost/v1/batches"):
        response = client.get(path)
        assert response.status_code == 404
        validate_error(response.json())
        assert response.json()["is_bifrost_error"] is False
