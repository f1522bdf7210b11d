"""The Gemini state mapping is total, matches the reference table, and holds under generated
batches: `batchStats` always add up and every request gets exactly one inlined response, in
input order (hypothesis).
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from google import genai
from google.genai import _transformers, types
from hypothesis import HealthCheck, given, settings, strategies as st

from emulator.core.states import TERMINAL, BatchState
from emulator.providers.gemini.dialect import STATE

MODEL = "gemini-2.5-flash"
# The reference's B3 table, read from the core's side: Gemini has no cancelling state, so a
# core batch still cancelling shows as running (its cancel has not taken effect yet).
EXPECTED = {
    BatchState.VALIDATING: types.JobState.JOB_STATE_PENDING,
    BatchState.IN_PROGRESS: types.JobState.JOB_STATE_RUNNING,
    BatchState.FINALIZING: types.JobState.JOB_STATE_RUNNING,
    BatchState.CANCELLING: types.JobState.JOB_STATE_RUNNING,
    BatchState.COMPLETED: types.JobState.JOB_STATE_SUCCEEDED,
    BatchState.FAILED: types.JobState.JOB_STATE_FAILED,
    BatchState.CANCELLED: types.JobState.JOB_STATE_CANCELLED,
    BatchState.EXPIRED: types.JobState.JOB_STATE_EXPIRED,
}

ROUTE = {  # the states a forced move must pass through first (core ALLOWED table)
    BatchState.FINALIZING: [BatchState.IN_PROGRESS],
    BatchState.COMPLETED: [BatchState.IN_PROGRESS, BatchState.FINALIZING],
}


def test_state_table_is_total_and_uses_the_wire_enum() -> None:
    assert set(STATE) == set(BatchState)
    for state, wire in STATE.items():
        assert wire.startswith("BATCH_STATE_") and "CANCELLING" not in wire
        sdk_state = types.JobState(_transformers.t_job_state(wire))
        assert sdk_state == EXPECTED[state]
        assert (sdk_state.name in types.JOB_STATES_ENDED) == (state in TERMINAL)


@pytest.mark.batch_emulator(timing="manual")
@pytest.mark.parametrize("target", [s for s in BatchState if s is not BatchState.VALIDATING])
def test_every_core_state_reaches_the_sdk(batch_emulator: Any, target: BatchState) -> None:
    client = genai.Client(api_key="t", http_options={"base_url": batch_emulator.gemini_base_url})
    job = client.batches.create(model=MODEL, src=[{"contents": "hi"}])
    batch_id = (job.name or "").removeprefix("batches/")
    for step in [*ROUTE.get(target, []), target]:
        batch_emulator.transition(batch_id, step)
    seen = client.batches.get(name=job.name or "")
    assert seen.state == EXPECTED[target]
    assert seen.done == (target in TERMINAL)
    assert (seen.dest is not None) == (target is BatchState.COMPLETED)


request_lists = st.lists(
    st.tuples(st.text(max_size=12), st.booleans(), st.booleans()),  # text, runnable, has key
    min_size=1,
    max_size=12,
)


def _entries(spec: list[tuple[str, bool, bool]]) -> list[dict[str, Any]]:
    entries = []
    for i, (text, runnable, keyed) in enumerate(spec):
        contents = [{"parts": [{"text": text}], "role": "user"}] if runnable else []
        entry: dict[str, Any] = {"request": {"contents": contents}}
        if keyed:
            entry["metadata"] = {"key": f"k{i}", "text": text}
        entries.append(entry)
    return entries


def _stats_add_up(stats: dict[str, str], total: int) -> None:
    parts = ("successfulRequestCount", "failedRequestCount", "pendingRequestCount")
    assert all(isinstance(v, str) and v.isdigit() and v != "0" for v in stats.values())
    assert int(stats["requestCount"]) == total
    assert sum(int(stats.get(p, "0")) for p in parts) == total


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(spec=request_lists, steps=st.lists(st.floats(0, 0.5), max_size=3))
def test_generated_batches_keep_stats_and_order(
    batch_emulator: Any, spec: list[tuple[str, bool, bool]], steps: list[float]
) -> None:
    entries = _entries(spec)
    create = f"/v1/models/{MODEL}:batchGenerateContent"
    with httpx.Client(base_url=batch_emulator.url, headers={"x-goog-api-key": "k"}) as http:
        payload = {"batch": {"inputConfig": {"requests": {"requests": entries}}}}
        name = http.post(create, json=payload).json()["name"]
        for step in [*steps, 3600.0]:
            batch_emulator.advance(step)
            _stats_add_up(http.get(f"/v1/{name}").json()["metadata"]["batchStats"], len(spec))
    client = genai.Client(api_key="t", http_options={"base_url": batch_emulator.gemini_base_url})
    job = client.batches.get(name=name)
    answers = job.dest.inlined_responses or [] if job.dest else []
    assert len(answers) == len(spec)
    for entry, answer, (_, runnable, _) in zip(entries, answers, spec, strict=True):
        assert answer.metadata == entry.get("metadata")
        assert (answer.response is not None) == runnable
        assert (answer.error is not None) == (not runnable)
