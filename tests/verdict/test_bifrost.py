"""The verdict through the Bifrost gateway's unified batch API (plain HTTP, as its clients use
it): the batch is judged whichever door it was read through."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.verdict.conftest import anthropic_requests, until

BUGGY = pytest.mark.batch_emulator(verdict="off")
CAREFUL = pytest.mark.batch_emulator(verdict="strict")
ANTHROPIC = {"provider": "anthropic"}


def create(http: httpx.Client) -> str:
    body = {"model": "anthropic/claude-sonnet-4-5", "requests": anthropic_requests(2)}
    answer = http.post("/v1/batches", json=body)
    assert answer.status_code == 200, answer.text
    return str(answer.json()["id"])


@BUGGY
@pytest.mark.batch_emulator(timing="manual")
def test_results_polled_instead_of_the_status(batch_emulator: Any) -> None:
    with httpx.Client(base_url=batch_emulator.bifrost_base_url) as http:
        batch_id = create(http)
        for _ in range(3):
            assert http.get(f"/v1/batches/{batch_id}/results", params=ANTHROPIC).status_code >= 400
    [finding] = batch_emulator.verdict()
    assert (finding.rule, finding.batch_id, finding.dialect) == (
        "results_before_ready",
        batch_id,
        "anthropic",
    )
    assert [e.dialect for e in finding.evidence] == ["bifrost"] * 3


@CAREFUL
@pytest.mark.batch_emulator(timing="immediate")
def test_status_then_results_passes_strict(batch_emulator: Any) -> None:
    with httpx.Client(base_url=batch_emulator.bifrost_base_url) as http:
        batch_id = create(http)
        read = lambda: http.get(f"/v1/batches/{batch_id}", params=ANTHROPIC).json()  # noqa: E731
        until(read, lambda b: b["status"] == "ended")
        results = http.get(f"/v1/batches/{batch_id}/results", params=ANTHROPIC).json()
    assert len(results["results"]) == 2
