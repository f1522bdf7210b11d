"""What the pytest plugin costs: session server start, and per-test fixture overhead.

Run by hand (not a test): `python benchmarks/bench_plugin.py`. Numbers go in docs/pytest.md.

1. server start: `EmulatorHandle.serve(Emulator())` until the socket accepts (warm imports).
2. fixture body: what `batch_emulator` does per test (merge one marker option, reset a dirty
   emulator, hand back the handle), timed in-process after each round of real SDK traffic.
3. end to end: pytest in a subprocess on N tests that take the fixture vs N that don't.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from emulator import Emulator, EmulatorConfig, HttpFault
from emulator.handle import EmulatorHandle

LINE = (
    b'{"custom_id":"a","method":"POST","url":"/v1/chat/completions",'
    b'"body":{"model":"gpt-4o-mini","messages":[]}}\n'
)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def bench_server_start(rounds: int = 15) -> list[float]:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        handle = EmulatorHandle.serve(Emulator())
        times.append(time.perf_counter() - start)
        handle.stop()
    return times


def bench_fixture_body(rounds: int = 300) -> list[float]:
    handle = EmulatorHandle.serve(Emulator())
    base = EmulatorConfig()
    times = []
    with handle.openai_client() as client:
        for _ in range(rounds):
            upload = client.files.create(file=("in.jsonl", LINE), purpose="batch")
            client.batches.create(
                input_file_id=upload.id, endpoint="/v1/chat/completions", completion_window="24h"
            )
            handle.add_fault(HttpFault(status=503, operation="batches.list", times=1))
            handle.advance(hours=1)
            start = time.perf_counter()
            handle.reset(base.merged(timing="manual"))
            times.append(time.perf_counter() - start)
    handle.stop()
    return times


def _pytest_seconds(directory: Path, fixture: str, n: int) -> float:
    """Best of three runs of `n` empty tests that request `fixture` (or nothing)."""
    tests = "\n".join(f"def test_{i}({fixture}):\n    pass\n" for i in range(n))
    path = directory / f"test_{fixture or 'bare'}_{n}.py"
    path.write_text(tests)
    runs = []
    for _ in range(3):
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(path)],
            cwd=directory,
            check=True,
            capture_output=True,
        )
        runs.append(time.perf_counter() - start)
    return min(runs)


def bench_end_to_end(small: int = 100, big: int = 600) -> tuple[float, float]:
    """Marginal cost per test (slope between two suite sizes, minus the same slope for bare
    tests), and the one-off cost of the first fixture use (cold server start, app build)."""
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        bare = [_pytest_seconds(directory, "", n) for n in (small, big)]
        used = [_pytest_seconds(directory, "batch_emulator", n) for n in (small, big)]
    slope = ((used[1] - used[0]) - (bare[1] - bare[0])) / (big - small)
    one_off = (used[0] - bare[0]) - slope * small
    return slope, one_off


def cold_server_start() -> float:
    """First `serve()` in a fresh interpreter whose pytest plugin is already imported."""
    code = (
        "import time; import emulator.pytest_plugin; from emulator.handle import EmulatorHandle;"
        "t = time.perf_counter(); h = EmulatorHandle.serve(); print(time.perf_counter() - t);"
        "h.stop()"
    )
    runs = [
        float(
            subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(5)
    ]
    return statistics.median(runs)


def main() -> None:
    start = bench_server_start()
    print(f"server start: median {ms(statistics.median(start))}, max {ms(max(start))}")
    body = bench_fixture_body()
    cuts = statistics.quantiles(body, n=20)
    print(
        f"fixture body (reset + handle): median {ms(statistics.median(body))}, p95 {ms(cuts[-1])}"
    )
    print(f"server start, cold (first in a process): median {ms(cold_server_start())}")
    slope, one_off = bench_end_to_end()
    print(f"pytest end to end: {ms(slope)} per test, {ms(one_off)} once per session")


if __name__ == "__main__":
    main()
