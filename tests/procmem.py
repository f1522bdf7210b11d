"""A `batch-emulator serve` subprocess whose memory is read by its PID from /proc: memory claims
are about the server process, never the test's own (the client's buffers would blur them)."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def status(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak RSS) of a process, in bytes."""
    text = Path(f"/proc/{pid}/status").read_text()
    return {k: int(v) * 1024 for k, v in re.findall(r"^(VmRSS|VmHWM):\s+(\d+) kB", text, re.M)}


@contextmanager
def served(*options: str) -> Iterator[tuple[str, int]]:
    """`serve --port 0` as a user starts it (call log on unless `options` say otherwise): its
    URL and PID, killed on exit."""
    if not Path("/proc/self/status").exists():
        pytest.skip("reads memory from /proc (Linux)")
    proc = subprocess.Popen(
        [sys.executable, "-m", "emulator", "serve", "--port", "0", *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        found = re.search(r"http://127\.0\.0\.1:\d+", proc.stdout.readline())
        assert found is not None
        yield found.group(0), proc.pid
    finally:
        proc.kill()
        proc.wait(10)
