"""Start the emulator or the floor app in a subprocess on 127.0.0.1 port 0, and watch its memory.

A subprocess (not a thread) so the server does not share the benchmark client's GIL, and so its
peak RSS (VmHWM in /proc/<pid>/status) is its own.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
PORT_LINE = re.compile(rb"http://127\.0\.0\.1:([1-9][0-9]*)")
START_TIMEOUT = 20.0

# Runs the CLI under cProfile and writes the stats even when uvicorn exits on SIGINT.
PROFILED_SERVE = """
import cProfile, sys
from emulator.cli import main
out, argv = sys.argv[1], sys.argv[2:]
profiler = cProfile.Profile()
try:
    profiler.runcall(main, argv)
finally:
    profiler.dump_stats(out)
"""


@dataclass
class Served:
    name: str
    proc: subprocess.Popen[bytes]
    url: str
    log: Path

    def status_kb(self, field: str) -> int:
        """A memory field of /proc/<pid>/status (VmHWM = peak RSS, VmRSS = current), in kB."""
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
        raise RuntimeError(f"{field} not in /proc/{self.proc.pid}/status")

    def peak_rss_mb(self) -> float:
        return self.status_kb("VmHWM") / 1024

    def rss_mb(self) -> float:
        return self.status_kb("VmRSS") / 1024

    def stop(self) -> None:
        """SIGINT first (uvicorn shuts down cleanly, cProfile gets to write), then kill."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self.log.unlink(missing_ok=True)


def _launch(
    name: str, argv: list[str], env: dict[str, str] | None = None, cwd: Path = ROOT
) -> Served:
    fd, log_name = tempfile.mkstemp(prefix=f"bench-{name}-", suffix=".log")
    log = Path(log_name)
    with os.fdopen(fd, "wb") as sink:
        proc = subprocess.Popen(
            argv, stdout=sink, stderr=subprocess.STDOUT, cwd=cwd, env={**os.environ, **(env or {})}
        )
    served = Served(name, proc, "", log)
    try:
        served.url = _wait_for_port(served)
        _wait_healthy(served.url)
    except BaseException:
        served.stop()
        raise
    return served


def _wait_for_port(served: Served) -> str:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        found = PORT_LINE.search(served.log.read_bytes())
        if found:
            return f"http://127.0.0.1:{found.group(1).decode()}"
        if served.proc.poll() is not None:
            break
        time.sleep(0.02)
    tail = served.log.read_text(errors="replace")[-2000:]
    raise RuntimeError(f"{served.name} did not report its port:\n{tail}")


def _wait_healthy(url: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{url}/_emulator/health", timeout=2.0)
            return
        except httpx.TransportError:
            time.sleep(0.02)
    raise RuntimeError(f"server at {url} did not accept connections")


def start_emulator(
    timing: str | None = "immediate",
    profile_to: Path | None = None,
    source: Path = ROOT,
    config: Path | None = None,
) -> Served:
    """`source` is a directory holding the `emulator` package (a snapshot); being the cwd, it
    comes before the editable install on sys.path. `timing=None` serves the default policy."""
    args = ["serve", "--host", "127.0.0.1", "--port", "0"]
    args += [] if timing is None else ["--timing", timing]
    args += [] if config is None else ["--config", str(config)]
    args += ["--log-level", "info", "--quiet"]  # no per-call log line in the measured path
    if profile_to is None:
        return _launch("emulator", [sys.executable, "-m", "emulator", *args], cwd=source)
    argv = [sys.executable, "-c", PROFILED_SERVE, str(profile_to), *args]
    return _launch("emulator", argv, cwd=source)


def start_floor(output_lines: int) -> Served:
    script = str(ROOT / "benchmarks" / "floor_app.py")
    env = {"FLOOR_OUTPUT_LINES": str(output_lines)}
    return _launch("floor", [sys.executable, script], env)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_llmock(executable: Path) -> Served:
    """LLMock (a benchmark-only install, see README.md) on 127.0.0.1, on a port picked here."""
    port = free_port()
    argv = [str(executable), "serve", "--host", "127.0.0.1", "--port", str(port)]
    argv += ["--log-level", "warning"]
    fd, log_name = tempfile.mkstemp(prefix="bench-llmock-", suffix=".log")
    with os.fdopen(fd, "wb") as sink:
        proc = subprocess.Popen(
            argv, stdout=sink, stderr=subprocess.STDOUT, cwd=tempfile.gettempdir()
        )
    served = Served("llmock", proc, f"http://127.0.0.1:{port}", Path(log_name))
    try:
        _wait_healthy(served.url)
    except BaseException:
        served.stop()
        raise
    return served
