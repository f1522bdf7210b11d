"""The `openai` npm package (pinned by package.json) against the emulator over loopback.

Node is part of this project's toolchain, so a missing `node` or npm package fails the test
rather than skipping it. The Node script asserts each step itself (node:assert) and prints a
JSON summary; this side checks that summary against the same expectations and against the
emulator's own record of what happened.
"""

from __future__ import annotations

from typing import Any

import pytest

from emulator.handle import EmulatorHandle
from tests.providers.node_sdk import pinned, run_node

CUSTOM_IDS = ["alpha", "bravo", "charlie", "delta", "echo"]


def _run_node(handle: EmulatorHandle) -> dict[str, Any]:
    return run_node("openai_batch_flow.mjs", handle, EMU_URL=handle.openai_base_url)


@pytest.mark.batch_emulator(timing="polls:1")
def test_node_sdk_upload_create_poll_list_cancel_download(
    batch_emulator: EmulatorHandle,
) -> None:
    summary = _run_node(batch_emulator)

    assert summary["sdk_version"] == pinned("openai")
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
