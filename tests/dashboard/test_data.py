"""The JSON the dashboard reads (`/_emulator/dashboard/...`), over loopback HTTP.

Batches are made with the official SDKs; expected values come from what those SDKs returned
(ids, instants, file bytes), not from the routes under test.
"""

from __future__ import annotations

import io
import json
from typing import Any

import httpx
import pytest
from anthropic import Anthropic
from google import genai
from hypothesis import given, settings, strategies as st
from openai import OpenAI

from emulator import Emulator, HttpFault, ItemFault
from emulator.core.batch import Item
from emulator.core.journal import JournalEntry
from emulator.core.service import NewBatch
from emulator.dashboard import data
from emulator.handle import EmulatorHandle
from tests.dashboard.conftest import jsonl

MESSAGE = {
    "model": "claude-sonnet-4-5",
    "max_tokens": 8,
    "messages": [{"role": "user", "content": "hi"}],
}


def get(handle: EmulatorHandle, path: str, **params: Any) -> Any:
    response = httpx.get(f"{handle.url}/_emulator/{path}", params=params, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def openai_batch(sdk: OpenAI, count: int = 3) -> Any:
    upload = sdk.files.create(file=("in.jsonl", jsonl(count)), purpose="batch")
    return sdk.batches.create(
        input_file_id=upload.id, endpoint="/v1/chat/completions", completion_window="24h"
    )


def every_door(handle: EmulatorHandle) -> list[str]:
    """Six batches through three SDKs, oldest first: their ids as the SDKs reported them."""
    sdk = OpenAI(base_url=handle.openai_base_url, api_key="t", max_retries=0)
    claude = Anthropic(base_url=handle.anthropic_base_url, api_key="t", max_retries=0)
    gemini = genai.Client(api_key="t", http_options={"base_url": handle.gemini_base_url})
    ids = [openai_batch(sdk).id for _ in range(3)]
    ids += [
        claude.messages.batches.create(requests=[{"custom_id": "a", "params": MESSAGE}]).id
        for _ in range(2)
    ]
    job = gemini.batches.create(
        model="gemini-2.5-flash", src=[{"contents": [{"role": "user", "parts": [{"text": "hi"}]}]}]
    )
    assert job.name is not None
    ids.append(job.name.rsplit("/", 1)[-1])
    return ids


@pytest.mark.batch_emulator(timing="manual")
def test_batches_come_newest_first_in_pages_and_filter(batch_emulator: EmulatorHandle) -> None:
    ids = every_door(batch_emulator)
    batch_emulator.transition(ids[1], "cancelled")

    first = get(batch_emulator, "dashboard/batches", limit=4)
    assert [b["id"] for b in first["data"]] == ids[::-1][:4]
    assert (first["total"], first["all"], first["offset"], first["limit"]) == (6, 6, 0, 4)
    rest = get(batch_emulator, "dashboard/batches", limit=4, offset=4)
    assert [b["id"] for b in rest["data"]] == ids[::-1][4:]
    assert first["states"] == {"validating": 5, "cancelled": 1}

    def ids_for(**query: Any) -> list[str]:
        return [b["id"] for b in get(batch_emulator, "dashboard/batches", **query)["data"]]

    assert ids_for(state="cancelled") == [ids[1]]
    assert ids_for(dialect="anthropic") == [ids[4], ids[3]]
    assert ids_for(dialect="gemini") == [ids[5]]
    assert ids_for(q="GPT-4O") == ids[2::-1]  # the model, case-insensitively
    assert ids_for(q=ids[3][-6:].lower()) == [ids[3]]
    shown = get(batch_emulator, "dashboard/batches")["data"]
    assert {b["provider"] for b in shown} == {"openai", "anthropic", "gemini"}


def test_page_sizes_are_capped_and_bad_queries_refused(batch_emulator: EmulatorHandle) -> None:
    assert get(batch_emulator, "dashboard/batches", limit=10**9)["limit"] == 200
    assert get(batch_emulator, "dashboard/requests", limit=10**9)["limit"] == 500
    for query in ({"limit": "ten"}, {"offset": "-1"}, {"limit": "²"}, {"state": "running"}):
        response = httpx.get(f"{batch_emulator.url}/_emulator/dashboard/batches", params=query)
        assert response.status_code == 400
        assert set(response.json()["error"]) == {"message", "status"}
    missing = httpx.get(f"{batch_emulator.url}/_emulator/dashboard/batches/batch_nope")
    assert missing.status_code == 404
    assert "batch_nope" in missing.json()["error"]["message"]
    assert httpx.get(f"{batch_emulator.url}/_emulator/dashboard/files/file-nope").status_code == 404


def test_detail_has_timeline_files_and_every_outcome(batch_emulator: EmulatorHandle) -> None:
    batch_emulator.add_fault(ItemFault(custom_id="q1", status=400, message="too long"))
    sdk = OpenAI(base_url=batch_emulator.openai_base_url, api_key="t", max_retries=0)
    made = openai_batch(sdk, 3)
    batch_emulator.advance(minutes=5)
    done = sdk.batches.retrieve(made.id)
    assert done.output_file_id and done.error_file_id

    detail = get(batch_emulator, f"dashboard/batches/{made.id}")
    assert detail["state"] == "completed" and detail["polls"] == 1
    assert [(t["state"], t["reached"]) for t in detail["timeline"]] == [
        ("validating", True),
        ("in_progress", True),
        ("finalizing", True),
        ("completed", True),
    ]
    instants = [int(t["at"]) for t in detail["timeline"]]
    assert instants == [done.created_at, done.in_progress_at, done.finalizing_at, done.completed_at]
    files = {f["kind"]: f for f in detail["files"]}
    assert {k: f["id"] for k, f in files.items()} == {
        "input": made.input_file_id,
        "output": done.output_file_id,
        "error": done.error_file_id,
    }
    for kind in ("output", "error"):
        file_id = files[kind]["id"]
        downloaded = httpx.get(f"{batch_emulator.url}/_emulator/{files[kind]['url']}")
        assert downloaded.content == sdk.files.content(file_id).content
        assert files[kind]["size"] == len(downloaded.content)
        assert "attachment" in downloaded.headers["content-disposition"]

    lines = httpx.get(f"{batch_emulator.url}/_emulator/{detail['results_url']}").text
    results = [json.loads(line) for line in lines.splitlines()]
    assert sorted(r["custom_id"] for r in results) == ["q0", "q1", "q2"]
    by_id = {r["custom_id"]: r for r in results}
    assert by_id["q1"]["outcome"] == "errored" and by_id["q1"]["error"]["status"] == 400
    assert by_id["q0"]["outcome"] == "succeeded" and by_id["q0"]["response"]["choices"]


def test_gemini_files_named_by_resource_name_download(batch_emulator: EmulatorHandle) -> None:
    gemini = genai.Client(api_key="t", http_options={"base_url": batch_emulator.gemini_base_url})
    line = {"key": "k1", "request": {"contents": [{"role": "user", "parts": [{"text": "hi"}]}]}}
    source = (json.dumps(line) + "\n").encode()
    uploaded = gemini.files.upload(
        file=io.BytesIO(source), config={"mime_type": "application/jsonl"}
    )
    assert uploaded.name is not None
    job = gemini.batches.create(model="gemini-2.5-flash", src=uploaded.name)
    batch_emulator.advance(minutes=5)
    assert job.name is not None
    done = gemini.batches.get(name=job.name)
    assert done.dest is not None and done.dest.file_name is not None

    detail = get(batch_emulator, f"dashboard/batches/{job.name.rsplit('/', 1)[-1]}")
    files = {f["kind"]: f for f in detail["files"]}
    assert files["input"]["id"] == uploaded.name
    got = httpx.get(f"{batch_emulator.url}/_emulator/{files['input']['url']}").content
    assert got == source
    output = httpx.get(f"{batch_emulator.url}/_emulator/{files['output']['url']}").content
    assert output == gemini.files.download(file=done.dest.file_name)


@pytest.mark.batch_emulator(timing="manual")
def test_a_waiting_batch_shows_what_is_planned(batch_emulator: EmulatorHandle) -> None:
    sdk = OpenAI(base_url=batch_emulator.openai_base_url, api_key="t", max_retries=0)
    made = openai_batch(sdk)
    detail = get(batch_emulator, f"dashboard/batches/{made.id}")
    assert [(t["state"], t["reached"]) for t in detail["timeline"]] == [
        ("validating", True),
        ("expired", False),  # manual: nothing planned but the expiry
    ]
    assert int(detail["timeline"][-1]["at"]) == made.expires_at
    assert detail["results_url"] is None
    assert "in_progress" in detail["allowed"] and "completed" not in detail["allowed"]


def test_journal_tail_newest_first_and_filtered(batch_emulator: EmulatorHandle) -> None:
    sdk = OpenAI(base_url=batch_emulator.openai_base_url, api_key="t", max_retries=0)
    made = openai_batch(sdk)
    batch_emulator.add_fault(HttpFault(status=429, operation="batches.retrieve", times=1))
    with pytest.raises(Exception, match="429"):
        sdk.batches.retrieve(made.id)
    sdk.batches.retrieve(made.id)
    journal = [e.as_dict() for e in batch_emulator.requests]
    assert len(journal) == 4

    tail = get(batch_emulator, "dashboard/requests", limit=2)
    shown = ("request_id", "method", "path", "status", "dialect", "fault", "retry_count")
    assert [{k: e[k] for k in shown} for e in tail["data"]] == [
        {k: e[k] for k in shown} for e in journal[::-1][:2]
    ]
    assert (tail["matched"], tail["total"]) == (4, 4)
    faulted = get(batch_emulator, "dashboard/requests", faulted="true")["data"]
    assert [(e["status"], e["fault"]) for e in faulted] == [(429, "http:429")]
    assert get(batch_emulator, "dashboard/requests", status="4xx")["data"] == faulted
    uploads = get(batch_emulator, "dashboard/requests", q="/FILES")
    assert [e["operation"] for e in uploads["data"]] == ["files.create"]
    assert (uploads["matched"], uploads["total"]) == (1, 4)
    assert get(batch_emulator, "dashboard/requests", dialect="anthropic")["data"] == []


@pytest.mark.batch_emulator(timing="polls:1")
def test_looking_is_not_polling_and_is_never_journaled(batch_emulator: EmulatorHandle) -> None:
    """A `polls:1` batch moves one phase per client read: the page's reads must not move it."""
    sdk = OpenAI(base_url=batch_emulator.openai_base_url, api_key="t", max_retries=0)
    made = openai_batch(sdk)
    before = [e.as_dict() for e in batch_emulator.requests]
    for _ in range(3):
        for path in (
            "",
            "static/app.js",
            "dashboard/batches",
            f"dashboard/batches/{made.id}",
            f"dashboard/batches/{made.id}/results",
            "dashboard/requests",
            "clock",
            "faults",
            "batches",
        ):
            assert httpx.get(f"{batch_emulator.url}/_emulator/{path}").status_code == 200
    assert [e.as_dict() for e in batch_emulator.requests] == before
    assert get(batch_emulator, f"dashboard/batches/{made.id}")["polls"] == 0
    assert sdk.batches.retrieve(made.id).status == "in_progress"  # the first read moves it


def test_what_the_page_polls_stays_small_with_a_thousand_batches(
    batch_emulator: EmulatorHandle,
) -> None:
    claude = Anthropic(base_url=batch_emulator.anthropic_base_url, api_key="t", max_retries=0)
    for _ in range(1000):
        claude.messages.batches.create(requests=[{"custom_id": "a", "params": MESSAGE}])
    sizes = {}
    for path in (
        "dashboard/batches",
        "dashboard/requests",
        "dashboard/findings",
        "faults",
        "clock",
    ):
        sizes[path] = len(httpx.get(f"{batch_emulator.url}/_emulator/{path}").content)
    page = get(batch_emulator, "dashboard/batches")
    assert (len(page["data"]), page["total"]) == (50, 1000)
    assert len(get(batch_emulator, "dashboard/requests")["data"]) == 100
    assert max(sizes.values()) < 32 * 1024, sizes
    biggest = httpx.get(f"{batch_emulator.url}/_emulator/dashboard/batches?limit=200").content
    assert len(biggest) < 4 * 32 * 1024
    everything = httpx.get(f"{batch_emulator.url}/_emulator/batches").content
    assert len(everything) > 10 * sizes["dashboard/batches"]  # what paging saves the page


@pytest.mark.batch_emulator(timing="immediate")
def test_findings_are_counted_and_shown_per_batch(batch_emulator: EmulatorHandle) -> None:
    """A client that sees batches end and never reads results: one finding per batch, and the
    page gets the counts plus one batch's findings, whatever the number of batches."""
    sdk = OpenAI(base_url=batch_emulator.openai_base_url, api_key="t", max_retries=0)
    made = [openai_batch(sdk, 1).id for _ in range(30)]
    for batch_id in made:
        assert sdk.batches.retrieve(batch_id).status == "completed"
    full = get(batch_emulator, "verdict")["findings"]
    assert {(f["rule"], f["batch_id"]) for f in full} == {("results_unread", b) for b in made}

    summary = get(batch_emulator, "dashboard/findings", batch_id=made[3])
    assert (summary["total"], summary["rules"]) == (30, {"results_unread": 30})
    assert [(f["rule"], f["batch_id"]) for f in summary["data"]] == [("results_unread", made[3])]
    mine = next(f for f in full if f["batch_id"] == made[3])
    assert summary["data"][0]["message"] == mine["message"]
    assert summary["data"][0]["evidence"] == len(mine["evidence"])
    assert get(batch_emulator, "dashboard/findings")["data"] == []
    assert batch_emulator.requests[-1].operation == "batches.retrieve"  # none from the page


def _service_batches(count: int) -> Emulator:
    emulator = Emulator(timing="manual")
    for i in range(count):
        item = Item(custom_id="a", body={"model": "m"})
        dialect = ("openai", "anthropic", "gemini")[i % 3]
        emulator.service.create_batch(NewBatch(dialect=dialect, endpoint="e", items=[item]))
    return emulator


PAGED = _service_batches(37)


@settings(max_examples=60, deadline=None)
@given(
    limit=st.integers(1, 40),
    dialect=st.sampled_from(["", "openai", "anthropic", "gemini"]),
)
def test_pages_partition_the_filtered_list(limit: int, dialect: str) -> None:
    everything = data.batch_page(PAGED, {"limit": "200", "dialect": dialect})
    seen: list[str] = []
    offset = 0
    while True:
        page = data.batch_page(
            PAGED, {"limit": str(limit), "offset": str(offset), "dialect": dialect}
        )
        assert len(page["data"]) <= limit and page["total"] == everything["total"]
        if not page["data"]:
            break
        seen += [b["id"] for b in page["data"]]
        offset += limit
    assert seen == [b["id"] for b in everything["data"]]
    assert len(seen) == (37 if not dialect else 37 // 3 + (dialect == "openai"))


def test_journal_filters_search_a_bounded_window() -> None:
    emulator = Emulator()
    journal = emulator.service.journal
    for i in range(data.SCAN + 50):
        journal.add(
            JournalEntry(
                at=float(i),
                method="GET",
                path=f"/v1/batches/b{i}",
                dialect="openai",
                operation="batches.retrieve",
                status=200,
                retry_count=0,
            )
        )
    oldest = data.journal_tail(emulator, {"q": "/v1/batches/b7"})
    assert (oldest["scanned"], oldest["total"]) == (data.SCAN, data.SCAN + 50)
    assert all(e["at"] >= 50 for e in oldest["data"])  # the 50 oldest are outside the window
    newest = data.journal_tail(emulator, {"limit": "3"})
    assert [e["at"] for e in newest["data"]] == [data.SCAN + 49, data.SCAN + 48, data.SCAN + 47]


ENTRY = st.builds(
    JournalEntry,
    at=st.just(0.0),
    method=st.sampled_from(["GET", "POST"]),
    path=st.sampled_from(["/v1/files", "/v1/batches", "/v1/messages/batches"]),
    dialect=st.sampled_from(["openai", "anthropic"]),
    operation=st.just("op"),
    status=st.sampled_from([None, 200, 404, 429, 500]),
    retry_count=st.none(),
    fault=st.sampled_from([None, "http:429", "drop"]),
)


@settings(max_examples=100, deadline=None)
@given(
    entries=st.lists(ENTRY, max_size=40),
    limit=st.integers(0, 12),
    status=st.sampled_from(["", "4xx", "429", "5xx", "dropped", "200"]),
    dialect=st.sampled_from(["", "openai", "anthropic"]),
    faulted=st.booleans(),
    text=st.sampled_from(["", "FILES", "messages", "post", "none"]),
)
def test_journal_filters_pick_the_newest_matching_calls(
    entries: list[JournalEntry], limit: int, status: str, dialect: str, faulted: bool, text: str
) -> None:
    emulator = Emulator()
    for i, entry in enumerate(entries):
        emulator.service.journal.add(JournalEntry(**{**entry.as_dict(), "wall": float(i)}))
    query = {
        "limit": str(limit),
        "status": status,
        "dialect": dialect,
        "q": text,
        "faulted": "true" if faulted else "",
    }
    got = data.journal_tail(emulator, query)

    def wanted(e: JournalEntry) -> bool:
        code = "dropped" if e.status is None else str(e.status)
        return (
            (not status or code == status or (status.endswith("xx") and code[0] == status[0]))
            and (not dialect or e.dialect == dialect)
            and (not faulted or e.fault is not None)
            and (not text or text.lower() in f"{e.method} {e.path}".lower())
        )

    matching = [float(i) for i, e in enumerate(entries) if wanted(e)]
    assert [e["wall"] for e in got["data"]] == matching[::-1][:limit]
    assert got["matched"] == len(matching) and got["total"] == len(entries)
