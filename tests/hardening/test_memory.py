"""Oversize bodies are refused while they stream in: the server's memory, read by its PID from
/proc, grows by at most the route's limit however much a client sends (issue 13 measured
+247 to +901 MB for the same bodies before).

One `batch-emulator serve` subprocess; each body is produced by a generator in 1 MiB pieces
and sent chunked (no Content-Length), so neither side ever holds it whole.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.hardening.envelopes import GEMINI, JSON, OPENAI, assert_envelope

MB = 1024 * 1024
PIECE = b"x" * MB
SLACK = 48 * MB  # allocator noise, buffers in flight, the response


def _status(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak RSS) of a process, in bytes."""
    text = Path(f"/proc/{pid}/status").read_text()
    return {k: int(v) * 1024 for k, v in re.findall(r"^(VmRSS|VmHWM):\s+(\d+) kB", text, re.M)}


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, int]]:
    if not Path("/proc/self/status").exists():
        pytest.skip("reads memory from /proc (Linux)")
    proc = subprocess.Popen(
        [sys.executable, "-m", "emulator", "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    found = re.search(r"http://127\.0\.0\.1:\d+", proc.stdout.readline())
    assert found is not None
    try:
        yield found.group(0), proc.pid
    finally:
        proc.kill()
        proc.wait(10)


def _json_body(size: int) -> Iterator[bytes]:
    yield b'{"metadata": {"k": "'
    for _ in range(size // MB):
        yield PIECE
    yield b'"}}'


def _upload(size: int, fields: dict[str, str]) -> Iterator[bytes]:
    for name, value in fields.items():
        yield f'--B\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
    yield b'--B\r\nContent-Disposition: form-data; name="file"; filename="big.jsonl"\r\n\r\n'
    for _ in range(size // MB):
        yield PIECE
    yield b"\r\n--B--\r\n"


FORM = {"content-type": "multipart/form-data; boundary=B"}
# (path, headers, body, its size in MB, the route's limit in MB, envelope), smallest limit first
CASES = [
    ("/v1/batches", {**OPENAI, **JSON}, _json_body, 64, 1, "openai"),
    ("/_emulator/faults", JSON, _json_body, 64, 1, "control"),
    (
        "/v1beta/models/gemini-2.5-flash:batchGenerateContent",
        {**GEMINI, **JSON},
        _json_body,
        64,
        20,
        "gemini",
    ),
    ("/v1/files", {**OPENAI, **FORM}, lambda n: _upload(n, {"purpose": "batch"}), 230, 0, "openai"),
    (
        "/bifrost/v1/files?provider=openai",
        FORM,
        lambda n: _upload(n, {"purpose": "batch"}),
        230,
        0,
        "bifrost",
    ),
    (
        "/bifrost/openai/v1/files",
        {**OPENAI, **FORM},
        lambda n: _upload(n, {"purpose": "batch"}),
        230,
        0,
        "openai",
    ),
    ("/bifrost/v1/batches?provider=anthropic", JSON, _json_body, 128, 100, "bifrost"),
]


def test_oversize_bodies_cost_at_most_the_route_limit(server: tuple[str, int]) -> None:
    """Uploads are spooled to disk by the form parser (limit 0 in memory); JSON bodies are
    held up to their limit and not a byte beyond."""
    url, pid = server
    growth: dict[str, float] = {}
    with httpx.Client(base_url=url, timeout=120) as http:
        for path, headers, _, _, _, _ in CASES:  # warm every route up with a small body
            http.post(path, headers=headers, content=b"[]")  # (an empty rule list)
        baseline = _status(pid)["VmRSS"]
        for path, headers, body, size, limit, envelope in CASES:
            response = http.post(path, headers=headers, content=body(size * MB))
            assert_envelope(response, envelope)
            assert len(response.content) < 4096  # nothing of the body is echoed back
            peak = _status(pid)["VmHWM"]
            growth[path] = (peak - baseline) / MB
            assert peak - baseline < limit * MB + SLACK, (path, growth)
    print("peak RSS growth per route (MB):", {k: round(v) for k, v in growth.items()})
