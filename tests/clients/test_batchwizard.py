"""batchwizard 0.5.0, a batch CLI with a durable sqlite job manifest, run unmodified.

Configured as its README says: OPENAI_API_KEY / ANTHROPIC_API_KEY, and the SDKs' own
OPENAI_BASE_URL / ANTHROPIC_BASE_URL pointing here (see conftest.client_env)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from emulator import ItemFault

from .conftest import Run, jsonl, manifest

IDS = ["r0", "r1", "r2", "r3"]


def openai_input(path: Path) -> Path:
    path.write_text(
        "".join(
            json.dumps(
                {
                    "custom_id": cid,
                    "method": "POST",
                    "url": "/v1/chat/completions",
                    "body": {
                        "model": "gpt-4o-mini",
                        "messages": [{"role": "user", "content": cid}],
                    },
                }
            )
            + "\n"
            for cid in IDS
        )
    )
    return path


def anthropic_input(path: Path) -> Path:
    path.write_text(
        "".join(
            json.dumps(
                {
                    "custom_id": cid,
                    "params": {
                        "model": "claude-haiku-4-5",
                        "max_tokens": 64,
                        "messages": [{"role": "user", "content": cid}],
                    },
                }
            )
            + "\n"
            for cid in IDS
        )
    )
    return path


def custom_ids(path: Path) -> set[str]:
    return {line["custom_id"] for line in jsonl(path)}


@pytest.mark.batch_emulator(timing="immediate")
def test_openai_process_collects_results_and_the_errored_request(
    batch_emulator: Any, run: Run, tmp_path: Path, client_env: dict[str, str]
) -> None:
    batch_emulator.faults.add(ItemFault(custom_id="r2", status=500))
    run(
        "batchwizard",
        "process",
        str(openai_input(tmp_path / "in.jsonl")),
        "--output-directory",
        "out",
        "--check-interval",
        "0",
    )

    [batch] = [view.batch for view in batch_emulator.batches]
    out = tmp_path / "out"
    assert custom_ids(out / f"{batch.id}_results.jsonl") == {"r0", "r1", "r3"}
    [error_line] = jsonl(out / f"{batch.id}_errors.jsonl")
    assert (error_line["custom_id"], error_line["response"]["status_code"]) == ("r2", 500)
    [job] = manifest(Path(client_env["HOME"]))
    assert (job["batch_id"], job["provider_status"], job["collection_state"]) == (
        batch.id,
        "completed",
        "collected",
    )
    assert (job["completed_count"], job["failed_count"], job["total_count"]) == (3, 1, 4)


@pytest.mark.batch_emulator(timing="immediate")
def test_anthropic_process_collects_results_and_the_errored_request(
    batch_emulator: Any, run: Run, tmp_path: Path, client_env: dict[str, str]
) -> None:
    batch_emulator.faults.add(ItemFault(custom_id="r2", status=500))
    run(
        "batchwizard",
        "process",
        str(anthropic_input(tmp_path / "in.jsonl")),
        "--provider",
        "anthropic",
        "--output-directory",
        "out",
        "--check-interval",
        "0",
    )

    [batch] = [view.batch for view in batch_emulator.batches]
    out = tmp_path / "out"
    assert custom_ids(out / f"{batch.id}_results.jsonl") == {"r0", "r1", "r3"}
    [error_line] = jsonl(out / f"{batch.id}_errors.jsonl")
    assert (error_line["custom_id"], error_line["result"]["type"]) == ("r2", "errored")
    [job] = manifest(Path(client_env["HOME"]))
    assert (job["provider_status"], job["completed_count"], job["failed_count"]) == ("ended", 3, 1)


@pytest.mark.batch_emulator(scenario="stall")
@pytest.mark.parametrize(
    ("provider", "make_input", "remote_status"),
    [
        ("openai", openai_input, "cancelled"),
        ("anthropic", anthropic_input, "ended"),
    ],
)
def test_cancel_then_watch_records_the_cancelled_batch(
    batch_emulator: Any,
    run: Run,
    tmp_path: Path,
    client_env: dict[str, str],
    provider: str,
    make_input: Any,
    remote_status: str,
) -> None:
    run("batchwizard", "submit", str(make_input(tmp_path / "in.jsonl")), "--provider", provider)
    [batch] = [view.batch for view in batch_emulator.batches]
    said = run("batchwizard", "cancel", batch.id)
    assert "Cancellation requested" in said
    run("batchwizard", "watch", "--output-directory", "out", "--check-interval", "0")

    [job] = manifest(Path(client_env["HOME"]))
    assert (job["batch_id"], job["provider_status"], job["completed_count"]) == (
        batch.id,
        remote_status,
        0,
    )
    assert batch_emulator.batches[0].state == "cancelled"


@pytest.mark.batch_emulator(timing="immediate")
def test_second_run_after_a_reset_gets_a_new_batch(
    batch_emulator: Any, run: Run, tmp_path: Path, client_env: dict[str, str]
) -> None:
    """A user's manifest outlives the emulator's state: run, reset the emulator as a black-box
    user would (control plane), run again with the same manifest."""
    run(
        "batchwizard",
        "process",
        str(openai_input(tmp_path / "a.jsonl")),
        "--output-directory",
        "out",
        "--check-interval",
        "0",
    )
    httpx.post(f"{batch_emulator.url}/_emulator/reset").raise_for_status()
    run(
        "batchwizard",
        "process",
        str(openai_input(tmp_path / "b.jsonl")),
        "--output-directory",
        "out",
        "--check-interval",
        "0",
    )

    jobs = manifest(Path(client_env["HOME"]))
    assert [job["collection_state"] for job in jobs] == ["collected", "collected"]
    assert jobs[0]["batch_id"] != jobs[1]["batch_id"]
