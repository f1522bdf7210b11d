"""Who may talk to the server: Host (DNS rebinding), Origin and content type (cross-site
requests), the control token, and which options never come over HTTP."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import anthropic
import httpx
import pytest
from google import genai
from google.genai import types

from emulator.handle import EmulatorHandle
from tests.hardening.envelopes import ANTHROPIC, GEMINI, JSON, OPENAI, assert_envelope

CANNED = Path(__file__).resolve().parents[2] / "fixtures" / "canned"


@pytest.fixture
def http(batch_emulator: EmulatorHandle) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=batch_emulator.url, timeout=30) as client:
        yield client


def _port(batch_emulator: EmulatorHandle) -> str:
    return batch_emulator.url.rsplit(":", 1)[1]


@pytest.mark.parametrize(
    "path,headers,dialect",
    [
        ("/v1/batches", OPENAI, "openai"),
        ("/v1/messages/batches", ANTHROPIC, "anthropic"),
        ("/v1beta/batches", GEMINI, "gemini"),
        ("/bifrost/v1/batches?provider=openai", {}, "bifrost"),
        ("/_emulator/health", {}, "control"),
        ("/_emulator/requests", {}, "control"),
    ],
)
@pytest.mark.parametrize("host", ["rebound.attacker.example", "10.1.2.3", "[::1", "a b", ""])
def test_a_foreign_host_is_misdirected(
    batch_emulator: EmulatorHandle,
    http: httpx.Client,
    path: str,
    headers: dict[str, str],
    dialect: str,
    host: str,
) -> None:
    """DNS rebinding: the browser sends the attacker's name as Host, so nothing is served."""
    response = http.get(path, headers={**headers, "host": f"{host}:{_port(batch_emulator)}"})
    assert response.status_code == 421
    assert_envelope(response, dialect)
    assert batch_emulator.requests == []  # refused before any route ran


@pytest.mark.parametrize(
    "host", ["localhost", "LOCALHOST.", "app.localhost", "127.0.0.1", "127.8.9.10", "[::1]"]
)
def test_loopback_names_are_served(
    batch_emulator: EmulatorHandle, http: httpx.Client, host: str
) -> None:
    response = http.get(
        "/v1/batches", headers={**OPENAI, "host": f"{host}:{_port(batch_emulator)}"}
    )
    assert response.status_code == 200


@pytest.mark.batch_emulator(external_url="https://emu.example.test/base", allowed_hosts=["ci-box"])
def test_the_external_url_host_and_allowed_hosts_are_served(
    batch_emulator: EmulatorHandle, http: httpx.Client
) -> None:
    for host in ("emu.example.test", "ci-box:8000", "CI-BOX"):
        assert http.get("/v1/batches", headers={**OPENAI, "host": host}).status_code == 200
    assert http.get("/v1/batches", headers={**OPENAI, "host": "other.example"}).status_code == 421


def test_links_in_answers_name_the_host_the_client_used(batch_emulator: EmulatorHandle) -> None:
    """Gemini's upload URL and Anthropic's results_url come from a Host that passed the check."""
    base = f"http://localhost:{_port(batch_emulator)}"
    client = anthropic.Anthropic(base_url=base, api_key="k")
    batch = client.messages.batches.create(
        requests=[
            {
                "custom_id": "a",
                "params": {
                    "model": "claude-sonnet-4-5",
                    "max_tokens": 5,
                    "messages": [{"role": "user", "content": "hi"}],
                },
            }
        ]
    )
    batch_emulator.advance(hours=1)
    done = client.messages.batches.retrieve(batch.id)
    assert done.results_url is not None and done.results_url.startswith(base + "/")
    gemini = genai.Client(api_key="k", http_options=types.HttpOptions(base_url=base))
    uploaded = gemini.files.upload(
        file=str(CANNED / "greeting.json"), config={"mime_type": "application/json"}
    )
    assert uploaded.uri is not None and uploaded.uri.startswith(base + "/")


@pytest.mark.parametrize(
    "origin", ["http://evil.example", "null", "http://localhost:1", "https://127.0.0.1"]
)
@pytest.mark.parametrize(
    "method,path", [("POST", "/reset"), ("POST", "/faults"), ("GET", "/requests")]
)
def test_a_cross_origin_request_to_the_control_plane_is_refused(
    batch_emulator: EmulatorHandle, http: httpx.Client, origin: str, method: str, path: str
) -> None:
    batch_emulator.add_fault(status=503, operation="files.list", optional=True)
    response = http.request(
        method,
        "/_emulator" + path,
        headers={**JSON, "origin": origin},
        content=b'{"status": 500}' if path == "/faults" else None,
    )
    assert response.status_code == 403
    assert_envelope(response, "control")
    assert len(batch_emulator.faults.describe()) == 1  # nothing was reset or added


def test_a_same_origin_request_is_served(
    batch_emulator: EmulatorHandle, http: httpx.Client
) -> None:
    origin = batch_emulator.url  # e.g. a page the emulator itself serves (the dashboard)
    assert http.post("/_emulator/reset", headers={"origin": origin}).status_code == 200


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
def test_a_control_plane_body_must_be_json(
    batch_emulator: EmulatorHandle, http: httpx.Client, content_type: str | None
) -> None:
    """A "simple" cross-site POST (no preflight) cannot carry application/json."""
    headers = {} if content_type is None else {"content-type": content_type}
    response = http.post("/_emulator/faults", content=b'{"status": 500}', headers=headers)
    assert response.status_code == 415
    assert_envelope(response, "control")
    assert batch_emulator.faults.describe() == []


@pytest.mark.parametrize(
    "change",
    [
        {"canned_responses": str(CANNED)},
        {"canned_responses": "/etc"},
        {"control_token": "mine"},
        {"allowed_hosts": ["evil.example"]},
        {"external_url": "http://evil.example/"},  # its host would join the accepted Hosts
        {"echo": True, "canned_responses": "/"},
    ],
)
def test_host_paths_and_guards_are_never_set_over_http(
    batch_emulator: EmulatorHandle, http: httpx.Client, change: dict[str, object]
) -> None:
    response = http.patch("/_emulator/config", json=change)
    assert response.status_code == 403
    assert "process owner" in assert_envelope(response, "control")["error"]["message"]
    config = http.get("/_emulator/config").json()
    assert config["canned_responses"] is None and config["allowed_hosts"] == []
    assert config["external_url"] is None
    assert config["echo"] is False  # all or nothing
    evil = {**OPENAI, "host": f"evil.example:{_port(batch_emulator)}"}
    assert http.get("/v1/batches", headers=evil).status_code == 421  # the allow-list held


@pytest.mark.parametrize(
    "args,env",
    [(["--control-token", ""], {}), (["--control-token", "  "], {}), ([], {"TOKEN": ""})],
    ids=["empty-flag", "blank-flag", "empty-variable"],
)
def test_an_empty_control_token_is_an_error_not_an_open_control_plane(
    args: list[str], env: dict[str, str]
) -> None:
    environ = {k: v for k, v in os.environ.items() if k != "BATCH_EMULATOR_CONTROL_TOKEN"}
    if "TOKEN" in env:
        environ["BATCH_EMULATOR_CONTROL_TOKEN"] = env["TOKEN"]
    done = subprocess.run(
        [sys.executable, "-m", "emulator", "serve", "--port", "0", *args],
        capture_output=True,
        text=True,
        env=environ,
        timeout=30,
    )
    assert done.returncode == 2 and done.stdout == ""
    [line] = done.stderr.splitlines()
    assert "control-token" in line and "empty" in line


@pytest.mark.parametrize(
    "method,path",
    [
        ("POST", "/v1/batches"),
        ("POST", "/v1/batches/batch_1/cancel"),
        ("PUT", "/v1/batches/batch_1"),
        ("GET", "/v1/batches/batch_1/extra"),
        ("POST", "/v1/files"),
        ("GET", "/v1/files/file-1/content"),
        ("PATCH", "/v1/files/file-1"),
    ],
)
@pytest.mark.parametrize("keyed", ["header", "query"])
def test_a_gemini_keyed_call_to_an_openai_path_answers_in_google_s_envelope(
    batch_emulator: EmulatorHandle, http: httpx.Client, method: str, path: str, keyed: str
) -> None:
    """The google-genai SDK marks every call with its key (x-goog-api-key, or ?key= from a
    plain HTTP client), so whatever /v1 path it names, the answer is Google's error."""
    headers, params = (GEMINI, {}) if keyed == "header" else ({}, {"key": "test"})
    response = http.request(method, path, headers={**headers, **JSON}, params=params, content=b"{}")
    body = assert_envelope(response, "gemini")
    assert response.status_code in (404, 405) and body["error"]["status"] == "NOT_FOUND"
    assert batch_emulator.batches == []


def test_a_call_with_an_openai_bearer_and_a_google_key_stays_openai_s(
    batch_emulator: EmulatorHandle, http: httpx.Client
) -> None:
    """A client sending every provider's key at once (../shared/tools/surface-check does):
    OpenAI's bearer decides, so the upload is OpenAI's, not Google's 405."""
    line = b'{"custom_id": "a", "method": "POST", "url": "/v1/chat/completions", "body": {}}\n'
    response = http.post(
        "/v1/files",
        headers={**GEMINI, "authorization": "Bearer k"},
        data={"purpose": "batch"},
        files={"file": ("in.jsonl", line)},
    )
    assert response.status_code == 200, response.text
    assert response.json()["object"] == "file"


@pytest.mark.batch_emulator(control_token="s3cret")
def test_the_control_token_guards_only_the_control_plane(
    batch_emulator: EmulatorHandle, http: httpx.Client
) -> None:
    refused = http.post("/_emulator/reset")
    assert (
        refused.status_code == 401
        and "control token" in assert_envelope(refused, "control")["error"]["message"]
    )
    assert (
        http.get("/_emulator/health", headers={"authorization": "Bearer wrong"}).status_code == 401
    )
    assert http.get("/_emulator/health", headers={"x-emulator-token": "s3cret"}).status_code == 200
    assert (
        http.get("/_emulator/health", headers=batch_emulator.control_headers()).status_code == 200
    )
    config = http.get("/_emulator/config", headers=batch_emulator.control_headers()).json()
    assert "control_token" not in config and "s3cret" not in str(config)
    assert http.get("/v1/batches", headers=OPENAI).status_code == 200  # SDK routes unaffected


def _serve(*args: str, env: dict[str, str] | None = None) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "emulator", "serve", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )
    assert proc.stdout is not None and proc.stderr is not None
    lines = [proc.stdout.readline()]
    while lines[-1].strip():
        lines.append(proc.stdout.readline())
    found = re.search(r"http://127\.0\.0\.1:\d+", lines[0])
    assert found is not None, lines
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:  # the banner comes just before uvicorn listens
        try:
            httpx.get(found.group(0) + "/_emulator/health")
            break
        except httpx.TransportError:
            time.sleep(0.05)
    return proc, "".join(lines)


def _stop(proc: subprocess.Popen[str]) -> str:
    """Stop the server; its stderr."""
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=10)
    return err


def test_serving_beyond_loopback_warns_and_advertises_a_usable_url() -> None:
    proc, banner = _serve("--host", "0.0.0.0")
    try:
        assert "0.0.0.0" not in banner
        url = re.search(r"http://127\.0\.0\.1:\d+", banner)
        assert url is not None, banner
        assert httpx.get(url.group(0) + "/_emulator/health").status_code == 200
    finally:
        warning = _stop(proc)
    assert "WARNING" in warning and "--control-token" in warning


def test_the_token_comes_from_the_flag_or_the_environment() -> None:
    proc, banner = _serve(env={"BATCH_EMULATOR_CONTROL_TOKEN": "from-env"})
    try:
        url = re.search(r"http://127\.0\.0\.1:\d+", banner)
        assert url is not None, banner
        health = url.group(0) + "/_emulator/health"
        assert httpx.get(health).status_code == 401
        assert httpx.get(health, headers={"x-emulator-token": "from-env"}).status_code == 200
    finally:
        warning = _stop(proc)
    assert "WARNING" not in warning  # loopback: nothing to warn about
