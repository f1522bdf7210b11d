"""The verdict's other doors: `GET /_emulator/verdict` and `batch-emulator verdict --url`."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import httpx
import pytest

from emulator import ItemFault
from tests.verdict.conftest import chat_lines

pytestmark = pytest.mark.batch_emulator(timing="immediate", verdict="off")


def read_output_only(handle: Any) -> str:
    handle.faults.add(ItemFault(custom_id="r0", status=400, message="bad"))
    client = handle.openai_client()
    upload = client.files.create(file=("in.jsonl", chat_lines(2)), purpose="batch")
    batch = client.batches.create(
        input_file_id=upload.id, endpoint="/v1/chat/completions", completion_window="24h"
    )
    batch = client.batches.retrieve(batch.id)
    client.files.content(batch.output_file_id)
    return str(batch.id)


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "emulator", "verdict", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_control_plane_serves_the_findings(batch_emulator: Any) -> None:
    batch_id = read_output_only(batch_emulator)
    body = httpx.get(f"{batch_emulator.url}/_emulator/verdict").json()
    [finding] = body["findings"]
    assert set(finding) == {"rule", "batch_id", "dialect", "message", "evidence"}
    assert (finding["rule"], finding["batch_id"], finding["dialect"]) == (
        "error_file_unread",
        batch_id,
        "openai",
    )
    calls = [(c["method"], c["operation"], c["status"]) for c in finding["evidence"]]
    assert calls == [("GET", "batches.retrieve", 200), ("GET", "files.content", 200)]
    assert all(
        isinstance(c["at"], float) and isinstance(c["wall"], float) for c in finding["evidence"]
    )


def test_control_plane_silences_and_refuses_unknown_rules(batch_emulator: Any) -> None:
    read_output_only(batch_emulator)
    url = f"{batch_emulator.url}/_emulator/verdict"
    quiet = httpx.get(url, params={"ignore": "error_file_unread,poll_too_fast"})
    assert quiet.json() == {"findings": []}
    bad = httpx.get(url, params={"ignore": "error_file"})
    assert bad.status_code == 400 and "error_file_unread" in bad.json()["error"]["message"]


def test_cli_prints_findings_and_exits_1(batch_emulator: Any) -> None:
    batch_id = read_output_only(batch_emulator)
    done = cli("--url", batch_emulator.url)
    assert done.returncode == 1, done.stderr
    assert done.stdout.startswith(f"[error_file_unread] {batch_id} (openai): 1 request(s)")
    assert f"GET /v1/batches/{batch_id} -> 200 [completed]" in done.stdout
    as_json = cli("--url", batch_emulator.url, "--json")
    assert json.loads(as_json.stdout)["findings"][0]["batch_id"] == batch_id


def test_cli_with_no_findings_exits_0(batch_emulator: Any) -> None:
    read_output_only(batch_emulator)
    done = cli("--url", batch_emulator.url, "--ignore", "error_file_unread")
    assert (done.returncode, done.stdout.strip()) == (0, "batch-emulator verdict: no findings")


def test_cli_without_a_server_exits_2() -> None:
    done = cli("--url", "http://127.0.0.1:9")
    assert done.returncode == 2 and "cannot ask http://127.0.0.1:9" in done.stderr
