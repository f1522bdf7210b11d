"""litellm 1.110.2's batch functions (create_file, file_retrieve, create_batch, retrieve_batch,
file_content, list_batches, cancel_batch), run unmodified from .clients-venv, for three of the
newer providers: Azure (custom_llm_provider="azure" with api_base and api_version), Mistral
("mistral", one model per job) and Groq, which litellm reaches as an OpenAI-compatible batch API
("openai" with api_base ".../openai/v1", the base URL Groq's OpenAI-compatibility docs give).

LITELLM_LOCAL_MODEL_COST_MAP=True is litellm's documented offline setting: without it, importing
litellm fetches its cost map from GitHub (three retries, seconds of delay with no network).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from emulator import ItemFault
from emulator.handle import EmulatorHandle

from .conftest import Run

IDS = ["task-0", "task-1", "task-2"]
OFFLINE = {"LITELLM_LOCAL_MODEL_COST_MAP": "True"}


def litellm(run: Run, *args: str) -> dict[str, Any]:
    out: dict[str, Any] = json.loads(run("litellm_batch.py", *args, env=OFFLINE).splitlines()[-1])
    return out


def dialects(handle: EmulatorHandle) -> set[str]:
    return {e.dialect for e in handle.requests}


def check_cancelled(handle: EmulatorHandle, out: dict[str, Any], dialect: str) -> None:
    """The second batch (scenario "stall", so it cannot finish first) was cancelled."""
    cancelled = out["cancelled"]
    assert cancelled["first"] in ("cancelling", "cancelled")
    assert cancelled["final"] == "cancelled"
    assert out["listed"] == [cancelled["id"], out["batch_id"]]  # newest first
    info = handle.batch(cancelled["id"])
    assert (info.state, info.dialect) == ("cancelled", dialect)


@pytest.mark.batch_emulator(timing="immediate")
def test_azure_upload_create_retrieve_download_list_cancel(
    batch_emulator: EmulatorHandle, run: Run
) -> None:
    out = litellm(run, "azure", batch_emulator.azure_endpoint)

    assert (out["created_status"], out["status"]) == ("validating", "completed")
    assert out["counts"] == {"completed": 3, "failed": 0, "total": 3}
    assert out["output_custom_ids"] == IDS
    assert out["output_roles"] == ["assistant"]
    assert batch_emulator.batch(out["batch_id"]).state == "completed"
    check_cancelled(batch_emulator, out, "azure")
    assert dialects(batch_emulator) == {"azure"}


@pytest.mark.batch_emulator(timing="immediate")
def test_azure_partial_failure_keeps_the_failed_request_out_of_the_output(
    batch_emulator: EmulatorHandle, run: Run
) -> None:
    batch_emulator.faults.add(ItemFault(custom_id="task-1", status=500))
    out = litellm(run, "azure", batch_emulator.azure_endpoint)

    assert out["status"] == "completed"
    assert out["counts"] == {"completed": 2, "failed": 1, "total": 3}
    assert out["output_custom_ids"] == ["task-0", "task-2"]
    # The stalled second batch is the cancelled one; the fault only touched task-1 of the first.
    assert out["cancelled"]["final"] == "cancelled"


@pytest.mark.batch_emulator(timing="immediate")
def test_groq_as_an_openai_compatible_batch_api(batch_emulator: EmulatorHandle, run: Run) -> None:
    out = litellm(run, "openai", f"{batch_emulator.groq_base_url}/openai/v1")

    assert out["status"] == "completed"
    assert out["counts"] == {"completed": 3, "failed": 0, "total": 3}
    assert out["output_custom_ids"] == IDS
    assert batch_emulator.batch(out["batch_id"]).dialect == "groq"
    check_cancelled(batch_emulator, out, "groq")
    assert dialects(batch_emulator) == {"groq"}


@pytest.mark.batch_emulator(timing="immediate")
def test_mistral_upload_create_retrieve_download(batch_emulator: EmulatorHandle, run: Run) -> None:
    out = litellm(run, "mistral", batch_emulator.mistral_server_url)

    # litellm maps Mistral's QUEUED / SUCCESS to OpenAI's words.
    assert (out["created_status"], out["status"]) == ("validating", "completed")
    assert out["counts"] == {"completed": 3, "failed": 0, "total": 3}
    assert out["output_custom_ids"] == IDS
    assert out["output_roles"] == ["assistant"]
    assert out["listed"] == [] and out["cancelled"] is None  # litellm refuses both for Mistral
    [batch] = batch_emulator.batches
    assert (batch.id, batch.dialect, batch.model) == (
        out["batch_id"],
        "mistral",
        "mistral-small-latest",
    )
