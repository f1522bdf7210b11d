"""Profile the emulator server (cProfile) through figure (c): one 50,000-line chat batch.

    python benchmarks/profile_large.py [--lines 50000] [--emulator-src DIR] [--top 30]

Prints each step's wall time, the server's peak RSS, and the server functions with the most
own time and the most cumulative time.
"""

from __future__ import annotations

import argparse
import pstats
import tempfile
import time
from pathlib import Path

from _serve import ROOT, start_emulator
from bench_openai import client_for, end_to_end, jsonl


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--lines", type=int, default=50_000)
    p.add_argument("--line-bytes", type=int, default=600)
    p.add_argument("--emulator-src", type=Path, default=ROOT)
    p.add_argument("--top", type=int, default=30)
    args = p.parse_args()
    data = jsonl(args.lines, args.line_bytes)
    stats_file = Path(tempfile.mkdtemp(prefix="bench-profile-")) / "server.prof"
    server = start_emulator(profile_to=stats_file, source=args.emulator_src)
    phases: dict[str, float] = {}
    try:
        start = time.perf_counter()
        end_to_end(client_for(server), data, args.lines, phases)
        total = time.perf_counter() - start
        peak = server.peak_rss_mb()
    finally:
        server.stop()
    print(f"input {len(data) / 1e6:.1f} MB, {args.lines} lines; total {total:.2f} s (profiled)")
    for name, seconds in phases.items():
        print(f"  {name:<18} {seconds:7.3f} s")
    print(f"server peak RSS {peak:.0f} MB; stats in {stats_file}")
    stats = pstats.Stats(str(stats_file))
    for key in ("tottime", "cumulative"):
        print(f"\n--- top {args.top} by {key} ---")
        stats.sort_stats(key).print_stats(args.top)


if __name__ == "__main__":
    main()
