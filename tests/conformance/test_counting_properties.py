"""Property: whatever the scenario, cancel time and read time, an OpenAI batch counts requests
the way the 2,306 recorded batches do: `failed` is only requests that ran and errored, never
cancelled or expired ones; a batch that never started has no model, no files and zero counts."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings, strategies as st
from starlette.testclient import TestClient

from emulator.api import Emulator
from emulator.clock import ManualClock

TIMING = {
    "policy": "timed",
    "validating": 2,
    "in_progress": 10,
    "per_request": 0,
    "finalizing": 1,
    "cancel_delay": 1,
}
AUTH = {"authorization": "Bearer k"}


def lines(http: TestClient, file_id: str | None) -> list[dict[str, Any]]:
    if file_id is None:
        return []
    return [
        json.loads(x)
        for x in http.get(f"/v1/files/{file_id}/content", headers=AUTH).text.splitlines()
    ]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n=st.integers(1, 6),
    scenario=st.sampled_from(["success", "errors:0.5", "errors:1", "expire", "stall"]),
    cancel_at=st.one_of(st.none(), st.floats(0, 20)),
    read_at=st.floats(0, 2 * 86_400),
)
def test_openai_counts_follow_the_recorded_rules(
    n: int, scenario: str, cancel_at: float | None, read_at: float
) -> None:
    emu = Emulator(clock=ManualClock(1_767_225_600.0), timing=TIMING)
    with TestClient(emu.app) as http:
        data = "".join(
            json.dumps(
                {
                    "custom_id": f"r{i}",
                    "method": "POST",
                    "url": "/v1/chat/completions",
                    "body": {"model": "gpt-4o-mini", "messages": []},
                }
            )
            + "\n"
            for i in range(n)
        )
        file_id = http.post(
            "/v1/files",
            headers=AUTH,
            files={"file": ("upload", data.encode())},
            data={"purpose": "batch"},
        ).json()["id"]
        batch_id = http.post(
            "/v1/batches",
            headers={**AUTH, "x-emulator-scenario": scenario},
            json={
                "input_file_id": file_id,
                "endpoint": "/v1/chat/completions",
                "completion_window": "24h",
            },
        ).json()["id"]
        if cancel_at is not None and cancel_at < read_at:
            emu.advance(cancel_at)
            http.post(f"/v1/batches/{batch_id}/cancel", headers=AUTH)
            emu.advance(read_at - cancel_at)
        else:
            emu.advance(read_at)
        batch = http.get(f"/v1/batches/{batch_id}", headers=AUTH).json()
        output, errors = lines(http, batch["output_file_id"]), lines(http, batch["error_file_id"])
    counts = batch["request_counts"]
    if batch["in_progress_at"] is None:
        assert counts == {"total": 0, "completed": 0, "failed": 0}
        assert batch["model"] is None
        assert batch["output_file_id"] is None and batch["error_file_id"] is None
        return
    assert batch["model"] == "gpt-4o-mini-2024-07-18"
    assert counts["total"] == n
    assert counts["completed"] + counts["failed"] <= n
    if batch["status"] in ("completed", "cancelled", "expired"):
        ran_and_errored = [e for e in errors if e["error"] is None]  # a response with an error
        assert counts["failed"] == len(ran_and_errored)
        assert counts["completed"] == len(output)
        assert len(output) + len(errors) == n
    if batch["status"] == "expired":  # one second after the expiry instant (recorded form)
        assert batch["finalizing_at"] == batch["expired_at"] > batch["in_progress_at"]
        assert batch["finalizing_at"] <= batch["expires_at"] + 1
