"""Item and batch faults seen through the openai SDK: result lines, states, cancel quirks.

Expected shapes come from the reference (openai-batch.md section 3: errored requests are error
file lines whose `response.body.error` carries the item's error; section 4: the state machine).
"""

from __future__ import annotations

import json
from typing import Any

import openai
import pytest
from openai import OpenAI

from emulator import BatchFault, ItemFault
from emulator.handle import EmulatorHandle

CHAT = "/v1/chat/completions"


def client(handle: EmulatorHandle) -> OpenAI:
    return OpenAI(base_url=handle.openai_base_url, api_key="sk-test", max_retries=0)


def start(sdk: OpenAI, ids: list[str]) -> str:
    lines = [
        {
            "custom_id": custom_id,
            "method": "POST",
            "url": CHAT,
            "body": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": custom_id}]},
        }
        for custom_id in ids
    ]
    data = "".join(json.dumps(line) + "\n" for line in lines).encode()
    file_id = sdk.files.create(file=("in.jsonl", data), purpose="batch").id
    return sdk.batches.create(input_file_id=file_id, endpoint=CHAT, completion_window="24h").id


def lines(sdk: OpenAI, file_id: str | None) -> list[dict[str, Any]]:
    if file_id is None:
        return []
    return [json.loads(x) for x in sdk.files.content(file_id).text.splitlines()]


def test_item_fault_by_custom_id_pattern(batch_emulator: EmulatorHandle) -> None:
    sdk = client(batch_emulator)
    batch_emulator.faults.add(
        ItemFault(custom_id="slow-.*", status=429, error_type="requests", message="Too many")
    )
    batch_id = start(sdk, ["ok-1", "slow-1", "ok-2", "slow-2"])
    batch_emulator.advance(hours=1)
    done = sdk.batches.retrieve(batch_id)
    assert done.status == "completed"
    assert done.request_counts is not None
    assert (done.request_counts.completed, done.request_counts.failed) == (2, 2)
    errors = {line["custom_id"]: line["response"] for line in lines(sdk, done.error_file_id)}
    assert set(errors) == {"slow-1", "slow-2"}
    assert errors["slow-1"]["status_code"] == 429
    assert errors["slow-1"]["body"]["error"]["message"] == "Too many"
    assert {line["custom_id"] for line in lines(sdk, done.output_file_id)} == {"ok-1", "ok-2"}


def errored_ids(handle: EmulatorHandle, seed: int) -> list[str]:
    handle.reset(handle.config.model_copy(update={"seed": seed}), seed=seed)  # replays exactly
    handle.faults.add(ItemFault(rate=0.25))
    sdk = client(handle)
    batch_id = start(sdk, [f"r{i}" for i in range(40)])
    handle.advance(hours=1)
    done = sdk.batches.retrieve(batch_id)
    return sorted(line["custom_id"] for line in lines(sdk, done.error_file_id))


def test_item_rate_is_reproducible_for_a_seed(batch_emulator: EmulatorHandle) -> None:
    first, second = errored_ids(batch_emulator, 11), errored_ids(batch_emulator, 11)
    assert first == second
    assert 2 <= len(first) <= 20  # 40 draws at 0.25
    assert errored_ids(batch_emulator, 12) != first


def test_fail_validation_with_code_and_message(batch_emulator: EmulatorHandle) -> None:
    sdk = client(batch_emulator)
    batch_emulator.faults.add(BatchFault.fail("invalid_request", "Model not allowed.", times=1))
    failing, fine = start(sdk, ["a"]), start(sdk, ["a"])
    batch_emulator.advance(hours=1)
    failed = sdk.batches.retrieve(failing)
    assert failed.status == "failed"
    assert failed.errors is not None and failed.errors.data is not None
    assert [(e.code, e.message) for e in failed.errors.data] == [
        ("invalid_request", "Model not allowed.")
    ]
    assert sdk.batches.retrieve(fine).status == "completed"  # times=1: the next batch is fine


def test_expire_at_a_share_of_progress(batch_emulator: EmulatorHandle) -> None:
    sdk = client(batch_emulator)
    batch_emulator.faults.add(BatchFault(expire_at_progress=0.5))
    batch_id = start(sdk, ["a", "b", "c", "d"])
    batch_emulator.advance(hours=1)
    done = sdk.batches.retrieve(batch_id)
    assert done.status == "expired"
    assert done.request_counts is not None and done.request_counts.completed == 2
    expired = [line for line in lines(sdk, done.error_file_id) if line["error"]]
    assert [line["error"]["code"] for line in expired] == ["batch_expired", "batch_expired"]


def test_stall_until_cancel(batch_emulator: EmulatorHandle) -> None:
    sdk = client(batch_emulator)
    batch_emulator.faults.add(BatchFault(stall=True))
    batch_id = start(sdk, ["a"])
    batch_emulator.advance(hours=12)
    assert sdk.batches.retrieve(batch_id).status == "in_progress"
    sdk.batches.cancel(batch_id)
    batch_emulator.advance(minutes=5)
    assert sdk.batches.retrieve(batch_id).status == "cancelled"


def test_slow_cancel(batch_emulator: EmulatorHandle) -> None:
    sdk = client(batch_emulator)
    batch_emulator.faults.add(BatchFault(cancel_delay=600))
    batch_id = start(sdk, ["a"])
    assert sdk.batches.cancel(batch_id).status == "cancelling"
    batch_emulator.advance(seconds=599)
    assert sdk.batches.retrieve(batch_id).status == "cancelling"
    batch_emulator.advance(seconds=2)
    assert sdk.batches.retrieve(batch_id).status == "cancelled"


def test_cancel_while_validating_is_a_500(batch_emulator: EmulatorHandle) -> None:
    sdk = client(batch_emulator)
    batch_emulator.faults.add(BatchFault(cancel_error_while_validating=True))
    batch_id = start(sdk, ["a"])
    with pytest.raises(openai.InternalServerError):
        sdk.batches.cancel(batch_id)
    batch_emulator.advance(seconds=0.25)  # past the default 0.2 s of validating
    assert sdk.batches.retrieve(batch_id).status == "in_progress"
    assert sdk.batches.cancel(batch_id).status == "cancelling"
