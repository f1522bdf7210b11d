"""`batch-emulator serve` as a user runs it: a real subprocess, its banner, Ctrl-C."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import openai
import pytest
from openai import OpenAI

BANNER: dict[str, str] = {}


def _start(*args: str) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "emulator", "serve", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert proc.stdout is not None
    first = proc.stdout.readline()
    found = re.search(r"http://127\.0\.0\.1:(\d+)", first)
    assert found, f"no URL in banner line {first!r}"
    url = found.group(0)
    banner = [first]
    while banner[-1].strip():
        banner.append(proc.stdout.readline())
    BANNER[url] = "".join(banner)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/_emulator/health").status_code == 200:
                return proc, url
        except httpx.TransportError:
            time.sleep(0.02)
    proc.kill()
    raise AssertionError("server did not answer /_emulator/health")


@pytest.fixture
def served() -> Iterator[str]:
    # --quiet: nothing reads the per-call log, and a fast polling loop fills the pipe (64 KiB)
    # until the server blocks on its own log write (seen hanging the suite on a loaded machine).
    proc, url = _start("--quiet")
    yield url
    proc.kill()
    proc.wait(5)


def test_banner_names_every_sdk_base_url(served: str) -> None:
    banner = BANNER[served]
    assert f'OpenAI(base_url="{served}/v1"' in banner
    assert f'Anthropic(base_url="{served}"' in banner
    assert f'"base_url": "{served}"' in banner
    assert f"{served}/bifrost/v1/batches" in banner
    assert f'AzureOpenAI(azure_endpoint="{served}"' in banner
    assert f'Groq(base_url="{served}/groq"' in banner
    assert f'Mistral(server_url="{served}/mistral"' in banner
    assert f'Together(base_url="{served}/together"' in banner
    assert httpx.get(served + "/_emulator/health").json()["status"] == "ok"


def test_sigint_shuts_down_cleanly() -> None:
    proc, _ = _start()
    proc.send_signal(signal.SIGINT)
    assert proc.wait(10) == 0
    assert proc.stdout is not None
    assert "Traceback" not in proc.stdout.read()


def test_default_timing_finishes_100_requests_within_two_seconds(served: str) -> None:
    client = OpenAI(base_url=served + "/v1", api_key="test", max_retries=0)
    lines = "".join(
        json.dumps(
            {
                "custom_id": f"r{i}",
                "method": "POST",
                "url": "/v1/chat/completions",
                "body": {
                    "model": "gpt-4o-mini",
                    "messages": [{"role": "user", "content": f"q{i}"}],
                },
            }
        )
        + "\n"
        for i in range(100)
    )
    upload = client.files.create(file=("in.jsonl", lines.encode()), purpose="batch")
    batch = client.batches.create(
        input_file_id=upload.id, endpoint="/v1/chat/completions", completion_window="24h"
    )
    seen = [batch.status]
    started = time.monotonic()
    while seen[-1] != "completed" and time.monotonic() - started < 10:
        status = client.batches.retrieve(batch.id).status
        if status != seen[-1]:
            seen.append(status)
    done = client.batches.retrieve(batch.id)
    assert seen == ["validating", "in_progress", "finalizing", "completed"]
    assert done.completed_at is not None and done.completed_at - done.created_at <= 2
    assert done.request_counts is not None and done.request_counts.completed == 100


def test_config_file_and_flags(tmp_path: Path) -> None:
    config = tmp_path / "emulator.toml"
    config.write_text('seed = 7\n[timing]\npolicy = "manual"\n')
    proc, url = _start("--config", str(config), "--seed", "11")
    try:
        body = httpx.get(url + "/_emulator/config").json()
        assert body["seed"] == 11  # the flag wins over the file
        assert body["timing"]["policy"] == "manual"
    finally:
        proc.kill()
        proc.wait(5)


def test_invalid_config_is_a_clear_error(tmp_path: Path) -> None:
    config = tmp_path / "bad.json"
    config.write_text(json.dumps({"seeed": 1}))
    done = subprocess.run(
        [sys.executable, "-m", "emulator", "serve", "--port", "0", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 2
    assert "seeed" in done.stderr and "valid options" in done.stderr


def test_serve_logs_each_call_and_state_change() -> None:
    proc, url = _start("--timing", "manual")
    try:
        client = OpenAI(base_url=url + "/v1", api_key="test", max_retries=0)
        bad = b'{"custom_id": "a", "method": "POST", "url": "/v1/chat/completions", "body": {}}\n'
        upload = client.files.create(file=("in.jsonl", bad + b"not json\n"), purpose="batch")
        batch = client.batches.create(
            input_file_id=upload.id, endpoint="/v1/chat/completions", completion_window="24h"
        )
        httpx.post(
            url + "/_emulator/faults",
            json={"kind": "http", "status": 503, "operation": "batches.retrieve"},
        )
        with pytest.raises(openai.InternalServerError):
            client.batches.retrieve(batch.id)
        httpx.delete(url + "/_emulator/faults")
        httpx.post(f"{url}/_emulator/batches/{batch.id}/advance")
        assert client.batches.retrieve(batch.id).status == "failed"
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(10)
    assert proc.stdout is not None
    log = proc.stdout.read()
    assert f"POST /v1/batches -> 200 (openai batches.create) batch={batch.id}" in log
    assert f"batch {batch.id}: created, validating" in log
    assert (
        f"GET /v1/batches/{batch.id} -> 503 (openai batches.retrieve) batch={batch.id}"
        " fault=http:503"
    ) in log
    assert f"batch {batch.id}: validating -> failed" in log
    assert "failure: line 1: " in log and "; line 2: " in log


def test_quiet_serve_logs_no_calls() -> None:
    proc, url = _start("--quiet")
    httpx.get(url + "/v1/batches", headers={"authorization": "Bearer t"})
    proc.send_signal(signal.SIGINT)
    proc.wait(10)
    assert proc.stdout is not None
    assert "/v1/batches ->" not in proc.stdout.read()


def _misuse(*args: str, files: dict[str, str] | None = None, tmp: Path | None = None) -> str:
    """Runs `batch-emulator <args>` and returns stderr, which must be one line, no traceback."""
    for name, text in (files or {}).items():
        assert tmp is not None
        (tmp / name).write_text(text)
    done = subprocess.run(
        [sys.executable, "-m", "emulator", *args],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
        cwd=tmp,
    )
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    return lines[0]


@pytest.mark.parametrize(
    ("args", "files", "words"),
    [
        (["serve", "--port", "99999"], {}, "99999 is not a port (0-65535"),
        (["serve", "--port", "http"], {}, "'http' is not a port number"),
        (["serve", "--log-level", "bogus"], {}, "'bogus'; choose from critical, error, warning"),
        (["serve", "--seed", "x"], {}, "argument --seed: invalid int value: 'x'"),
        (["serve", "--timing", "soon"], {}, "invalid configuration: timing: "),
        (["serve", "--config", "c.json"], {"c.json": '{"seed": '}, "c.json: not valid JSON"),
        (["serve", "--config", "c.toml"], {"c.toml": "seed = "}, "--config c.toml: not valid TOML"),
        (["serve", "--config", "c.yaml"], {"c.yaml": "seed: 1"}, "--config c.yaml: YAML is not"),
        (["serve", "--config", "none.json"], {}, "--config none.json: no such file"),
        (["serve", "--config", "l.json"], {"l.json": "[1]"}, "must hold an object of options"),
        (
            ["serve", "--config", "f.json"],
            {"f.json": '{"faults": [{"kind": "dns"}]}'},
            "unknown fault kind 'dns'",
        ),
        (["bogus"], {}, "invalid choice: 'bogus'"),
    ],
)
def test_every_misuse_answers_in_one_line(
    tmp_path: Path, args: list[str], files: dict[str, str], words: str
) -> None:
    assert words in _misuse(*args, files=files, tmp=tmp_path)


def test_version() -> None:
    from emulator import __version__

    done = subprocess.run(
        [sys.executable, "-m", "emulator", "--version"],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    assert done.stdout.strip() == f"batch-emulator {__version__}"


def test_help_shows_defaults(capsys: pytest.CaptureFixture[str]) -> None:
    from emulator.cli import main

    with pytest.raises(SystemExit):
        main(["serve", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for default in (
        "(default: 127.0.0.1)",
        "(default: 8000)",
        "(default: warning)",
        "(default: all)",
    ):
        assert default in text
