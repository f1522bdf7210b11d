"""Runs one of the Node SDK drivers in tests/node/ against a loopback emulator.

Node and the npm packages pinned in package.json are part of this project's toolchain, so a
missing `node` or package fails the test rather than skipping it. Each driver asserts every step
itself (node:assert) and prints one JSON summary line; the tests check that summary and the
emulator's own record of what happened.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from emulator.handle import EmulatorHandle

ROOT = Path(__file__).resolve().parents[2]
DRIVERS = ROOT / "tests" / "node"
NODE_TIMEOUT = 120


def pinned(package: str) -> str:
    """The exact version package.json pins, checked against what npm installed."""
    spec: str = json.loads((ROOT / "package.json").read_text())["dependencies"][package]
    installed = ROOT / "node_modules" / package / "package.json"
    assert installed.is_file(), (
        f"the {package} npm package is missing: run `npm install` in the project root "
        "(scripts/test does this)"
    )
    version: str = json.loads(installed.read_text())["version"]
    assert version == spec, f"{package}: node_modules has {version}, package.json pins {spec}"
    return version


def run_node(script: str, handle: EmulatorHandle, **env: str) -> dict[str, Any]:
    """Run tests/node/`script` with EMU_ROOT (and `env`) set; return its JSON summary."""
    node = shutil.which("node")
    assert node, "node is required for the Node SDK tests (Node 20+ is part of the toolchain)"
    done = subprocess.run(
        [node, str(DRIVERS / script)],
        env={**os.environ, "EMU_ROOT": handle.url, "NO_COLOR": "1", **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=NODE_TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, f"{script} failed:\n{done.stderr}\n{done.stdout}"
    lines = done.stdout.strip().splitlines()
    assert lines, f"{script} printed no summary; stderr:\n{done.stderr}"
    summary: dict[str, Any] = json.loads(lines[-1])
    return summary
