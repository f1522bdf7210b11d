"""Another client, in a process of its own: how long the server keeps it waiting.

A probe thread inside the benchmark's own process shares that process's GIL with the SDK
client that drives the big batch (its JSON encoding, its 45 MB download), so its waits mix the
client's pauses with the server's. Here the probe is a separate Python process: it GETs one path
every `every` seconds on its own connection until its stdin closes, then prints every wait.

    python benchmarks/_probe.py URL EVERY MAX_CALLS '{"header": "value"}'
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

STOP_TIMEOUT = 70.0  # seconds to wait for the probe's report after asking it to stop


class ProbeProcess:
    """`with ProbeProcess(url) as probe: ...` then `probe.worst_ms` (the slowest answer)."""

    def __init__(
        self,
        url: str,
        headers: dict[str, str] | None = None,
        every: float = 0.05,
        limit: int = 2_400,
    ) -> None:
        self.argv = [sys.executable, str(Path(__file__)), url, str(every), str(limit)]
        self.argv.append(json.dumps(headers or {}))
        self.waits: list[float] = []
        self.proc: subprocess.Popen[str] | None = None

    def __enter__(self) -> ProbeProcess:
        self.proc = subprocess.Popen(
            self.argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert self.proc.stdout is not None
        if self.proc.stdout.readline().strip() != "ready":  # connected, first call answered
            self.proc.kill()
            raise RuntimeError("the probe process did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        assert self.proc is not None
        out, _ = self.proc.communicate("", timeout=STOP_TIMEOUT)
        self.waits = json.loads(out.strip().splitlines()[-1])

    @property
    def worst_ms(self) -> float:
        return max(self.waits, default=0.0) * 1000

    @property
    def calls(self) -> int:
        return len(self.waits)


def main(argv: list[str]) -> None:
    url, every, limit = argv[1], float(argv[2]), int(argv[3])
    headers = json.loads(argv[4]) if len(argv) > 4 else {}
    stop = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
    waits: list[float] = []
    with httpx.Client(headers=headers, timeout=60) as client:
        client.get(url).raise_for_status()
        print("ready", flush=True)
        for _ in range(limit):
            if stop.is_set():
                break
            start = time.perf_counter()
            client.get(url)
            waits.append(time.perf_counter() - start)
            stop.wait(every)
    print(json.dumps(waits), flush=True)


if __name__ == "__main__":
    main(sys.argv)
