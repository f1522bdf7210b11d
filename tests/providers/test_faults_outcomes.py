"""Planned per-item outcomes (expired, canceled, errored by body match) and faults from config.

Needs the core hookup described in the faults report (Item.outcome, service._faulted, the
EmulatorConfig.faults field). Expected shapes: openai-batch.md section 3 (expired/cancelled
error-file lines carry `error.code` batch_expired / batch_cancelled and no response) and
anthropic-gemini-batch.md A6 (result.type succeeded | errored | canceled | expired).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import anthropic
import pytest
from openai import OpenAI

from emulator import Emulator, EmulatorConfig, HttpFault, ItemFault
from emulator.core.faults import FaultError
from emulator.handle import EmulatorHandle

CHAT = "/v1/chat/completions"


def run_openai(handle: EmulatorHandle, prompts: dict[str, str]) -> tuple[Any, list[Any]]:
    sdk = OpenAI(base_url=handle.openai_base_url, api_key="sk-test", max_retries=0)
    lines = [
        {
            "custom_id": custom_id,
            "method": "POST",
            "url": CHAT,
            "body": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": text}]},
        }
        for custom_id, text in prompts.items()
    ]
    data = "".join(json.dumps(line) + "\n" for line in lines).encode()
    file_id = sdk.files.create(file=("in.jsonl", data), purpose="batch").id
    batch = sdk.batches.create(input_file_id=file_id, endpoint=CHAT, completion_window="24h")
    handle.advance(hours=1)
    done = sdk.batches.retrieve(batch.id)
    errors = sdk.files.content(done.error_file_id).text.splitlines() if done.error_file_id else []
    return done, [json.loads(x) for x in errors]


def test_openai_items_expired_and_canceled_by_rule(batch_emulator: EmulatorHandle) -> None:
    batch_emulator.faults.add(ItemFault(outcome="expired", custom_id="late-.*"))
    batch_emulator.faults.add(ItemFault(outcome="canceled", match="messages.0.content=stop"))
    done, errors = run_openai(
        batch_emulator, {"ok": "hi", "late-1": "hi", "halt": "stop", "late-2": "hi"}
    )
    assert done.status == "completed"
    codes = {line["custom_id"]: line["error"]["code"] for line in errors}
    assert codes == {
        "late-1": "batch_expired",
        "late-2": "batch_expired",
        "halt": "batch_cancelled",
    }
    assert all(line["response"] is None for line in errors)
    assert done.request_counts is not None and done.request_counts.completed == 1


def test_openai_item_errored_by_body_substring(batch_emulator: EmulatorHandle) -> None:
    batch_emulator.faults.add(
        ItemFault(
            contains="FORBIDDEN",
            status=400,
            error_type="invalid_request_error",
            message="Content policy.",
        )
    )
    _, errors = run_openai(batch_emulator, {"a": "fine", "b": "say FORBIDDEN words"})
    (line,) = errors
    assert line["custom_id"] == "b"
    assert line["response"]["status_code"] == 400
    assert line["response"]["body"]["error"]["message"] == "Content policy."


def test_anthropic_item_outcomes(batch_emulator: EmulatorHandle) -> None:
    batch_emulator.faults.add(ItemFault(outcome="expired", custom_id="x", dialect="anthropic"))
    batch_emulator.faults.add(ItemFault(custom_id="y", status=500, dialect="anthropic"))
    sdk = anthropic.Anthropic(base_url=batch_emulator.anthropic_base_url, api_key="k")
    params = {
        "model": "claude-sonnet-4-5",
        "max_tokens": 8,
        "messages": [{"role": "user", "content": "hi"}],
    }
    batch = sdk.messages.batches.create(
        requests=[{"custom_id": c, "params": params} for c in ("x", "y", "z")]  # type: ignore[misc]
    )
    batch_emulator.advance(hours=1)
    ended = sdk.messages.batches.retrieve(batch.id)
    assert (ended.request_counts.expired, ended.request_counts.errored) == (1, 1)
    kinds = {r.custom_id: r.result.type for r in sdk.messages.batches.results(batch.id)}
    assert kinds == {"x": "expired", "y": "errored", "z": "succeeded"}


@pytest.mark.batch_emulator(
    faults=[
        {"kind": "http", "status": 503, "operation": "files.list", "times": 1, "retry_after_ms": 1},
        HttpFault(status=429, operation="batches.list", times=1, retry_after_ms=1),
    ]
)
def test_marker_faults_are_live_for_the_test(batch_emulator: EmulatorHandle) -> None:
    sdk = OpenAI(base_url=batch_emulator.openai_base_url, api_key="sk-test")
    sdk.files.list()
    sdk.batches.list()
    assert [e.status for e in batch_emulator.requests] == [503, 200, 429, 200]


def test_config_file_faults_and_refusal(tmp_path: Path) -> None:
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"faults": [{"kind": "batch", "stall": True}]}))
    emulator = Emulator(EmulatorConfig.from_file(good))
    assert [r["kind"] for r in emulator.faults.describe()] == ["batch"]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"faults": [{"kind": "http", "operation": "batches.creat"}]}))
    with pytest.raises(FaultError, match=r"unknown operation 'batches\.creat'"):
        Emulator(EmulatorConfig.from_file(bad))
