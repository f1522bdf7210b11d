"""Scaling and side-by-side benchmark: the emulator, the floor and LLMock in one run.

    python benchmarks/bench_scale.py [--runs 3] [--sizes 1000,10000,50000,100000]
        [--llmock PATH_TO_llmock_EXECUTABLE] [--with-state] [--write] [--note "..."]

Per run, per size, per server (each on a fresh subprocess, sides in rotating order so host
load lands on all alike), through the openai SDK over loopback:
- end to end: upload an N-line chat JSONL, create, poll until completed (a 50 ms pause between
  polls that did not see it done), download the output;
- the server's peak RSS (VmHWM) after it;
- another client's worst wait: a separate process (_probe.py) retrieves a small batch every
  50 ms during the whole end-to-end run; its slowest answer is the figure.
Then: `batches.retrieve` median (calls interleaved across the three servers), the 50,000-line
batch under the emulator's *default* `serve` timing (create to terminal), and a 100,000-request
Anthropic create (pre-encoded body, so the SDK's own serialisation is not counted) with the
same stall probe.

"emulator" is `batch-emulator serve` as a user starts it (the per-call log on, written to a
file); "emulator --quiet" is the same without the log. Both serve with `--timing immediate` and
a config raising OpenAI's 50,000-request limit to 100,000 for the scaling rows (the real limit
stays the default). Every loop is bounded:
at most 600 polls and 120 s per batch, 2,400 probe calls, 20 s for a server to start.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import _report  # sibling modules: this file is run as a script
import httpx
import openai
from _probe import ProbeProcess
from _serve import ROOT, Served, start_emulator, start_floor, start_llmock
from bench_openai import ENDPOINT, jsonl

POLL_PAUSE = 0.05
MAX_POLLS = 600
DEADLINE = 120.0
ANTHROPIC_REQUESTS = 100_000
STATE_ENV = "BATCH_EMULATOR_STATE"
ANTHROPIC_PATHS = {"llmock": "/anthropic/v1/messages/batches"}  # LLMock mounts it there


@dataclass
class Samples:
    """Per figure, per side: one value per run."""

    values: dict[tuple[str, str], list[float]] = field(default_factory=dict)

    def add(self, figure: str, side: str, value: float) -> None:
        self.values.setdefault((figure, side), []).append(value)

    def get(self, figure: str, side: str) -> list[float]:
        return self.values.get((figure, side), [])


def client_for(server: Served) -> openai.OpenAI:
    return openai.OpenAI(
        base_url=f"{server.url}/v1", api_key="sk-bench", max_retries=0, timeout=DEADLINE
    )


def wait_done(client: openai.OpenAI, batch_id: str, pause: float = POLL_PAUSE) -> str:
    deadline = time.monotonic() + DEADLINE
    for _ in range(MAX_POLLS):
        batch = client.batches.retrieve(batch_id)
        if batch.status == "completed" and batch.output_file_id:
            return batch.output_file_id
        if batch.status in ("failed", "expired", "cancelled") or time.monotonic() > deadline:
            break
        time.sleep(pause)
    raise RuntimeError(f"batch {batch_id} did not complete: {batch.status}")


def end_to_end(client: openai.OpenAI, data: bytes, lines: int, pause: float = POLL_PAUSE) -> None:
    uploaded = client.files.create(file=("requests.jsonl", data), purpose="batch")
    batch = client.batches.create(
        input_file_id=uploaded.id, endpoint=ENDPOINT, completion_window="24h"
    )
    output = client.files.content(wait_done(client, batch.id, pause)).content
    got = output.count(b"\n") + (bool(output) and not output.endswith(b"\n"))
    if got != lines:
        raise RuntimeError(f"expected {lines} output lines, got {got}")


def small_batch(server: Served) -> str:
    """A finished 10-line batch to probe with (its retrieve is the cheap, common call)."""
    client = client_for(server)
    uploaded = client.files.create(file=("small.jsonl", jsonl(10)), purpose="batch")
    batch = client.batches.create(
        input_file_id=uploaded.id, endpoint=ENDPOINT, completion_window="24h"
    )
    wait_done(client, batch.id)
    return batch.id


Starter = Callable[[int], Served]


def starters(args: argparse.Namespace, config: Path) -> dict[str, Starter]:
    sides: dict[str, Starter] = {
        "emulator": lambda size: start_emulator(source=args.emulator_src, config=config),
        "emulator --quiet": lambda size: start_emulator(
            source=args.emulator_src, config=config, quiet=True
        ),
        "floor": lambda size: start_floor(size),
    }
    if args.with_state:  # the emulator writing every change to a fresh state file
        sides["emulator --state"] = lambda size: _with_state(
            lambda: start_emulator(source=args.emulator_src, config=config)
        )
    if args.llmock:
        sides["llmock"] = lambda size: start_llmock(args.llmock)
    return sides


def _with_state(start: Callable[[], Served]) -> Served:
    """`serve --state` on a fresh file, named through the variable `serve` reads for it."""
    os.environ[STATE_ENV] = str(Path(tempfile.mkdtemp(prefix="bench-state-")) / "state.sqlite")
    try:
        return start()
    finally:
        del os.environ[STATE_ENV]


def scaling(samples: Samples, sides: dict[str, Starter], sizes: list[int], run: int) -> None:
    names = list(sides)
    for size in sizes:
        data = jsonl(size, 600)
        order = names[run % len(names) :] + names[: run % len(names)]
        for side in order:
            server = sides[side](size)
            try:
                probe_path = f"/v1/batches/{small_batch(server)}"
                auth = {"authorization": "Bearer sk-bench"}
                with ProbeProcess(server.url + probe_path, auth) as probe:
                    start = time.perf_counter()
                    end_to_end(client_for(server), data, size)
                    elapsed = time.perf_counter() - start
                samples.add(f"e2e:{size}", side, elapsed)
                samples.add(f"rss:{size}", side, server.peak_rss_mb())
                samples.add(f"stall:{size}", side, probe.worst_ms)
            finally:
                server.stop()
            print(f"  {size:>7} lines  {side:<8} {elapsed:6.2f} s", flush=True)


def retrieve_medians(samples: Samples, sides: dict[str, Starter], iterations: int) -> None:
    servers = {side: start(10) for side, start in sides.items()}
    try:
        calls = {}
        for side, server in servers.items():
            client, batch_id = client_for(server), small_batch(server)
            calls[side] = (lambda c, b: lambda: c.batches.retrieve(b))(client, batch_id)
        times: dict[str, list[float]] = {side: [] for side in calls}
        names = list(calls)
        for i in range(30 + iterations):
            for side in names if i % 2 == 0 else reversed(names):
                start = time.perf_counter()
                calls[side]()
                if i >= 30:
                    times[side].append(time.perf_counter() - start)
        for side, values in times.items():
            samples.add("retrieve", side, statistics.median(values) * 1000)
        floor = statistics.median(times["floor"])
        for side, values in times.items():  # paired: the same run, calls interleaved
            samples.add("retrieve_ratio", side, statistics.median(values) / floor)
    finally:
        for server in servers.values():
            server.stop()


def default_timing(samples: Samples, args: argparse.Namespace, lines: int) -> None:
    """The emulator as `batch-emulator serve` starts it: create to terminal, polling at 0.5 s."""
    data = jsonl(lines, 600)
    runners = {"emulator": lambda: start_emulator(timing=None, source=args.emulator_src)}
    if args.llmock:
        runners["llmock"] = lambda: start_llmock(args.llmock)
    for side, start in runners.items():
        server = start()
        try:
            begin = time.perf_counter()
            end_to_end(client_for(server), data, lines, pause=0.5)
            samples.add("default", side, time.perf_counter() - begin)
        finally:
            server.stop()


def anthropic_body(n: int) -> bytes:
    requests = [
        {
            "custom_id": f"r{i}",
            "params": {
                "model": "claude-sonnet-4-5",
                "max_tokens": 64,
                "messages": [{"role": "user", "content": f"Summarise item {i}."}],
            },
        }
        for i in range(n)
    ]
    return json.dumps({"requests": requests}).encode()


def anthropic_create(samples: Samples, sides: dict[str, Starter], body: bytes) -> None:
    headers = {
        "x-api-key": "bench",
        "anthropic-version": "2023-06-01",
        "content-type": "application/json",
    }
    for side, start in sides.items():
        server = start(10)
        try:
            probe_path = f"/v1/batches/{small_batch(server)}"
            client = httpx.Client(base_url=server.url, headers=headers, timeout=DEADLINE)
            path = ANTHROPIC_PATHS.get(side, "/v1/messages/batches")
            auth = {"authorization": "Bearer sk-bench"}
            with ProbeProcess(server.url + probe_path, auth) as probe:
                begin = time.perf_counter()
                answer = client.post(path, content=body)
                elapsed = time.perf_counter() - begin
            if answer.status_code != 200:
                print(f"  anthropic {side}: answered {answer.status_code}", flush=True)
                continue
            samples.add("anthropic", side, elapsed)
            samples.add("anthropic_stall", side, probe.worst_ms)
        finally:
            server.stop()


def _cell(values: list[float], unit: str) -> str:
    if not values:
        return "n/a"
    digits = 0 if unit in ("MB", "ms") and statistics.median(values) >= 100 else 2
    mid, low, high = statistics.median(values), min(values), max(values)
    return f"{mid:.{digits}f} {unit} ({low:.{digits}f}-{high:.{digits}f})"


def table(samples: Samples, sides: list[str], sizes: list[int]) -> str:
    head = "| Figure | " + " | ".join(sides) + " |\n|---|" + "---|" * len(sides) + "\n"
    rows = [
        ("retrieve", "`batches.retrieve` median", "ms"),
        ("retrieve_ratio", "`batches.retrieve`, times the floor's (paired within each run)", "x"),
    ]
    for size in sizes:
        rows += [
            (f"e2e:{size}", f"{size:,}-line batch, upload to download (`immediate`)", "s"),
            (f"rss:{size}", f"{size:,}-line batch, server peak RSS", "MB"),
            (f"stall:{size}", f"{size:,}-line batch, another client's worst wait", "ms"),
        ]
    rows += [
        ("default", "50,000-line batch under the default timing, upload to download", "s"),
        ("anthropic", f"Anthropic create, {ANTHROPIC_REQUESTS:,} requests", "s"),
        ("anthropic_stall", "Anthropic create, another client's worst wait", "ms"),
    ]
    body = ""
    for key, label, unit in rows:
        cells = [_cell(samples.get(key, side), unit) for side in sides]
        body += f"| {label} | " + " | ".join(cells) + " |\n"
    return head + body


def linearity(samples: Samples, sizes: list[int]) -> str:
    """Emulator seconds per 1,000 lines at each size: flat means linear."""
    out = "| Lines | emulator end to end | per 1,000 lines | peak RSS | RSS per 1,000 lines |\n"
    out += "|---|---|---|---|---|\n"
    for size in sizes:
        e2e, rss = samples.get(f"e2e:{size}", "emulator"), samples.get(f"rss:{size}", "emulator")
        if not e2e:
            continue
        t, m = statistics.median(e2e), statistics.median(rss)
        out += f"| {size:,} | {t:.2f} s | {t / size * 1000 * 1000:.1f} ms | {m:.0f} MB | "
        out += f"{m / size * 1000:.2f} MB |\n"
    return out


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--sizes", default="1000,10000,50000,100000")
    p.add_argument("--iterations", type=int, default=1000, help="retrieves per side per run")
    p.add_argument("--llmock", type=Path, default=None, help="path to the llmock executable")
    p.add_argument("--emulator-src", type=Path, default=ROOT)
    p.add_argument("--with-state", action="store_true", help="add a side served with --state")
    p.add_argument("--skip", default="", help="comma list of: scaling,retrieve,default,anthropic")
    p.add_argument("--write", action="store_true", help="prepend the tables to RESULTS.md")
    p.add_argument("--note", default="")
    return p.parse_args()


def main() -> None:
    args = parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    skip = set(args.skip.split(","))
    config = Path(tempfile.mkdtemp(prefix="bench-scale-")) / "config.json"
    config.write_text(json.dumps({"max_batch_requests": max([*sizes, 50_000])}))
    sides = starters(args, config)
    samples = Samples()
    load_before = _report.loadavg()
    began = time.time()
    body = anthropic_body(ANTHROPIC_REQUESTS) if "anthropic" not in skip else b""
    steps: dict[str, Callable[[int], None]] = {
        "retrieve": lambda run: retrieve_medians(samples, sides, args.iterations),
        "scaling": lambda run: scaling(samples, sides, sizes, run),
        "default": lambda run: default_timing(samples, args, 50_000),
        "anthropic": lambda run: anthropic_create(samples, sides, body),
    }
    for run in range(args.runs):
        print(f"run {run + 1}/{args.runs} (load {_report.loadavg()})", flush=True)
        for name, step in steps.items():
            if name in skip:
                continue
            try:
                step(run)
            except Exception as exc:  # one failing figure must not lose the others
                print(f"  {name} failed: {exc!r}", flush=True)
    names = list(sides)
    meta = _report.meta(args.runs, args.iterations, 0, load_before, args.note)
    text = (
        f"- Date: {meta['date']}; {meta['machine']}\n"
        f"- {args.runs} runs, fresh server subprocesses for every figure; medians with "
        f"(min-max) over runs; wall time {time.time() - began:.0f} s\n"
        f"- Load: {meta['load']}\n"
        + (f"- Note: {args.note}\n" if args.note else "")
        + "\n"
        + table(samples, names, sizes)
        + "\nLinear growth (emulator medians):\n\n"
        + linearity(samples, sizes)
    )
    print(text)
    if args.write:
        out = Path(__file__).with_name("RESULTS.md")
        old = out.read_text()
        heading = "# Benchmark results"
        rest = old.split("\n", 1)[1] if old.startswith(heading) else old
        out.write_text(
            f"{heading}\n\n## Scaling and side by side (bench_scale.py)\n\n{text}\n{rest}"
        )
        print(f"wrote {out}")


if __name__ == "__main__":
    main()
