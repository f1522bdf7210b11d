"""The client verdict in pytest: `verdict = off | warn | strict`, per suite (ini) or per test.

`warn` (the default) reports a test's findings as a `BatchVerdictWarning` (listed in pytest's
warnings summary, pointing at the test) plus a "batch_emulator verdict" report section; `strict`
fails the test with them; `off` skips the verdict. `verdict_ignore` silences rules by name.
The verdict is judged right after the test body, while the emulator still holds its batches and
calls, and only when the body passed: a failing test needs no advice on top of its failure.

Imports of the emulator stay inside functions: the plugin must cost test runs that never use a
fixture nothing.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from emulator.handle import EmulatorHandle

MODES = ("off", "warn", "strict")
MODE_INI = "batch_emulator_verdict"
IGNORE_INI = "batch_emulator_verdict_ignore"
OPTIONS = ("verdict", "verdict_ignore")  # marker options that are not EmulatorConfig options


class BatchVerdictWarning(UserWarning):
    """A batch client did something a careful client would not (see `emulator.core.verdict`)."""


@dataclass(frozen=True)
class Armed:
    handle: EmulatorHandle
    mode: str
    ignore: frozenset[str]


ARMED = pytest.StashKey[Armed]()


def addini(parser: pytest.Parser) -> None:
    parser.addini(MODE_INI, "client verdict after each test: off | warn | strict", default="warn")
    parser.addini(IGNORE_INI, "client verdict rules to silence", type="args", default=[])


def check_ini(config: pytest.Config) -> None:
    """A bad `batch_emulator_verdict` in the ini file stops the run with one line, before any
    test (not a traceback in every test's setup)."""
    mode = config.getini(MODE_INI) or "warn"
    if mode not in MODES:
        raise pytest.UsageError(
            f"ini option {MODE_INI} must be one of {', '.join(MODES)}, not {mode!r}"
        )


def arm(request: pytest.FixtureRequest, handle: EmulatorHandle, options: dict[str, Any]) -> None:
    """Take the verdict options out of the marker's options and remember them for this test."""
    from emulator.core.verdict import check_ignore

    mode = options.pop("verdict", None) or request.config.getini(MODE_INI) or "warn"
    if mode not in MODES:
        pytest.fail(
            f"batch_emulator verdict must be one of {', '.join(MODES)}, not {mode!r}", pytrace=False
        )
    extra = options.pop("verdict_ignore", ())
    extra = [extra] if isinstance(extra, str) else list(extra)
    try:
        ignore = check_ignore([*request.config.getini(IGNORE_INI), *extra])
    except ValueError as exc:
        pytest.fail(f"batch_emulator verdict_ignore: {exc}", pytrace=False)
    request.node.stash[ARMED] = Armed(handle, mode, ignore)


def judge(item: pytest.Item) -> None:
    """After a passing test body: report (warn) or fail on (strict) the client's findings."""
    armed = item.stash.get(ARMED, None)
    if armed is None or armed.mode == "off":
        return
    from emulator.core.verdict import report

    findings = armed.handle.verdict(armed.ignore)
    if not findings:
        return
    text = report(findings)
    howto = (
        "Silence a rule with @pytest.mark.batch_emulator(verdict_ignore=[...]) or the ini option "
        f"{IGNORE_INI}; turn the verdict off with verdict='off'."
    )
    if armed.mode == "strict":
        pytest.fail(f"batch_emulator verdict (strict):\n{text}\n{howto}", pytrace=False)
    item.add_report_section("call", "batch_emulator verdict", text)
    line = item.location[1]
    warnings.warn_explicit(
        f"batch_emulator verdict:\n{text}",
        BatchVerdictWarning,
        filename=str(item.path),
        lineno=(line or 0) + 1,
    )
