"""Oversize bodies are refused while they stream in: the server's memory, read by its PID from
/proc, grows by at most the route's limit however much a client sends (issue 13 measured
+247 to +901 MB for the same bodies before).

One `batch-emulator serve` subprocess; each body is produced by a generator in 1 MiB pieces
and sent chunked (no Content-Length), so neither side ever holds it whole.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests import procmem
from tests.hardening.envelopes import GEMINI, JSON, OPENAI, assert_envelope

MB = 1024 * 1024
PIECE = b"x" * MB
SLACK = 48 * MB  # allocator noise, buffers in flight, the response


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, int]]:
    with procmem.served() as running:
        yield running


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
        baseline = procmem.status(pid)["VmRSS"]
        for path, headers, body, size, limit, envelope in CASES:
            response = http.post(path, headers=headers, content=body(size * MB))
            assert_envelope(response, envelope)
            assert len(response.content) < 4096  # nothing of the body is echoed back
            peak = procmem.status(pid)["VmHWM"]
            growth[path] = (peak - baseline) / MB
            assert peak - baseline < limit * MB + SLACK, (path, growth)
    print("peak RSS growth per route (MB):", {k: round(v) for k, v in growth.items()})


@pytest.fixture(scope="module")
def logging_server() -> Iterator[tuple[str, int]]:
    """`serve` as a user starts it (the call log on)."""
    with procmem.served() as running:
        yield running


def _raw_gets(url: str, paths: Iterator[str]) -> Iterator[tuple[int, bytes]]:
    """GETs on one kept-alive socket, written by hand: an HTTP client library spends ~12 ms
    validating each 60 KB URL, which would make this test minutes long."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port))) as sock:
        reader = sock.makefile("rb")
        for path in paths:
            head = f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Bearer k\r\n\r\n"
            sock.sendall(head.encode())
            status = int(reader.readline().split()[1])
            length = 0
            while (line := reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode("latin-1").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            yield status, reader.read(length)


def test_the_journal_is_bounded_in_bytes(logging_server: tuple[str, int]) -> None:
    """Issue 23: 2,000 calls naming a 60 KB id grew the server by 230 MB, made
    GET /_emulator/requests 229 MB and the dashboard's tail 11 MB per poll."""
    url, pid = logging_server
    big = "b" * 60_000
    list(_raw_gets(url, iter(["/v1/batches/x"] * 50)))  # warm up: allocator, route caches
    with httpx.Client(base_url=url, timeout=60) as http:
        http.delete("/_emulator/requests")
        before = procmem.status(pid)["VmRSS"]
        for status, body in _raw_gets(url, (f"/v1/batches/{big}{i}" for i in range(2_000))):
            assert status == 404
            assert len(body) < 4_500  # the id is echoed, cut to 2,000 characters
        growth = procmem.status(pid)["VmRSS"] - before
        journal = http.get("/_emulator/requests")
        tail = http.get("/_emulator/dashboard/requests")
    assert len(journal.json()["data"]) == 2_000
    print(
        f"RSS growth {growth / MB:.1f} MB; GET /_emulator/requests {len(journal.content) / MB:.2f}"
        f" MB; dashboard tail {len(tail.content) / 1024:.0f} KB"
    )
    assert growth < 24 * MB
    assert len(journal.content) < 4 * MB
    assert len(tail.content) < 256 * 1024


def _raw(size: int) -> Iterator[bytes]:
    for _ in range(size // MB):
        yield PIECE


def test_oversize_object_uploads_are_spooled_not_held(server: tuple[str, int]) -> None:
    """S3 PutObject (plain and aws-chunked) and GCS media/multipart uploads over the 200 MB
    object cap, sent chunked: refused with each store's 413, and the server holds none of it
    (it held 227 MB per such request before the body was spooled)."""
    url, pid = server
    related = {"content-type": "multipart/related; boundary=B"}
    cases = [
        ("PUT", "/s3/mem-bucket/big", {}),
        ("PUT", "/s3/mem-bucket/big2", {"content-encoding": "aws-chunked"}),
        ("POST", "/upload/storage/v1/b/mem-gcs/o?uploadType=media&name=big", {}),
        ("POST", "/upload/storage/v1/b/mem-gcs/o?uploadType=multipart", related),
    ]
    growth: dict[str, float] = {}
    with httpx.Client(base_url=url, timeout=120) as http:
        assert http.put("/s3/mem-bucket").status_code == 200
        assert http.post("/storage/v1/b", json={"name": "mem-gcs"}).status_code == 200
        for method, path, headers in cases:  # warm each route up with a small body
            http.request(method, path, headers=headers, content=b"x")
        for method, path, headers in cases:
            Path(f"/proc/{pid}/clear_refs").write_text("5")  # VmHWM restarts from VmRSS
            baseline = procmem.status(pid)["VmRSS"]
            response = http.request(method, path, headers=headers, content=_raw(230 * MB))
            assert response.status_code == 413, (path, response.text[:200])
            assert b"EntityTooLarge" in response.content or b'"code":413' in response.content
            peak = procmem.status(pid)["VmHWM"]
            growth[path] = (peak - baseline) / MB
            assert peak - baseline < SLACK, (path, growth)
    print("peak RSS growth per object upload (MB):", {k: round(v) for k, v in growth.items()})
