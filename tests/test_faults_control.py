"""The control plane's faults and journal, as a black-box client (any language) would use them."""

from __future__ import annotations

import httpx
import openai
import pytest
from openai import OpenAI

from emulator.handle import EmulatorHandle


def control(handle: EmulatorHandle) -> httpx.Client:
    return httpx.Client(base_url=f"{handle.url}/_emulator")


def test_posted_rule_fires_and_is_listed_with_counts(batch_emulator: EmulatorHandle) -> None:
    with control(batch_emulator) as ctl:
        added = ctl.post(
            "/faults",
            json={
                "kind": "http",
                "status": 429,
                "operation": "files.list",
                "times": 1,
                "retry_after_ms": 1,
            },
        )
        assert added.status_code == 201
        rule = added.json()["id"]
        sdk = OpenAI(base_url=batch_emulator.openai_base_url, api_key="sk-test")
        sdk.files.list()
        (listed,) = ctl.get("/faults").json()["data"]
        assert (listed["id"], listed["kind"], listed["status"]) == (rule, "http", 429)
        assert (listed["seen"], listed["consumed"]) == (2, 1)
        journal = ctl.get("/requests", params={"operation": "files.list"}).json()["data"]
        assert [(e["status"], e["retry_count"], e["rule"]) for e in journal] == [
            (429, 0, rule),
            (200, 1, None),
        ]
        assert ctl.get("/requests", params={"status": 429}).json()["data"] == journal[:1]


@pytest.mark.parametrize(
    ("rule", "words"),
    [
        ({"kind": "http", "status": 600}, "between 400 and 599"),
        ({"kind": "http", "operation": "batches.creat"}, "unknown operation 'batches.creat'"),
        ({"kind": "http", "dialect": "cohere"}, "unknown dialect 'cohere'"),
        (
            {"kind": "http", "dialect": "openai", "google_status": "UNAVAILABLE"},
            "Gemini/Vertex-only",
        ),
        ({"kind": "http", "statuz": 500}, "unknown http fault field(s) statuz"),
        ({"kind": "item", "rate": 2}, "rate must be between 0 and 1"),
        ({"kind": "batch"}, "needs an effect"),
        ({"kind": "dns"}, "unknown fault kind 'dns'"),
    ],
)
def test_bad_rules_are_400_with_the_reason(
    batch_emulator: EmulatorHandle, rule: dict[str, object], words: str
) -> None:
    with control(batch_emulator) as ctl:
        answer = ctl.post("/faults", json=rule)
        assert answer.status_code == 400
        assert words in answer.json()["error"]["message"]
        assert ctl.get("/faults").json()["data"] == []


def test_a_list_is_added_whole_or_not_at_all(batch_emulator: EmulatorHandle) -> None:
    with control(batch_emulator) as ctl:
        bad = [{"kind": "http", "status": 500}, {"kind": "http", "status": 999}]
        assert ctl.post("/faults", json=bad).status_code == 400
        assert ctl.get("/faults").json()["data"] == []
        good = [
            {"kind": "http", "status": 500, "operation": "files.list"},
            {"kind": "batch", "stall": True},
        ]
        ids = ctl.post("/faults", json=good).json()["ids"]
        assert [r["id"] for r in ctl.get("/faults").json()["data"]] == ids


def test_delete_one_rule_then_all(batch_emulator: EmulatorHandle) -> None:
    with control(batch_emulator) as ctl:
        first = ctl.post("/faults", json={"kind": "http", "operation": "files.list"}).json()["id"]
        ctl.post("/faults", json={"kind": "item", "custom_id": "x-.*"})
        assert ctl.delete(f"/faults/{first}").status_code == 200
        assert ctl.delete(f"/faults/{first}").status_code == 404
        assert [r["kind"] for r in ctl.get("/faults").json()["data"]] == ["item"]
        assert ctl.delete("/faults").status_code == 200
        assert ctl.get("/faults").json()["data"] == []
    sdk = OpenAI(base_url=batch_emulator.openai_base_url, api_key="sk-test", max_retries=0)
    sdk.files.list()  # no rule left to fail it


def test_journal_clear_and_bad_filter(batch_emulator: EmulatorHandle) -> None:
    sdk = OpenAI(base_url=batch_emulator.openai_base_url, api_key="sk-test", max_retries=0)
    batch_emulator.faults.add(status=503, operation="files.list", times=1)
    with pytest.raises(openai.InternalServerError):
        sdk.files.list()
    with control(batch_emulator) as ctl:
        (entry,) = ctl.get("/requests").json()["data"]
        assert entry["fault"] == "http:503" and entry["wall"] > 0
        assert ctl.get("/requests", params={"colour": "red"}).status_code == 400
        assert ctl.delete("/requests").status_code == 200
        assert ctl.get("/requests").json()["data"] == []


def test_operations_lists_what_rules_may_name(batch_emulator: EmulatorHandle) -> None:
    with control(batch_emulator) as ctl:
        known = ctl.get("/faults/operations").json()["data"]
    # the SDK methods' routes (openai-batch.md 6.1, anthropic-gemini-batch.md A0)
    assert {"batches.create", "batches.cancel", "files.content"} <= set(known["openai"])
    assert "messages.batches.results" in known["anthropic"]
