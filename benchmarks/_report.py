"""Turn the benchmark's per-run figures into the markdown table of RESULTS.md."""

from __future__ import annotations

import os
import platform
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import openai


@dataclass
class Figure:
    """One figure: its runs on the emulator and on the floor, and how to judge its target.

    `meets(emulator_median, ratio)` where ratio is the median over runs of emulator/floor (the
    two sides of a run share the same moment of machine load)."""

    key: str
    label: str
    unit: str
    target: str
    meets: Callable[[float, float], bool]
    emulator: list[float] = field(default_factory=list)
    floor: list[float] = field(default_factory=list)


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def _cpu() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown CPU"


def meta(
    runs: int, iterations: int, large_bytes: int, load_before: str, note: str
) -> dict[str, Any]:
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{os.cpu_count()} cores ({_cpu()}), Linux {platform.release()}, "
        f"Python {platform.python_version()}, openai {openai.__version__}",
        "runs": runs,
        "iterations": iterations,
        "large_mb": large_bytes / 1e6,
        "load": f"load average before {load_before}, after {loadavg()}",
        "note": note,
    }


def _fmt(value: float, unit: str) -> str:
    return f"{value:.2f} {unit}" if unit != "MB" else f"{value:.0f} MB"


def _runs(values: list[float], unit: str) -> str:
    return ", ".join(_fmt(v, unit).split(" ")[0] for v in values)


def markdown(rows: Sequence[Figure], info: dict[str, Any], heading: bool = False) -> str:
    lines = []
    if heading:
        lines += ["# Benchmark results (benchmarks/bench_openai.py)", ""]
    lines += [
        f"- Date: {info['date']}",
        f"- Machine: {info['machine']}",
        f"- Method: median of {info['runs']} runs (fresh server subprocesses per run); "
        f"(a) median of {info['iterations']} calls per run after warm-up; "
        f"(c) input file {info['large_mb']:.1f} MB",
        f"- Load: {info['load']}",
    ]
    if info["note"]:
        lines.append(f"- Note: {info['note']}")
    lines += [
        "",
        "| Date | Figure | Emulator | Floor (bare Starlette) | Ratio (median of runs) | Target "
        "| Met? "
        "| Emulator runs | Floor runs |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    day = info["date"].split(" ")[0]
    for row in rows:
        emu, floor = statistics.median(row.emulator), statistics.median(row.floor)
        ratio = statistics.median(e / f for e, f in zip(row.emulator, row.floor, strict=True))
        met = "yes" if row.meets(emu, ratio) else "**no**"
        lines.append(
            f"| {day} | {row.label} | {_fmt(emu, row.unit)} | {_fmt(floor, row.unit)} "
            f"| {ratio:.2f}x | {row.target} | {met} | {_runs(row.emulator, row.unit)} "
            f"| {_runs(row.floor, row.unit)} |"
        )
    return "\n".join(lines) + "\n"
