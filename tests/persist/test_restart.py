"""What a restart on the same state file keeps, through the SDKs against a real subprocess."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import anthropic
import httpx
import openai
import pytest
import together
from google import genai

from emulator.core.persist.sqlite import SqliteStore
from tests.persist.serving import start, stop

LINE = {
    "custom_id": "a",
    "method": "POST",
    "url": "/v1/chat/completions",
    "body": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]},
}
CLAUDE = {
    "model": "claude-3-5-haiku-latest",
    "max_tokens": 20,
    "messages": [{"role": "user", "content": "hi"}],
}
GEMINI = [{"contents": [{"parts": [{"text": "what is 2+2?"}], "role": "user"}]}]


def clients(url: str, key: str = "k") -> tuple[openai.OpenAI, anthropic.Anthropic, genai.Client]:
    return (
        openai.OpenAI(base_url=f"{url}/v1", api_key=key, max_retries=0),
        anthropic.Anthropic(base_url=url, api_key=key, max_retries=0),
        genai.Client(api_key=key, http_options={"base_url": url}),
    )


def _results(url: str, ids: dict[str, str]) -> dict[str, Any]:
    sdk, claude, gemini = clients(url)
    batch = sdk.batches.retrieve(ids["openai"])
    job = gemini.batches.get(name=ids["gemini"])
    return {
        "openai": (batch.status, sdk.files.content(batch.output_file_id or "").content),
        "anthropic": [
            r.model_dump_json() for r in claude.messages.batches.results(ids["anthropic"])
        ],
        "gemini": (job.state, [r.model_dump_json() for r in job.dest.inlined_responses or []]),  # type: ignore[union-attr]
        "held": sdk.batches.retrieve(ids["held"]).status,
        "config": httpx.get(f"{url}/_emulator/config").json(),
        "requests": httpx.get(
            f"{url}/_emulator/requests", params={"operation": "batches.create"}
        ).json(),
        "verdict": httpx.get(f"{url}/_emulator/verdict").json(),
    }


def _calls(url: str) -> list[str]:
    return [e["request_id"] for e in httpx.get(f"{url}/_emulator/requests").json()["data"]]


def test_a_restart_keeps_batches_results_config_clock_and_journal(tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite"
    proc, url = start(state, "--timing", "immediate")
    sdk, claude, gemini = clients(url)
    httpx.patch(f"{url}/_emulator/config", json={"shuffle_results": True})
    uploaded = sdk.files.create(
        file=("in.jsonl", (json.dumps(LINE) + "\n").encode()), purpose="batch"
    )
    create = {
        "input_file_id": uploaded.id,
        "endpoint": "/v1/chat/completions",
        "completion_window": "24h",
    }
    held = sdk.batches.create(**create, extra_headers={"x-emulator-timing": "manual"})  # type: ignore[arg-type]
    httpx.post(f"{url}/_emulator/batches/{held.id}/advance")  # validating -> in_progress
    ids = {
        "openai": sdk.batches.create(**create).id,  # type: ignore[arg-type]
        "anthropic": claude.messages.batches.create(
            requests=[{"custom_id": "c", "params": CLAUDE}]
        ).id,  # type: ignore[list-item]
        "gemini": str(gemini.batches.create(model="gemini-2.5-flash", src=GEMINI).name),  # type: ignore[arg-type]
        "held": held.id,
    }
    claude.messages.batches.retrieve(ids["anthropic"])
    clock = httpx.post(f"{url}/_emulator/clock/advance", json={"seconds": 7200}).json()["now"]
    before = _results(url, ids)
    calls = _calls(url)
    stop(proc, clean=True)  # Ctrl-C: the journal's last calls are written too

    proc, url = start(state, "--timing", "immediate")
    assert _calls(url) == calls  # every call the verdict judges, to the last
    after = _results(url, ids)
    assert after == before  # byte-identical results, the held batch where it was, same config
    assert before["held"] == "in_progress" and before["config"]["shuffle_results"] is True
    assert httpx.get(f"{url}/_emulator/clock").json()["now"] >= clock  # the offset came back
    newer = clients(url)[0].files.create(file=("x.jsonl", b"{}\n"), purpose="batch")
    assert newer.id != uploaded.id
    stop(proc)


def test_a_deleted_result_file_stays_deleted_and_a_reset_never_reuses_ids(tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite"
    proc, url = start(state, "--timing", "immediate")
    sdk = clients(url)[0]
    uploaded = sdk.files.create(
        file=("in.jsonl", (json.dumps(LINE) + "\n").encode()), purpose="batch"
    )
    batch = sdk.batches.create(
        input_file_id=uploaded.id, endpoint="/v1/chat/completions", completion_window="24h"
    )
    output = sdk.batches.retrieve(batch.id).output_file_id or ""
    assert sdk.files.content(output).content  # read, yet never written: it derives from the seed
    reader = SqliteStore(state, read_only=True)
    assert [r.key for r in reader.records("file")] == [uploaded.id]
    reader.close()
    sdk.files.delete(output)
    stop(proc)
    proc, url = start(state, "--timing", "immediate")
    sdk = clients(url)[0]
    assert sdk.batches.retrieve(batch.id).output_file_id == output
    assert output not in [f.id for f in sdk.files.list()]
    httpx.post(f"{url}/_emulator/reset")
    assert sdk.batches.list().data == []
    stop(proc)
    proc, url = start(state, "--timing", "immediate")
    sdk = clients(url)[0]
    assert sdk.batches.list().data == [] and sdk.files.list().data == []  # the reset was kept
    again = sdk.files.create(file=("in.jsonl", b"{}\n"), purpose="batch")
    assert again.id not in (uploaded.id, output)
    stop(proc)


def test_tenants_survive_a_restart(tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite"
    proc, url = start(state, "--isolate-keys")
    mine = clients(url, "key-a")[1].messages.batches.create(
        requests=[{"custom_id": "c", "params": CLAUDE}]
    )  # type: ignore[list-item]
    stop(proc)
    proc, url = start(state, "--isolate-keys")
    assert clients(url, "key-a")[1].messages.batches.retrieve(mine.id).id == mine.id
    with pytest.raises(anthropic.NotFoundError):
        clients(url, "key-b")[1].messages.batches.retrieve(mine.id)
    stop(proc)


def test_files_a_dialect_finishes_in_place_survive_a_kill(tmp_path: Path) -> None:
    """Together's three-step upload and google-genai's resumable upload change a file after it
    was made (bytes, processing state): those changes are written before their answers too."""
    state = tmp_path / "state.sqlite"
    proc, url = start(state, "--isolate-keys")
    path = tmp_path / "in.jsonl"
    line = {
        "custom_id": "a",
        "body": {**LINE["body"], "model": "meta-llama/Llama-3.3-70B-Instruct-Turbo"},
    }  # type: ignore[dict-item]
    path.write_text(json.dumps(line) + "\n")
    tg = together.Together(base_url=f"{url}/together", api_key="tg", max_retries=0)
    uploaded = tg.files.upload(file=path, purpose="batch-api")
    gemini = genai.Client(api_key="g", http_options={"base_url": url})
    data = b'{"key": "a", "request": {"contents": [{"parts": [{"text": "hi"}]}]}}\n'
    gfile = gemini.files.upload(file=io.BytesIO(data), config={"mime_type": "jsonl"})
    stop(proc)  # SIGKILL

    proc, url = start(state, "--isolate-keys")
    tg = together.Together(base_url=f"{url}/together", api_key="tg", max_retries=0)
    again = tg.files.retrieve(uploaded.id)
    assert (again.bytes, again.processing_status) == (path.stat().st_size, "COMPLETED")
    assert tg.files.content(uploaded.id).read() == path.read_bytes()
    batch = tg.batches.create(input_file_id=uploaded.id, endpoint="/v1/chat/completions").job
    assert batch is not None and batch.id
    gemini = genai.Client(api_key="g", http_options={"base_url": url})
    kept = gemini.files.get(name=gfile.name or "")
    assert (kept.size_bytes, kept.state) == (len(data), gfile.state)
    stop(proc)
