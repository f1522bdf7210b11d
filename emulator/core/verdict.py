"""The client verdict: what a batch client did that a careful client would not have done.

The emulator sees every call a client makes (the journal) and every batch's fate (the store), so
it can say, after the fact, that a client never read the error file of a partly failed batch,
polled hundreds of times a second, retried before the `retry-after` it was sent, or created the
same batch twice. Each rule (`emulator.core.verdict_reads`, `emulator.core.verdict_traffic`) has
a stable name, raises a finding only on evidence (the calls it saw, with their times), and cites
in its docstring what the provider's documentation tells clients to do. A client that does
everything right gets no finding. What "reading the results" means per provider is data in
each provider's profile (`Door`, `Keeping`), read by `emulator.core.reading`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime

from emulator.core import verdict_reads, verdict_traffic
from emulator.core.batch import View
from emulator.core.findings import Finding, Rule, Scene
from emulator.core.journal import JournalEntry
from emulator.core.profile import Profile
from emulator.core.reading import Reader

RULES: dict[str, Rule] = {**verdict_reads.RULES, **verdict_traffic.RULES}


def rule_names() -> list[str]:
    return list(RULES)


def check_ignore(ignore: Iterable[str]) -> frozenset[str]:
    """The rule names to silence; an unknown one is an error naming the valid ones."""
    chosen = frozenset(ignore)
    known = rule_names()
    unknown = sorted(chosen - set(known))
    if unknown:
        raise ValueError(
            f"unknown verdict rule(s) {', '.join(map(repr, unknown))}; rules: {', '.join(known)}"
        )
    return chosen


def judge(
    views: Sequence[View],
    entries: Sequence[JournalEntry],
    profiles: Mapping[str, Profile],
    ignore: Iterable[str] = (),
) -> list[Finding]:
    """Every finding over these batches and calls, rule by rule in a fixed order."""
    silenced = check_ignore(ignore)
    scene = Scene(list(views), list(entries), Reader(profiles))
    return [
        finding for name, rule in RULES.items() if name not in silenced for finding in rule(scene)
    ]


def report(findings: Sequence[Finding]) -> str:
    """Findings as readable lines, each followed by its evidence (a few calls at most)."""
    lines = []
    for finding in findings:
        lines.append(str(finding))
        for entry in finding.evidence[:6]:
            status = "dropped" if entry.status is None else entry.status
            lines.append(
                f"    {_clock(entry.at)} {entry.method} {entry.path} -> {status}"
                + (f" [{entry.state}]" if entry.state else "")
            )
        if len(finding.evidence) > 6:
            lines.append(f"    ... and {len(finding.evidence) - 6} more call(s)")
    return "\n".join(lines)


def _clock(at: float) -> str:
    """An emulator-clock instant as a UTC time of day to the millisecond."""
    return datetime.fromtimestamp(at, UTC).strftime("%H:%M:%S.%f")[:-3]


__all__ = ["RULES", "Finding", "Scene", "check_ignore", "judge", "report", "rule_names"]
