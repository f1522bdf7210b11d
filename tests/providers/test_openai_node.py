"""The `openai` npm package (pinned by package.json) against the emulator over loopback.

Node is part of this project's toolchain, so a missing `node` or npm package fails the test
rather than skipping it. The Node script asserts each step itself (node:assert) and prints a
JSON summary; this side checks that summary against the same expectations and against the
emulator's own record of what happened.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from emulator.handle import EmulatorHandle

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tests" / "node" / "openai_batch_flow.mjs"
CUSTOM_IDS = ["alpha", "bravo", "charlie", "delta", "echo"]
NODE_TIMEOUT = 120


def _pinned_major() -> str:
    spec: str = json.loads((ROOT / "package.json").read_text())["dependencies"]["openai"]
    return spec.lstrip("^~").split(".")[0]


def _run_node(handle: EmulatorHandle) -> dict[str, Any]:
    node = shutil.which("node")
    assert node, "node is required for the Node SDK test (Node 20+ is part of the toolchain)"
    assert (ROOT / "node_modules" / "openai").is_dir(), (
        "the openai npm package is missing: run `npm install` in the project root "
        "(scripts/test does this)"
    )
    env = {**os.environ, "EMU_URL": handle.openai_base_url, "NO_COLOR": "1"}
    done = subprocess.run(
        [node, str(SCRIPT)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=NODE_TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, f"node script failed:\n{done.stderr}\n{done.stdout}"
    lines = done.stdout.strip().splitlines()
    assert lines, f"node script printed no summary; stderr:\n{done.stderr}"
    summary: dict[str, Any] = json.loads(lines[-1])
    return summary


@pytest.mark.batch_emulator(timing="polls:1")
def test_node_sdk_upload_create_poll_list_cancel_download(
    batch_emulator: EmulatorHandle,
) -> None:
    summary = _run_node(batch_emulator)

    assert summary["sdk_version"].split(".")[0] == _pinned_major()
    first, second, third = summary["created"]
    # Polls:1 moves one documented phase per retrieve, validating -> ... -> completed.
    assert summary["statuses"] == ["in_progress", "finalizing", "completed"]
    assert summary["counts"] == {"total": 5, "completed": 5, "failed": 0}
    assert summary["listed"] == [third, second, first]
    assert summary["pages"] == 3
    assert summary["cancel"]["first"] in ("cancelling", "cancelled")
    assert summary["cancel"]["final"] == "cancelled"
    assert summary["cancelled_id"] == second
    assert summary["output_custom_ids"] == sorted(CUSTOM_IDS)

    states = {view.batch.id: view.state.value for view in batch_emulator.batches}
    assert states == {first: "completed", second: "cancelled", third: "validating"}


@pytest.mark.batch_emulator(timing="polls:1")
def test_node_sdk_requests_reach_the_openai_dialect(batch_emulator: EmulatorHandle) -> None:
    _run_node(batch_emulator)

    operations = [(e.dialect, e.method, e.path, e.status) for e in batch_emulator.requests]
    sdk_calls = [op for op in operations if op[0] == "openai"]
    assert sdk_calls, operations
    assert all(status is not None and status < 400 for *_, status in sdk_calls), sdk_calls
    paths = {path for _, _, path, _ in sdk_calls}
    assert "/v1/files" in paths
    assert "/v1/batches" in paths
    cancels = [op for op in sdk_calls if op[2].endswith("/cancel")]
    assert len(cancels) == 1 and cancels[0][1] == "POST"
    # limit=1 over three batches, walked twice (item iterator, then page iterator): the SDK
    # follows `after` cursors until has_more is false, one request per page.
    lists = [op for op in sdk_calls if op[1] == "GET" and op[2] == "/v1/batches"]
    assert len(lists) == 3 + 3
