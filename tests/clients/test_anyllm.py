"""any-llm-sdk 1.40.2's batch API (`any_llm.api.create_batch`, `retrieve_batch`,
`retrieve_batch_results`, `list_batches`, `cancel_batch`), run unmodified from .clients-venv,
for Mistral (on the mistralai SDK) and Together (on together 2.x, which uploads the file itself:
POST, PUT, preprocess, and validates `Processed` on the file object strictly)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from emulator.handle import EmulatorHandle

from .conftest import Run

IDS = ["task-0", "task-1", "task-2"]


def anyllm(run: Run, *args: str) -> dict[str, Any]:
    out: dict[str, Any] = json.loads(run("anyllm_batch.py", *args).splitlines()[-1])
    return out


@pytest.mark.batch_emulator(timing="immediate")
def test_together_create_retrieve_results_list(batch_emulator: EmulatorHandle, run: Run) -> None:
    out = anyllm(run, "together", f"{batch_emulator.together_base_url}/v1", "results")

    assert out["status"] == "completed"
    assert out["results"] == [[cid, "assistant", True] for cid in IDS]
    assert out["listed"] == [out["batch_id"]]
    [batch] = batch_emulator.batches
    assert (batch.id, batch.dialect) == (out["batch_id"], "together")


@pytest.mark.batch_emulator(scenario="stall")
def test_together_cancel(batch_emulator: EmulatorHandle, run: Run) -> None:
    out = anyllm(run, "together", f"{batch_emulator.together_base_url}/v1", "cancel")
    assert out["status"] == "cancelled"
    assert batch_emulator.batch(out["batch_id"]).state == "cancelled"


@pytest.mark.batch_emulator(timing="immediate")
def test_mistral_create_retrieve_list(batch_emulator: EmulatorHandle, run: Run) -> None:
    out = anyllm(run, "mistral", batch_emulator.mistral_server_url, "status")

    assert (out["created_status"], out["status"]) == ("validating", "completed")
    assert out["counts"] == {"completed": 3, "failed": 0, "total": 3}
    assert out["listed"] == [out["batch_id"]]
    [batch] = batch_emulator.batches
    assert (batch.id, batch.dialect, batch.model) == (
        out["batch_id"],
        "mistral",
        "mistral-small-latest",
    )


@pytest.mark.batch_emulator(scenario="stall")
def test_mistral_cancel(batch_emulator: EmulatorHandle, run: Run) -> None:
    out = anyllm(run, "mistral", batch_emulator.mistral_server_url, "cancel")
    assert out["status"] in ("cancelling", "cancelled")
    assert batch_emulator.batch(out["batch_id"]).state in ("cancelling", "cancelled")
