"""instructor 1.17.0's BatchProcessor (file and in-memory modes) and `instructor batch` CLI, run
unmodified. instructor builds `OpenAI()` / `Anthropic()` with no arguments, so the documented
settings are the SDKs' own OPENAI_BASE_URL / ANTHROPIC_BASE_URL (see conftest.client_env)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from emulator import ItemFault

from .conftest import Run, jsonl

IDS = ["request-0", "request-1", "request-2", "request-3"]


def summary(stdout: str) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(stdout.strip().splitlines()[-1])
    return result


def check_parsed(results: list[dict[str, Any]], ok_ids: list[str]) -> None:
    """Every succeeded custom_id came back parsed into the response model."""
    ok = sorted((r for r in results if r["ok"]), key=lambda r: r["custom_id"])
    assert [r["custom_id"] for r in ok] == ok_ids
    assert all(isinstance(r["name"], str) and isinstance(r["age"], int) for r in ok)


@pytest.mark.batch_emulator(timing="immediate")
def test_openai_file_mode_parses_results_and_counts_the_failure(
    batch_emulator: Any, run: Run
) -> None:
    batch_emulator.faults.add(ItemFault(custom_id="request-2", status=500))
    out = summary(run("instructor_batch.py", "openai/gpt-4o-mini", "file"))

    assert out["status"] == "completed"
    assert out["counts"] == {"total": 4, "completed": 3, "failed": 1}
    # instructor reads only the output file: the errored request is absent, not an error entry.
    check_parsed(out["results"], ["request-0", "request-1", "request-3"])
    [batch] = [view.batch for view in batch_emulator.batches]
    assert batch.id == out["batch_id"]


@pytest.mark.batch_emulator(timing="immediate")
def test_openai_in_memory_mode(run: Run) -> None:
    out = summary(run("instructor_batch.py", "openai/gpt-4o-mini", "memory"))
    assert out["status"] == "completed"
    check_parsed(out["results"], IDS)


@pytest.mark.batch_emulator(timing="immediate")
@pytest.mark.parametrize("mode", ["file", "memory"])
def test_anthropic_modes_surface_the_errored_request(
    batch_emulator: Any, run: Run, mode: str
) -> None:
    batch_emulator.faults.add(ItemFault(custom_id="request-2", status=500))
    out = summary(run("instructor_batch.py", "anthropic/claude-haiku-4-5", mode))

    assert out["status"] == "ended"
    assert (out["counts"]["succeeded"], out["counts"]["errored"]) == (3, 1)
    check_parsed(out["results"], ["request-0", "request-1", "request-3"])
    [errored] = [r for r in out["results"] if not r["ok"]]
    assert errored["custom_id"] == "request-2"


@pytest.mark.batch_emulator(scenario="stall")
@pytest.mark.parametrize(
    ("model", "final"),
    [
        ("openai/gpt-4o-mini", "cancelled"),
        ("anthropic/claude-haiku-4-5", "ended"),
    ],
)
def test_cancel(batch_emulator: Any, run: Run, model: str, final: str) -> None:
    out = summary(run("instructor_batch.py", model, "cancel"))
    assert out["status"] == final
    assert batch_emulator.batches[0].state == "cancelled"


@pytest.mark.batch_emulator(timing="immediate")
def test_cli_creates_a_batch_from_a_file_and_saves_its_results(
    batch_emulator: Any, run: Run, tmp_path: Path
) -> None:
    lines = [
        {
            "custom_id": f"c{i}",
            "method": "POST",
            "url": "/v1/chat/completions",
            "body": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]},
        }
        for i in range(3)
    ]
    (tmp_path / "requests.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines))
    run("instructor", "batch", "create-from-file", "--file-path", "requests.jsonl")
    [batch] = [view.batch for view in batch_emulator.batches]
    listed = run("instructor", "batch", "list")
    assert batch.id[:15] in listed
    run(
        "instructor",
        "batch",
        "results",
        "--batch-id",
        batch.id,
        "--output-file",
        "out.jsonl",
        "--model",
        "openai/gpt-4o-mini",
    )
    assert sorted(line["custom_id"] for line in jsonl(tmp_path / "out.jsonl")) == ["c0", "c1", "c2"]
