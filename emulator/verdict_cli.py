"""`batch-emulator verdict --url URL`: the client verdict of a running server, for people and CI.

Reads `GET <url>/_emulator/verdict` with the standard library only (the CLI must not need the
test extras) and prints one line per finding with its evidence. The exit status says whether the
client behaved: 0 no findings, 1 findings, 2 the server could not be asked.
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from emulator.core.findings import Finding
from emulator.core.journal import JournalEntry
from emulator.core.verdict import report, rule_names


def add_parser(sub: Any) -> None:
    verdict = sub.add_parser(
        "verdict", help="print what a client did wrong against a running emulator"
    )
    verdict.add_argument("--url", default="http://127.0.0.1:8000", help="the emulator's base URL")
    verdict.add_argument(
        "--ignore",
        action="append",
        default=[],
        metavar="RULE",
        help=f"silence a rule (repeatable): {', '.join(rule_names())}",
    )
    verdict.add_argument("--json", action="store_true", help="print the findings as JSON")
    verdict.set_defaults(run=run)


def fetch(url: str, ignore: list[str]) -> list[dict[str, Any]]:
    query = f"?{urllib.parse.urlencode({'ignore': ','.join(ignore)})}" if ignore else ""
    with urllib.request.urlopen(f"{url.rstrip('/')}/_emulator/verdict{query}", timeout=30) as r:
        body: dict[str, Any] = json.load(r)
    findings: list[dict[str, Any]] = body["findings"]
    return findings


def as_finding(data: dict[str, Any]) -> Finding:
    evidence = tuple(JournalEntry(**call) for call in data["evidence"])
    return Finding(data["rule"], data["batch_id"], data["dialect"], data["message"], evidence)


def run(args: argparse.Namespace) -> int:
    try:
        findings = fetch(args.url, args.ignore)
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode(errors="replace")
        print(f"batch-emulator verdict: {args.url}: HTTP {exc.code} {detail}", file=sys.stderr)
        return 2
    except (urllib.error.URLError, OSError, ValueError, KeyError) as exc:
        print(f"batch-emulator verdict: cannot ask {args.url}: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps({"findings": findings}, indent=2))
    elif findings:
        print(report([as_finding(f) for f in findings]))
    else:
        print("batch-emulator verdict: no findings")
    return 1 if findings else 0
