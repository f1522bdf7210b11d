"""Per-batch scenarios (`x-emulator-scenario` / `metadata.emulator_scenario`).

A scenario is parsed once at create time into plain flags on the plan and planned item errors;
after that the batch runs like any other, so every dialect and timing policy honours it.
"""

from __future__ import annotations

from dataclasses import dataclass

from emulator.core.errors import invalid

NAMES = ("success", "fail", "expire", "errors:<fraction>", "stall")


@dataclass(frozen=True)
class Scenario:
    name: str = "success"
    error_fraction: float = 0.0


def parse(value: str | None) -> Scenario:
    if value is None or value.strip() in ("", "success"):
        return Scenario()
    text = value.strip()
    if text in ("fail", "expire", "stall"):
        return Scenario(text)
    if text.startswith("errors:"):
        try:
            fraction = float(text.removeprefix("errors:"))
        except ValueError:
            fraction = -1.0
        if 0.0 <= fraction <= 1.0:
            return Scenario("errors", fraction)
    raise invalid(
        f"Unknown emulator scenario {value!r}. Valid scenarios: {', '.join(NAMES)} "
        "(fraction between 0 and 1).",
        param="x-emulator-scenario",
    )
