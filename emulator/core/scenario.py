"""Per-batch scenarios (`x-emulator-scenario` / `metadata.emulator_scenario`).

A scenario is parsed once at create time into plain flags on the plan and planned item errors;
after that the batch runs like any other, so every dialect and timing policy honours it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from emulator.core.errors import invalid

NAMES = ("success", "fail", "expire", "errors:<fraction>", "stall", "late_results:<seconds>")


@dataclass(frozen=True)
class Scenario:
    name: str = "success"
    error_fraction: float = 0.0
    delay: float = 0.0  # late_results: how long results stay missing after the batch ended


_FRACTION = re.compile(r"errors:([0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_LATE = re.compile(r"(?:late_results|gemini_late_file):([0-9]+(?:\.[0-9]*)?|\.[0-9]+)")


def parse(value: str | None) -> Scenario:
    """Strict grammar: plain ASCII decimals only (no `nan`, `1e-1`, `0_5` or non-ASCII digits)."""
    text = (value or "").strip()
    if text in ("", "success"):
        return Scenario()
    if text in ("fail", "expire", "stall"):
        return Scenario(text)
    late = _LATE.fullmatch(text)
    if late is not None:
        return Scenario("late_results", delay=float(late.group(1)))
    if text == "gemini_late_file":
        return Scenario("late_results", delay=30.0)
    match = _FRACTION.fullmatch(text)
    if match is not None and float(match.group(1)) <= 1.0:
        return Scenario("errors", float(match.group(1)))
    raise invalid(
        f"Unknown emulator scenario {value!r}. Valid scenarios: {', '.join(NAMES)} "
        "(fraction between 0 and 1, seconds a plain decimal).",
        param="x-emulator-scenario",
    )
