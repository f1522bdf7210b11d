"""Ids never repeat within a process (a plain reset carries on), yet replay exactly on an
explicit reseed, through the control plane as a black-box client would use it."""

from __future__ import annotations

import httpx

from emulator.handle import EmulatorHandle
from tests.conformance.recorded import OPENAI_BATCH_ID, OPENAI_FILE_ID

LINE = (
    b'{"custom_id": "a", "method": "POST", "url": "/v1/chat/completions", "body": '
    b'{"model": "ft:gpt-4o-mini-2024-07-18:org::abc123", "messages": []}}\n'
)


def ids(http: httpx.Client) -> list[str]:
    file_id = http.post(
        "/v1/files", files={"file": ("upload", LINE)}, data={"purpose": "batch"}
    ).json()["id"]
    batch = http.post(
        "/v1/batches",
        json={
            "input_file_id": file_id,
            "endpoint": "/v1/chat/completions",
            "completion_window": "24h",
        },
    ).json()
    return [file_id, batch["id"]]


def test_plain_reset_never_repeats_and_a_seed_replays(batch_emulator: EmulatorHandle) -> None:
    with httpx.Client(base_url=batch_emulator.url, headers={"authorization": "Bearer k"}) as http:
        assert http.post("/_emulator/reset", json={"seed": 7}).status_code == 200
        first = ids(http)
        assert OPENAI_FILE_ID.fullmatch(first[0]) and OPENAI_BATCH_ID.fullmatch(first[1])
        seen = set(first)
        for _ in range(3):
            http.post("/_emulator/reset")
            again = ids(http)
            assert seen.isdisjoint(again)  # batchwizard keys a UNIQUE column on these
            seen.update(again)
        http.post("/_emulator/reset", json={"seed": 7})
        assert ids(http) == first
        assert http.post("/_emulator/reset", json={"seed": "x"}).status_code == 400


def test_each_test_gets_its_own_ids(batch_emulator: EmulatorHandle) -> None:
    """The plugin namespaces ids by test node id: not the ids of a fresh unnamespaced server."""
    with httpx.Client(base_url=batch_emulator.url, headers={"authorization": "Bearer k"}) as http:
        mine = ids(http)
        http.post(
            "/_emulator/reset", json={"seed": batch_emulator.emulator.config.seed, "namespace": ""}
        )
        assert ids(http) != mine


def test_a_fine_tuned_model_runs(batch_emulator: EmulatorHandle) -> None:
    with httpx.Client(base_url=batch_emulator.url, headers={"authorization": "Bearer k"}) as http:
        _, batch_id = ids(http)
        batch_emulator.advance(60)
        batch = http.get(f"/v1/batches/{batch_id}").json()
    assert batch["status"] == "completed"
    assert batch["request_counts"] == {"total": 1, "completed": 1, "failed": 0}
    assert batch["model"] == "ft:gpt-4o-mini-2024-07-18:org::abc123"
