"""Property tests for the four newer dialects: status tables, counters, line conversion,
windows, timestamps, and hostile bodies, against the SDKs' own types and helpers."""

from __future__ import annotations

import json
import typing
from datetime import datetime
from typing import Any

import orjson
from hypothesis import HealthCheck, given, settings, strategies as st
from mistralai.client.models import BatchJob, BatchJobStatus
from mistralai.extra.batch import is_terminal as mistral_terminal
from together.types import BatchJob as TogetherJob

from emulator.clock import ManualClock
from emulator.config import EmulatorConfig
from emulator.core.batch import Item
from emulator.core.service import BatchService, NewBatch
from emulator.core.states import TERMINAL, BatchState
from emulator.handle import EmulatorHandle
from emulator.providers.groq.dialect import window_seconds
from emulator.providers.mistral import dialect as mistral
from emulator.providers.registry import PROFILES
from emulator.providers.together import dialect as together

MISTRAL_STATUSES = set(typing.get_args(typing.get_args(BatchJobStatus)[0]))
TOGETHER_STATUSES = set(
    typing.get_args(typing.get_args(TogetherJob.model_fields["status"].annotation)[0])
)
FIXED = {
    "timing": {
        "policy": "timed",
        "validating": 1,
        "in_progress": 4,
        "per_request": 0,
        "finalizing": 1,
    }
}


def test_status_tables_are_total_and_agree_with_the_sdks() -> None:
    for state in BatchState:
        name = mistral.STATUS[state]
        assert name in MISTRAL_STATUSES
        # The SDK's own batch helper decides what is terminal; the core must agree.
        assert mistral_terminal(name) == (state in TERMINAL)
        spelled = together.STATUS[state]
        assert spelled in TOGETHER_STATUSES or spelled == "CANCELING"  # 1.x SDK's spelling


def _service() -> BatchService:
    config = EmulatorConfig.model_validate(FIXED)
    return BatchService(config, ManualClock(1_767_225_600.0), PROFILES)


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(0, 30),
    failing=st.floats(0, 1),
    scenario=st.sampled_from(["success", "errors", "expire", "fail"]),
    steps=st.lists(st.floats(0.1, 3.0), min_size=1, max_size=6),
    cancel_at=st.one_of(st.none(), st.integers(0, 5)),
)
def test_mistral_counters_always_add_up(
    n: int, failing: float, scenario: str, steps: list[float], cancel_at: int | None
) -> None:
    service = _service()
    chosen = f"errors:{failing:.2f}" if scenario == "errors" else scenario
    items = [Item(str(i), {"messages": []}) for i in range(n)]
    view = service.create_batch(
        NewBatch(
            dialect="mistral",
            endpoint="/v1/chat/completions",
            items=items,
            scenario=chosen,
            expires_after=5,
            model="mistral-small-latest",
            id_prefix="",
        )
    )
    before = BatchJob.model_validate(mistral.job_to_wire(view))
    for index, step in enumerate(steps):
        if index == cancel_at and view.state not in TERMINAL:
            service.cancel_batch(view.batch.id)
        service.clock.advance(step)  # type: ignore[attr-defined]
        view = service.get_batch(view.batch.id)
        job = BatchJob.model_validate(mistral.job_to_wire(view))  # every SDK-required field
        # Recorded: 0 while QUEUED (the create answer), the real total once it ran.
        assert job.total_requests == (0 if job.started_at is None else n)
        assert job.total_requests >= before.total_requests
        assert job.succeeded_requests + job.failed_requests == job.completed_requests
        assert job.completed_requests <= job.total_requests
        assert job.succeeded_requests >= before.succeeded_requests  # never goes back
        assert job.failed_requests >= before.failed_requests
        assert (job.output_file is not None) <= (
            job.status in ("SUCCESS", "TIMEOUT_EXCEEDED", "CANCELLED")
        )
        before = job


@settings(max_examples=60, deadline=None)
@given(
    lines=st.lists(
        st.one_of(
            st.fixed_dictionaries(
                {
                    "body": st.dictionaries(
                        st.text(max_size=5), st.integers(-1000, 1000), max_size=3
                    )
                },
                optional={"custom_id": st.text(max_size=8)},
            ),
            st.binary(max_size=20).filter(lambda b: b"\n" not in b),
        ),
        max_size=12,
    ),
    model=st.sampled_from(["mistral-small-latest", "codestral-latest"]),
)
def test_mistral_lines_convert_line_for_line(lines: list[Any], model: str) -> None:
    raw = b"\n".join(orjson.dumps(x) if isinstance(x, dict) else x for x in lines)
    out = mistral.as_openai_lines(raw, "/v1/chat/completions", model).split(b"\n")
    assert len(out) == len(raw.split(b"\n"))  # line numbers survive for the error report
    for number, (given_line, converted) in enumerate(zip(lines, out, strict=False)):
        if isinstance(given_line, dict):
            line = json.loads(converted)
            assert line["body"]["model"] == model
            assert (line["method"], line["url"]) == ("POST", "/v1/chat/completions")
            assert line["custom_id"] == given_line.get("custom_id", str(number))


@given(amount=st.integers(0, 400), unit=st.sampled_from(["h", "d"]))
def test_groq_windows_are_24h_to_7d(amount: int, unit: str) -> None:
    seconds = amount * (3600 if unit == "h" else 86_400)
    accepted = window_seconds(f"{amount}{unit}")
    assert accepted == (seconds if 86_400 <= seconds <= 604_800 else None)


@given(st.integers(0, 4_000_000_000))
def test_together_timestamps_are_iso_utc(value: int) -> None:
    text = together.iso(float(value))
    assert text is not None and text.endswith("Z")
    assert datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() == value


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=6),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)
POSTS = [
    ("/openai/batches?api-version=2024-10-21", {"api-key": "k"}),
    ("/openai/v1/batches", {"authorization": "Bearer k"}),
    ("/groq/openai/v1/batches", {"authorization": "Bearer k"}),
    ("/mistral/v1/batch/jobs", {"authorization": "Bearer k"}),
    ("/together/v1/batches", {"authorization": "Bearer k"}),
]


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=JSONISH, target=st.sampled_from(POSTS))
def test_hostile_create_bodies_never_500(
    batch_emulator: EmulatorHandle, body: Any, target: tuple[str, dict[str, str]]
) -> None:
    import httpx

    path, headers = target
    answer = httpx.post(batch_emulator.url + path, json=body, headers=headers, timeout=10)
    assert answer.status_code < 500, answer.text
    assert answer.headers["content-type"].startswith("application/json")
