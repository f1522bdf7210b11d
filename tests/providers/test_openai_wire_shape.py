"""The Batch object the OpenAI door sends holds to `wire.Batch` and to the SDK's own type.

`batch_to_wire` builds a plain dict (the hot path of every poll), so the model no longer checks
it at render time: this test does, in every state a batch can be seen in, over loopback HTTP.
"""

from __future__ import annotations

import contextlib
from typing import Any

import openai
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from openai import OpenAI

from emulator.clock import ManualClock
from emulator.handle import EmulatorHandle
from emulator.providers.openai import wire
from tests.providers.conftest import chat_file

SLOW = {
    "timing": {
        "policy": "timed",
        "validating": 3,
        "in_progress": 10,
        "per_request": 0,
        "finalizing": 2,
        "cancel_delay": 1,
    }
}
SCENARIOS = [None, "errors:0.5", "errors:1", "fail", "expire", "stall"]
SDK_FIELDS = set(openai.types.Batch.model_fields)


def _retrieve_raw(client: OpenAI, batch_id: str) -> dict[str, Any]:
    raw = client.batches.with_raw_response.retrieve(batch_id)
    body: dict[str, Any] = raw.http_response.json()
    return body


def _holds_to_wire(body: dict[str, Any]) -> None:
    # strict: an int must be an int, a str a str; forbid: no key the model does not declare
    model = wire.Batch.model_validate(body, strict=True)
    assert model.model_dump() == body, "a key missing or a default differing"
    assert set(body) <= SDK_FIELDS, sorted(set(body) - SDK_FIELDS)


@pytest.mark.batch_emulator(**SLOW)
@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    scenario=st.sampled_from(SCENARIOS),
    lines=st.integers(min_value=1, max_value=4),
    metadata=st.none()
    | st.dictionaries(st.text("abc", min_size=1, max_size=3), st.text(max_size=4), max_size=2),
    steps=st.lists(st.sampled_from([0.5, 2, 4, 9, 30, 90_000]), max_size=4),
    cancel_at=st.none() | st.integers(min_value=0, max_value=3),
)
def test_every_state_holds_to_the_wire_model(
    openai_sdk: OpenAI,
    manual_clock: ManualClock,
    scenario: str | None,
    lines: int,
    metadata: dict[str, str] | None,
    steps: list[float],
    cancel_at: int | None,
) -> None:
    headers = {} if scenario is None else {"x-emulator-scenario": scenario}
    upload = openai_sdk.files.create(file=("in.jsonl", chat_file(lines)), purpose="batch")
    batch = openai_sdk.batches.create(
        input_file_id=upload.id,
        endpoint="/v1/chat/completions",
        completion_window="24h",
        metadata=metadata,
        extra_headers=headers,
    )
    seen = {batch.status}
    _holds_to_wire(_retrieve_raw(openai_sdk, batch.id))
    for index, step in enumerate(steps):
        if index == cancel_at:
            # an ended batch refuses (409): that refusal is another test's subject
            with contextlib.suppress(openai.ConflictError):
                openai_sdk.batches.cancel(batch.id)
        manual_clock.advance(step)
        body = _retrieve_raw(openai_sdk, batch.id)
        _holds_to_wire(body)
        seen.add(body["status"])
        assert body["metadata"] == metadata
    listed = openai_sdk.batches.with_raw_response.list(limit=100).http_response.json()
    for item in listed["data"]:
        _holds_to_wire(item)
    assert seen


def test_a_failed_batch_carries_its_errors_in_the_model(
    openai_sdk: OpenAI, batch_emulator: EmulatorHandle
) -> None:
    upload = openai_sdk.files.create(file=("in.jsonl", chat_file(2)), purpose="batch")
    batch = openai_sdk.batches.create(
        input_file_id=upload.id,
        endpoint="/v1/chat/completions",
        completion_window="24h",
        extra_headers={"x-emulator-scenario": "fail"},
    )
    batch_emulator.advance(hours=1)
    body = _retrieve_raw(openai_sdk, batch.id)
    _holds_to_wire(body)
    assert body["status"] == "failed"
    assert body["errors"]["object"] == "list" and body["errors"]["data"]
    first = body["errors"]["data"][0]
    assert set(first) == {"code", "message", "param", "line"}
