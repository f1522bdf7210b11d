"""Properties of the Anthropic dialect: a total state table, and counts/results that add up."""

from __future__ import annotations

import json
import typing
from collections import Counter
from pathlib import Path
from typing import Any

from anthropic import Anthropic
from anthropic.types.messages import MessageBatch, MessageBatchIndividualResponse
from hypothesis import HealthCheck, given, settings, strategies as st

from emulator.core.states import BatchState
from emulator.providers.anthropic.dialect import STATUS

PROBLEMS = json.loads(
    (Path(__file__).resolve().parents[2] / "fixtures/anthropic/param_problems.json").read_text()
)["problems"]
WIRE_STATUSES = set(typing.get_args(MessageBatch.model_fields["processing_status"].annotation))


def test_state_table_is_total_onto_the_sdk_statuses():
    assert set(STATUS) == set(BatchState)
    assert set(STATUS.values()) == WIRE_STATUSES


def good(custom_id: str) -> dict[str, Any]:
    return {
        "custom_id": custom_id,
        "params": {
            "model": "claude-haiku-4-5",
            "max_tokens": 32,
            "messages": [{"role": "user", "content": "hi"}],
        },
    }


Case = tuple[list[dict[str, Any]], dict[str, str], str | None, bool]


@st.composite
def batches(draw: st.DrawFn) -> Case:
    """Requests (some with a planned params problem), a scenario, and the counts mode."""
    size = draw(st.integers(min_value=1, max_value=40))
    requests, problems = [], {}
    for index in range(size):
        custom_id = f"req-{index}"
        problem = draw(st.none() | st.sampled_from(PROBLEMS))
        requests.append(good(custom_id) if problem is None else {**problem, "custom_id": custom_id})
        if problem is not None:
            problems[custom_id] = problem["message"]
    requests = [{"custom_id": r["custom_id"], "params": r["params"]} for r in requests]
    fraction = draw(st.none() | st.sampled_from(["0", "0.25", "0.5", "1"]))
    scenario = None if fraction is None else f"errors:{fraction}"
    return requests, problems, scenario, draw(st.booleans())


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=batches(), steps=st.lists(st.floats(0.05, 0.6), min_size=1, max_size=4))
def test_counts_sum_and_results_biject(batch_emulator, case, steps):
    requests, problems, scenario, incremental = case
    batch_emulator.configure(incremental_counts=incremental)
    client = Anthropic(api_key="test", base_url=batch_emulator.anthropic_base_url)
    headers = {} if scenario is None else {"x-emulator-scenario": scenario}
    batch = client.messages.batches.create(requests=requests, extra_headers=headers)
    total = len(requests)
    for seconds in [*steps, 3600]:
        seen = client.messages.batches.retrieve(batch.id)
        assert sum(seen.request_counts.model_dump().values()) == total
        if seen.processing_status != "ended":
            assert seen.results_url is None and seen.ended_at is None
        batch_emulator.advance(seconds=seconds)
    done = client.messages.batches.retrieve(batch.id)
    assert done.processing_status == "ended" and done.request_counts.processing == 0
    lines = list(client.messages.batches.results(batch.id))
    ids = [line.custom_id for line in lines]
    assert sorted(ids) == sorted(r["custom_id"] for r in requests) and len(set(ids)) == total
    by_type = Counter(line.result.type for line in lines)
    assert {k: v for k, v in done.request_counts.model_dump().items() if v} == dict(by_type)
    for line in lines:
        MessageBatchIndividualResponse.model_validate(line.model_dump())
        if line.custom_id in problems:  # a params problem wins over scenario errors
            assert line.result.type == "errored"
            assert line.result.error.error.message == problems[line.custom_id]
    client.close()
