"""Stalls: how long another client waits while the server does something heavy (issue 23).

    python benchmarks/bench_stalls.py [--runs 3] [--skip big,rules,items,verdict] [--write]

Every figure is taken on `batch-emulator serve` as a user starts it (the call log on, its lines
going to a file) and, beside it, on `serve --quiet`. "Another client" is a separate process
(benchmarks/_probe.py) calling one path every 50 ms on its own connection; its slowest answer
during the heavy work is the figure. Figures:

- big: a 50,000-line chat batch upload to download (`--timing immediate`), and the worst wait
  of a client retrieving a small finished batch meanwhile;
- rules: `batches.retrieve` median with no fault rule, with 256 HTTP rules on that operation
  (the limit; none fires), and with 256 whose path regex runs on the automaton; plus the worst
  health wait during those calls;
- items: a 200-line and a 2,000-line create with 256 item rules (a costly custom_id regex and a
  `contains` each), and the worst health wait meanwhile;
- verdict: with 10,000 batches, `GET /_emulator/verdict` and the dashboard's findings call, and
  the worst health wait during each.

Bounded: fixed counts, 120 s per request, 2,400 probe calls, fresh servers for every figure.
"""

from __future__ import annotations

import argparse
import functools
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import _report
import httpx
from _probe import ProbeProcess
from _serve import ROOT, Served, start_emulator
from bench_openai import jsonl
from bench_scale import DEADLINE, Samples, client_for, end_to_end, small_batch

CONFIGS = {"default": False, "--quiet": True}  # name -> quiet
RULES = 256
AUTH = {"authorization": "Bearer sk-bench"}
ANTHROPIC = {"x-api-key": "bench", "anthropic-version": "2023-06-01"}
VERDICT_BATCHES = 10_000


def health(server: Served) -> ProbeProcess:
    return ProbeProcess(f"{server.url}/_emulator/health")


def timed(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


SOURCE = ROOT  # the directory holding the `emulator` package served (--emulator-src)


def serve(quiet: bool, config: Path | None = None) -> Served:
    return start_emulator(source=SOURCE, config=config, quiet=quiet)


def big(samples: Samples, name: str, quiet: bool, config: Path) -> None:
    data = jsonl(50_000, 600)
    server = serve(quiet, config)
    try:
        probe_url = f"{server.url}/v1/batches/{small_batch(server)}"
        with ProbeProcess(probe_url, AUTH) as probe:
            elapsed = timed(lambda: end_to_end(client_for(server), data, 50_000))
        samples.add("big_e2e", name, elapsed)
        samples.add("big_stall", name, probe.worst_ms)
    finally:
        server.stop()


def _retrieve_median(client: httpx.Client, path: str, calls: int = 200) -> float:
    for _ in range(20):
        client.get(path)
    return statistics.median(timed(lambda: client.get(path)) for _ in range(calls)) * 1000


def rules(samples: Samples, name: str, quiet: bool) -> None:
    server = serve(quiet)
    try:
        path = f"/v1/batches/{small_batch(server)}"
        faults = f"{server.url}/_emulator/faults"
        with httpx.Client(base_url=server.url, headers=AUTH, timeout=DEADLINE) as client:
            samples.add("rules_none", name, _retrieve_median(client, path))
            cheap = [
                {"kind": "http", "status": 503, "operation": "batches.retrieve", "after": 10**9}
            ] * RULES
            httpx.post(faults, json=cheap).raise_for_status()
            with health(server) as probe:
                samples.add("rules_cheap", name, _retrieve_median(client, path))
            samples.add("rules_cheap_stall", name, probe.worst_ms)
            httpx.delete(faults).raise_for_status()
            costly = [
                {"kind": "http", "status": 503, "path": f"(files|batches)+/(x|y)*z{n}"}
                for n in range(RULES)
            ]
            httpx.post(faults, json=costly).raise_for_status()
            with health(server) as probe:
                samples.add("rules_costly", name, _retrieve_median(client, path, 50))
            samples.add("rules_costly_stall", name, probe.worst_ms)
    finally:
        server.stop()


def item_rules(samples: Samples, name: str, quiet: bool) -> None:
    server = serve(quiet)
    try:
        rules = [
            {"kind": "item", "custom_id": f"(r|q)+[0-9]*x{n}", "contains": f"never-{n}"}
            for n in range(RULES)
        ]
        httpx.post(f"{server.url}/_emulator/faults", json=rules).raise_for_status()
        client = client_for(server)
        for lines in (200, 2_000):
            upload = client.files.create(file=("in.jsonl", jsonl(lines, 600)), purpose="batch")
            create = functools.partial(
                client.batches.create,
                input_file_id=upload.id,
                endpoint="/v1/chat/completions",
                completion_window="24h",
            )
            with health(server) as probe:
                took = timed(create)
            samples.add(f"items_{lines}", name, took)
            samples.add(f"items_{lines}_stall", name, probe.worst_ms)
    finally:
        server.stop()


def _many_batches(server: Served, count: int) -> None:
    body = json.dumps(
        {
            "requests": [
                {
                    "custom_id": "r0",
                    "params": {
                        "model": "claude-sonnet-4-5",
                        "max_tokens": 8,
                        "messages": [{"role": "user", "content": "hi"}],
                    },
                }
            ]
        }
    )
    headers = {**ANTHROPIC, "content-type": "application/json"}

    def make(chunk: int) -> None:
        with httpx.Client(base_url=server.url, headers=headers, timeout=DEADLINE) as client:
            for _ in range(chunk):
                client.post("/v1/messages/batches", content=body).raise_for_status()

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(make, [count // 4] * 4))


def verdict(samples: Samples, name: str, quiet: bool) -> None:
    server = serve(quiet)
    try:
        _many_batches(server, VERDICT_BATCHES)
        with httpx.Client(base_url=server.url, timeout=DEADLINE) as client:
            for key, path in (
                ("verdict", "/_emulator/verdict"),
                ("findings", "/_emulator/dashboard/findings"),
            ):
                client.get(path)  # the first one makes the batches' result files
                with health(server) as probe:
                    samples.add(key, name, timed(lambda p=path: client.get(p).raise_for_status()))
                samples.add(f"{key}_stall", name, probe.worst_ms)
    finally:
        server.stop()


ROWS = [
    ("big_e2e", "50,000-line batch, upload to download", "s"),
    ("big_stall", "another client's worst wait during it (retrieve every 50 ms)", "ms"),
    ("rules_none", "`batches.retrieve` median, no fault rule", "ms"),
    ("rules_cheap", f"`batches.retrieve` median, {RULES} HTTP rules on it (none fires)", "ms"),
    ("rules_cheap_stall", "health's worst wait meanwhile", "ms"),
    ("rules_costly", f"`batches.retrieve` median, {RULES} rules with automaton path regexes", "ms"),
    ("rules_costly_stall", "health's worst wait meanwhile", "ms"),
    ("items_200", f"200-line create, {RULES} item rules", "s"),
    ("items_200_stall", "health's worst wait meanwhile", "ms"),
    ("items_2000", f"2,000-line create, {RULES} item rules", "s"),
    ("items_2000_stall", "health's worst wait meanwhile", "ms"),
    ("verdict", f"`GET /_emulator/verdict`, {VERDICT_BATCHES:,} batches", "s"),
    ("verdict_stall", "health's worst wait meanwhile", "ms"),
    ("findings", f"dashboard findings call, {VERDICT_BATCHES:,} batches", "s"),
    ("findings_stall", "health's worst wait meanwhile", "ms"),
]


def _cell(values: list[float], unit: str) -> str:
    if not values:
        return "n/a"
    mid, low, high = statistics.median(values), min(values), max(values)
    digits = 1 if unit == "ms" else 2
    return f"{mid:.{digits}f} {unit} ({low:.{digits}f}-{high:.{digits}f})"


def table(samples: Samples) -> str:
    out = "| Figure | " + " | ".join(f"`serve` {n}" for n in CONFIGS) + " |\n"
    out += "|---|" + "---|" * len(CONFIGS) + "\n"
    for key, label, unit in ROWS:
        if any(samples.get(key, n) for n in CONFIGS):
            cells = [_cell(samples.get(key, n), unit) for n in CONFIGS]
            out += f"| {label} | " + " | ".join(cells) + " |\n"
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--skip", default="", help="comma list of: big,rules,items,verdict")
    p.add_argument("--write", action="store_true", help="prepend the table to RESULTS.md")
    p.add_argument("--note", default="")
    p.add_argument("--emulator-src", type=Path, default=ROOT, help="serve this snapshot")
    args = p.parse_args()
    global SOURCE
    SOURCE = args.emulator_src
    skip = set(args.skip.split(","))
    config = Path(tempfile.mkdtemp(prefix="bench-stalls-")) / "config.json"
    config.write_text(json.dumps({"max_batch_requests": 50_000}))
    steps: dict[str, Callable[[Samples, str, bool], None]] = {
        "big": lambda s, n, q: big(s, n, q, config),
        "rules": rules,
        "items": item_rules,
        "verdict": verdict,
    }
    samples, load_before, began = Samples(), _report.loadavg(), time.time()
    for run in range(args.runs):
        names = list(CONFIGS) if run % 2 == 0 else list(reversed(CONFIGS))
        print(f"run {run + 1}/{args.runs} (load {_report.loadavg()})", flush=True)
        for step, measure in steps.items():
            if step in skip:
                continue
            for name in names:
                try:
                    measure(samples, name, CONFIGS[name])
                except Exception as exc:  # one failing figure must not lose the others
                    print(f"  {step} {name} failed: {exc!r}", flush=True)
            print(f"  {step} done", flush=True)
    meta = _report.meta(args.runs, 0, 0, load_before, args.note)
    text = (
        f"- Date: {meta['date']}; {meta['machine']}\n"
        f"- {args.runs} runs, fresh server subprocesses per figure, the two configurations "
        f"alternating first; medians with (min-max) over runs; wall time "
        f"{time.time() - began:.0f} s\n- Load: {meta['load']}, end {_report.loadavg()}\n"
        + (f"- Note: {args.note}\n" if args.note else "")
        + "\n"
        + table(samples)
    )
    print(text)
    if args.write:
        out = Path(__file__).with_name("RESULTS.md")
        old = out.read_text()
        heading = "# Benchmark results"
        rest = old.split("\n", 1)[1] if old.startswith(heading) else old
        out.write_text(f"{heading}\n\n## Stalls (bench_stalls.py)\n\n{text}\n{rest}")
        print(f"wrote {out}")


if __name__ == "__main__":
    main()
