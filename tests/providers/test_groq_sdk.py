"""Groq through the official `groq` SDK, unmodified, over loopback (reference
more-providers §2: paths and types from `groq` 1.x; windows "from 24h to 7d")."""

from __future__ import annotations

import json
from typing import Any

import groq
import pytest
from groq import Groq

from emulator import HttpFault
from emulator.handle import EmulatorHandle
from tests.providers.conftest import parse_jsonl

MODEL = "llama-3.1-8b-instant"
CHAT = "/v1/chat/completions"


def client(handle: EmulatorHandle, **kw: Any) -> Groq:
    return Groq(base_url=handle.groq_base_url, api_key="gsk-test", **kw)


def upload(sdk: Groq, n: int, model: str = MODEL) -> str:
    lines = [
        {
            "custom_id": f"req-{i}",
            "method": "POST",
            "url": CHAT,
            "body": {"model": model, "messages": [{"role": "user", "content": "hi"}]},
        }
        for i in range(n)
    ]
    data = "".join(json.dumps(x) + "\n" for x in lines).encode()
    return sdk.files.create(file=("batch.jsonl", data), purpose="batch").id


def start(sdk: Groq, n: int = 2, window: str = "24h", **kw: Any) -> Any:
    return sdk.batches.create(
        input_file_id=upload(sdk, n), endpoint=CHAT, completion_window=window, **kw
    )


@pytest.mark.parametrize(
    ("window", "seconds"), [("24h", 86_400), ("36h", 129_600), ("7d", 604_800)]
)
def test_windows_from_24h_to_7d_are_echoed(
    batch_emulator: EmulatorHandle, window: str, seconds: int
) -> None:
    batch = start(client(batch_emulator), window=window)
    assert batch.completion_window == window
    assert batch.expires_at - batch.created_at == seconds


@pytest.mark.parametrize("window", ["12h", "8d", "1w"])
def test_windows_outside_the_range_are_refused(batch_emulator: EmulatorHandle, window: str) -> None:
    with pytest.raises(groq.BadRequestError):
        start(client(batch_emulator), window=window)


def test_lifecycle_download_and_groq_fields(batch_emulator: EmulatorHandle) -> None:
    sdk = client(batch_emulator)
    batch = start(sdk, 3, metadata={"team": "ml"})
    assert batch.status == "validating"
    batch_emulator.advance(hours=1)
    done = sdk.batches.retrieve(batch.id)
    assert done.status == "completed" and done.output_file_id
    assert done.request_counts is not None and done.request_counts.completed == 3
    info = sdk.files.info(done.output_file_id)
    assert info.purpose == "batch_output"
    lines = parse_jsonl(sdk.files.content(done.output_file_id).read())
    assert sorted(x["custom_id"] for x in lines) == ["req-0", "req-1", "req-2"]
    body = lines[0]["response"]["body"]
    assert body["model"] == MODEL
    assert body["x_groq"]["id"]
    assert {"queue_time", "prompt_time", "completion_time", "total_time"} <= set(body["usage"])
    assert body["choices"][0]["finish_reason"] in ("stop", "length", "tool_calls", "function_call")


@pytest.mark.batch_emulator(timing={"policy": "manual"})  # no result files appear meanwhile
def test_list_has_every_batch_without_paging(batch_emulator: EmulatorHandle) -> None:
    sdk = client(batch_emulator)
    made = {start(sdk, 1).id for _ in range(3)}
    listed = sdk.batches.list()
    assert listed.object == "list"
    assert {b.id for b in listed.data or []} == made
    assert len(sdk.files.list().data or []) == 3


@pytest.mark.batch_emulator(timing={"policy": "manual"})
def test_cancel_reaches_cancelled(batch_emulator: EmulatorHandle) -> None:
    sdk = client(batch_emulator)
    batch = start(sdk, 2)
    assert sdk.batches.cancel(batch.id).status in ("cancelling", "cancelled")
    batch_emulator.advance(minutes=10)
    assert sdk.batches.retrieve(batch.id).status == "cancelled"


def test_not_found_and_unknown_model(batch_emulator: EmulatorHandle) -> None:
    sdk = client(batch_emulator)
    with pytest.raises(groq.NotFoundError) as caught:
        sdk.batches.retrieve("batch_missing")
    assert caught.value.body["error"]["type"] == "invalid_request_error"  # type: ignore[index]
    batch = sdk.batches.create(
        input_file_id=upload(sdk, 1, model="gpt-4o-mini"), endpoint=CHAT, completion_window="24h"
    )
    batch_emulator.advance(hours=1)
    failed = sdk.batches.retrieve(batch.id)
    assert failed.status == "failed"
    assert failed.errors is not None and failed.errors.data
    assert failed.errors.data[0].code == "model_not_found"


def test_only_batch_purpose_and_bearer_auth(batch_emulator: EmulatorHandle) -> None:
    sdk = client(batch_emulator)
    with pytest.raises(groq.BadRequestError):
        sdk.files.create(file=("x.jsonl", b"{}\n"), purpose="fine-tune")  # type: ignore[arg-type]
    with pytest.raises(groq.AuthenticationError):
        sdk.batches.list(extra_headers={"Authorization": ""})


def test_server_fault_is_retried_then_raised(batch_emulator: EmulatorHandle) -> None:
    sdk = client(batch_emulator, max_retries=1)
    batch_emulator.faults.add(HttpFault(status=503, dialect="groq", operation="batches.list"))
    with pytest.raises(groq.InternalServerError):
        sdk.batches.list()
    lists = [e for e in batch_emulator.requests if e.operation == "batches.list"]
    assert [e.status for e in lists] == [503, 503]


def test_expire_scenario_keeps_finished_requests(batch_emulator: EmulatorHandle) -> None:
    sdk = client(batch_emulator)
    batch = start(sdk, 10, window="48h", extra_headers={"x-emulator-scenario": "expire"})
    batch_emulator.advance(hours=49)
    expired = sdk.batches.retrieve(batch.id)
    assert expired.status == "expired"
    assert expired.error_file_id
    codes = {
        x["error"]["code"]
        for x in parse_jsonl(sdk.files.content(expired.error_file_id).read())
        if x["error"]
    }
    assert codes == {"batch_expired"}
