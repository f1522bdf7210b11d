"""Anthropic Message Batches against a real ended batch and its results (recorded by
tidyverse/ellmer), and the live max_tokens-ceiling error."""

from __future__ import annotations

import json

import httpx
import pytest

from emulator.handle import EmulatorHandle
from tests.conformance.recorded import (
    ANTHROPIC_BATCH_ID,
    ANTHROPIC_MESSAGE_ID,
    ANTHROPIC_TIME,
    load,
    nulls,
    shape,
)

HEADERS = {"x-api-key": "k", "anthropic-version": "2023-06-01"}


def request(custom_id: str, model: str = "claude-sonnet-4-5", max_tokens: int = 64) -> dict:
    return {
        "custom_id": custom_id,
        "params": {
            "model": model,
            "max_tokens": max_tokens,
            "messages": [{"role": "user", "content": "Capital of Iowa?"}],
        },
    }


@pytest.mark.batch_emulator(timing="immediate")
def test_ended_batch_and_results_have_the_recorded_shapes(batch_emulator: EmulatorHandle) -> None:
    recorded = load("anthropic/message_batch_ended.json")
    with httpx.Client(base_url=batch_emulator.url, headers=HEADERS) as http:
        created = http.post("/v1/messages/batches", json={"requests": [request("a"), request("b")]})
        batch = http.get(f"/v1/messages/batches/{created.json()['id']}").json()
        lines = http.get(f"/v1/messages/batches/{batch['id']}/results").text.splitlines()
    want = recorded["batch"]
    assert created.status_code == 200
    assert shape(batch) == shape(want) and nulls(batch) == nulls(want)
    assert ANTHROPIC_BATCH_ID.fullmatch(batch["id"]) and ANTHROPIC_BATCH_ID.fullmatch(want["id"])
    for key in ("created_at", "expires_at", "ended_at"):
        assert ANTHROPIC_TIME.fullmatch(batch[key]) and ANTHROPIC_TIME.fullmatch(want[key]), key
    assert batch["results_url"].endswith(f"/v1/messages/batches/{batch['id']}/results")
    for line in lines:
        result = json.loads(line)["result"]
        sample = recorded["results"][0]
        assert shape(result) == shape(sample)
        message = result["message"]
        assert ANTHROPIC_MESSAGE_ID.fullmatch(message["id"])
        assert ANTHROPIC_MESSAGE_ID.fullmatch(sample["message"]["id"])
        assert message["usage"]["service_tier"] == sample["message"]["usage"]["service_tier"]
        # A live capture: the alias is answered with its dated snapshot (the recorded 4-6 model
        # has no dated alias and is echoed).
        assert message["model"] == "claude-sonnet-4-5-20250929"


@pytest.mark.batch_emulator(timing="immediate")
def test_max_tokens_over_the_models_ceiling_errors_as_recorded(
    batch_emulator: EmulatorHandle,
) -> None:
    quoted = load("quoted_errors.json")["anthropic_max_tokens_over_ceiling"]
    params = quoted["request_params"]
    with httpx.Client(base_url=batch_emulator.url, headers=HEADERS) as http:
        body = {
            "requests": [
                request("over", params["model"], params["max_tokens"]),
                request("at", params["model"], 64_000),
                request("unlisted", "claude-unknown-future-9", 10**6),
            ]
        }
        batch = http.post("/v1/messages/batches", json=body).json()
        lines = http.get(f"/v1/messages/batches/{batch['id']}/results").text.splitlines()
    results = {json.loads(x)["custom_id"]: json.loads(x)["result"] for x in lines}
    want = quoted["result"]
    assert results["over"]["type"] == want["type"] == "errored"
    assert results["over"]["error"]["error"] == want["error"]["error"]
    assert results["at"]["type"] == "succeeded"
    assert results["unlisted"]["type"] == "succeeded"  # no published ceiling: not checked


def test_request_id_header_has_the_recorded_shape(batch_emulator: EmulatorHandle) -> None:
    """`request-id: req_011C` + 20 letters/digits on every answer, errors included."""
    import re

    want = load("anthropic/request_id.json")["response_headers"]["request-id"]
    shaped = re.compile(r"req_011C[A-Za-z0-9]{20}")
    assert shaped.fullmatch(want)
    with httpx.Client(base_url=batch_emulator.url, headers=HEADERS) as http:
        made = http.post("/v1/messages/batches", json={"requests": [request("a")]})
        missing = http.get("/v1/messages/batches/msgbatch_01nothere0000000000000000")
    assert made.status_code == 200 and missing.status_code == 404
    ids = {made.headers["request-id"], missing.headers["request-id"]}
    assert len(ids) == 2 and all(shaped.fullmatch(i) for i in ids)
