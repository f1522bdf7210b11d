"""Loopback benchmark of the emulator through the openai Python SDK, against a bare-app floor.

Run by hand (not a test):  python benchmarks/bench_openai.py [--quick] [--write]
Each figure is measured `--runs` times (fresh server subprocesses each run) and the median of
the runs is reported beside the same figure for benchmarks/floor_app.py. See README.md.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import _report  # sibling modules: this file is run as a script
import openai
from _report import Figure
from _serve import ROOT, Served, start_emulator, start_floor

ENDPOINT: Literal["/v1/chat/completions"] = "/v1/chat/completions"
SMALL_LINES = 10
MAX_POLLS = 50
POLL_DEADLINE = 60.0


@dataclass
class Settings:
    runs: int = 3
    iterations: int = 300
    warmup: int = 30
    e2e_iterations: int = 50
    large_lines: int = 50_000
    line_bytes: int = 600
    source: Path = ROOT
    quiet: bool = False  # serve --quiet; by default the call log is on, as a user serves it


def request_line(i: int, size: int = 0) -> str:
    line = {
        "custom_id": f"req-{i}",
        "method": "POST",
        "url": ENDPOINT,
        "body": {
            "model": "gpt-4o-mini",
            "messages": [{"role": "user", "content": f"Summarise item {i}."}],
            "max_tokens": 64,
        },
    }
    text = json.dumps(line, separators=(",", ":"))
    if size > len(text):  # pad the prompt so each line is about `size` bytes
        line["body"]["messages"][0]["content"] += " " + "x" * (size - len(text) - 1)  # type: ignore[index]
        text = json.dumps(line, separators=(",", ":"))
    return text


def jsonl(lines: int, size: int = 0) -> bytes:
    return "".join(request_line(i, size) + "\n" for i in range(lines)).encode()


def client_for(server: Served) -> openai.OpenAI:
    return openai.OpenAI(
        base_url=f"{server.url}/v1", api_key="sk-bench", max_retries=0, timeout=120
    )


Call = Callable[[], object]
SIDES = ("emulator", "floor")


def paired_medians(calls: dict[str, Call], iterations: int, warmup: int) -> dict[str, float]:
    """Median ms per side, calling the sides alternately (order flipped every iteration) so
    that load from other processes lands on both alike."""
    samples: dict[str, list[float]] = {side: [] for side in calls}
    sides = list(calls)
    for i in range(warmup + iterations):
        for side in sides if i % 2 == 0 else reversed(sides):
            start = time.perf_counter()
            calls[side]()
            if i >= warmup:
                samples[side].append(time.perf_counter() - start)
    return {side: statistics.median(values) * 1000 for side, values in samples.items()}


def wait_completed(client: openai.OpenAI, batch_id: str) -> str:
    deadline = time.monotonic() + POLL_DEADLINE
    for _ in range(MAX_POLLS):
        batch = client.batches.retrieve(batch_id)
        if batch.status == "completed":
            assert batch.output_file_id, "completed batch without output file"
            return batch.output_file_id
        if batch.status in ("failed", "expired", "cancelled") or time.monotonic() > deadline:
            break
    raise RuntimeError(f"batch {batch_id} did not complete: {batch.status}")


def end_to_end(
    client: openai.OpenAI, data: bytes, lines: int, phases: dict[str, float] | None = None
) -> int:
    """Upload, create, poll to completed, download; returns the bytes downloaded.

    `phases`, if given, receives the seconds each step took."""
    marks = [time.perf_counter()]
    uploaded = client.files.create(file=("requests.jsonl", data), purpose="batch")
    marks.append(time.perf_counter())
    batch = client.batches.create(
        input_file_id=uploaded.id, endpoint=ENDPOINT, completion_window="24h"
    )
    marks.append(time.perf_counter())
    output_id = wait_completed(client, batch.id)
    marks.append(time.perf_counter())
    output = client.files.content(output_id).content
    marks.append(time.perf_counter())
    assert output.count(b"\n") == lines, f"expected {lines} output lines"
    if phases is not None:
        names = ("upload", "create", "poll to completed", "download")
        phases.update({n: b - a for n, a, b in zip(names, marks, marks[1:], strict=False)})
    return len(output)


@dataclass
class SmallCalls:
    """The SDK calls of figures (a) and (b), bound to one server."""

    retrieve: Call
    create: Call
    upload: Call
    e2e: Call


def small_calls(server: Served) -> SmallCalls:
    client = client_for(server)
    data = jsonl(SMALL_LINES)
    uploaded = client.files.create(file=("requests.jsonl", data), purpose="batch")

    def create() -> object:
        return client.batches.create(
            input_file_id=uploaded.id, endpoint=ENDPOINT, completion_window="24h"
        )

    batch = client.batches.create(
        input_file_id=uploaded.id, endpoint=ENDPOINT, completion_window="24h"
    )
    wait_completed(client, batch.id)
    return SmallCalls(
        retrieve=lambda: client.batches.retrieve(batch.id),
        create=create,
        upload=lambda: client.files.create(file=("requests.jsonl", data), purpose="batch"),
        e2e=lambda: end_to_end(client, data, SMALL_LINES),
    )


def latencies(servers: dict[str, Served], s: Settings) -> dict[str, dict[str, float]]:
    """{figure: {side: median ms}} for figures (a) and (b)."""
    calls = {side: small_calls(server) for side, server in servers.items()}
    out = {}
    for name in ("retrieve", "create", "upload"):
        out[name] = paired_medians(
            {side: getattr(c, name) for side, c in calls.items()}, s.iterations, s.warmup
        )
    e2e = {side: c.e2e for side, c in calls.items()}
    out["e2e"] = paired_medians(e2e, s.e2e_iterations, 5)
    return out


def large(server: Served, data: bytes, lines: int) -> dict[str, float]:
    client = client_for(server)
    start = time.perf_counter()
    end_to_end(client, data, lines)
    return {"large_s": time.perf_counter() - start, "large_rss": server.peak_rss_mb()}


def figures() -> list[Figure]:
    ratio = 1.3
    return [
        Figure("retrieve", "(a) batches.retrieve median", "ms", f"<= {ratio}x floor",
               lambda e, r: r <= ratio),
        Figure("create", "(a) batches.create median", "ms", "(reported)", lambda e, r: True),
        Figure("upload", f"(a) files.create {SMALL_LINES}-line median", "ms", "(reported)",
               lambda e, r: True),
        Figure("e2e", f"(b) {SMALL_LINES}-line batch end to end", "ms", "< 15 ms",
               lambda e, r: e < 15),
        Figure("large_s", "(c) 50k-line batch end to end", "s", "< 4 s", lambda e, r: e < 4),
        Figure("large_rss", "(c) server peak RSS (VmHWM)", "MB", "< 300 MB",
               lambda e, r: e < 300),
    ]  # fmt: skip


def record(table: dict[str, Figure], side: str, values: dict[str, float]) -> None:
    for key, value in values.items():
        getattr(table[key], side).append(value)


def run_small(table: dict[str, Figure], s: Settings) -> None:
    servers: dict[str, Served] = {}
    try:
        servers["emulator"] = start_emulator(source=s.source, quiet=s.quiet)
        servers["floor"] = start_floor(SMALL_LINES)
        for name, by_side in latencies(servers, s).items():
            for side, value in by_side.items():
                getattr(table[name], side).append(value)
    finally:
        for server in servers.values():
            server.stop()


def run_large(table: dict[str, Figure], s: Settings, data: bytes, run: int) -> None:
    order = ("emulator", "floor") if run % 2 == 0 else ("floor", "emulator")
    for side in order:
        server = (
            start_emulator(source=s.source, quiet=s.quiet)
            if side == "emulator"
            else start_floor(s.large_lines)
        )
        try:
            record(table, side, large(server, data, s.large_lines))
        finally:
            server.stop()


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--iterations", type=int, default=300)
    p.add_argument("--quick", action="store_true", help="1 run, 50 iterations, 5,000 lines")
    p.add_argument("--skip-large", action="store_true")
    p.add_argument("--write", action="store_true", help="write benchmarks/RESULTS.md")
    p.add_argument(
        "--emulator-src",
        type=Path,
        default=ROOT,
        help="directory holding the emulator package to serve (e.g. a `git archive` snapshot)",
    )
    p.add_argument("--note", default="", help="free text for RESULTS.md (e.g. machine load)")
    p.add_argument("--quiet", action="store_true", help="serve --quiet (default: the log on)")
    return p.parse_args()


def main() -> None:
    args = parse_args()
    s = Settings(args.runs, args.iterations, source=args.emulator_src, quiet=args.quiet)
    if args.quick:
        s = Settings(1, 50, 10, 10, large_lines=5_000, source=args.emulator_src, quiet=args.quiet)
    table = {f.key: f for f in figures()}
    load_before = _report.loadavg()
    large_data = b"" if args.skip_large else jsonl(s.large_lines, s.line_bytes)
    for run in range(s.runs):
        run_small(table, s)
        if large_data:
            run_large(table, s, large_data, run)
        print(f"run {run + 1}/{s.runs} done", flush=True)
    rows = [f for f in table.values() if f.emulator]
    meta = _report.meta(s.runs, s.iterations, len(large_data), load_before, args.note)
    print(_report.markdown(rows, meta))
    if args.write:
        out = Path(__file__).with_name("RESULTS.md")
        out.write_text(_report.markdown(rows, meta, heading=True))
        print(f"wrote {out}")


if __name__ == "__main__":
    main()
