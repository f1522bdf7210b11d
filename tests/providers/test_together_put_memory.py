"""Together's signed PUT streams against its cap: a 300 MB chunked PUT, refused once past the
100 MB cap, grows the server's memory (read by its PID from /proc) by no more than allocator
slack: the body is spooled to disk past 1 MiB, never held. Issue 23 measured ~600 MB for the
same body before (the body was collected as a list of chunks and joined). A refused body
leaves the file untouched.

One `batch-emulator serve` subprocess; the body comes from a generator in 1 MiB pieces, sent
chunked (no Content-Length), so the client never holds it whole either.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests import procmem

MB = 1024 * 1024
SLACK = 48 * MB  # allocator noise, buffers in flight, the response
AUTH = {"Authorization": "Bearer tg-memory"}


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, int]]:
    with procmem.served() as running:
        yield running


def _body(size: int) -> Iterator[bytes]:
    piece = b"x" * MB
    for _ in range(size // MB):
        yield piece


def _start(http: httpx.Client) -> tuple[str, str]:
    started = http.post(
        "/together/v1/files",
        data={"purpose": "batch-api", "file_name": "big.jsonl", "file_type": "jsonl"},
        headers=AUTH,
    )
    assert started.status_code == 302
    return started.headers["location"], started.headers["x-together-file-id"]


def test_a_300_mb_chunked_put_costs_no_memory(server: tuple[str, int]) -> None:
    url, pid = server
    with httpx.Client(base_url=url, timeout=120) as http:
        location, file_id = _start(http)
        warm = http.put(location, content=_body(MB))  # warm the route up (and use one URL)
        assert warm.status_code == 200
        location, file_id = _start(http)
        baseline = procmem.status(pid)["VmRSS"]
        refused = http.put(location, content=_body(300 * MB))
        peak = procmem.status(pid)["VmHWM"]
        assert refused.status_code == 413
        assert refused.json()["error"]["message"] == "File is too large."
        growth = peak - baseline
        print(f"peak RSS growth for a 300 MB chunked PUT: {growth / MB:.0f} MB (cap 100 MB)")
        assert growth < SLACK, growth / MB
        after = http.get(f"/together/v1/files/{file_id}", headers=AUTH).json()
        assert (after["bytes"], after["Processed"]) == (0, False)


def test_an_accepted_put_is_held_once(server: tuple[str, int]) -> None:
    """A 90 MB body within the cap is the file's content: held once, not twice (the old join)."""
    url, pid = server
    with httpx.Client(base_url=url, timeout=120) as http:
        location, file_id = _start(http)
        baseline = procmem.status(pid)["VmRSS"]
        assert http.put(location, content=_body(90 * MB)).status_code == 200
        growth = procmem.status(pid)["VmHWM"] - baseline
        print(f"peak RSS growth for an accepted 90 MB PUT: {growth / MB:.0f} MB")
        assert growth < 90 * MB + SLACK, growth / MB
        assert http.get(f"/together/v1/files/{file_id}", headers=AUTH).json()["bytes"] == 90 * MB
