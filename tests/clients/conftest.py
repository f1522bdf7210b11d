"""Real third-party batch clients, run unmodified as subprocesses against the fixture's server.

They live in .clients-venv (scripts/clients-venv; scripts/test and so .ci/run create it) because
their pins conflict with the test extra. A missing venv fails loudly: skipping would hide the gap.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
CLIENTS_BIN = ROOT / ".clients-venv" / "bin"
DRIVERS = Path(__file__).resolve().parent / "drivers"

Run = Callable[..., str]


@pytest.fixture
def clients_bin() -> Path:
    if not (CLIENTS_BIN / "python").exists():
        pytest.fail(
            f"{CLIENTS_BIN.parent} is missing: run scripts/clients-venv (scripts/test does)"
        )
    return CLIENTS_BIN


@pytest.fixture
def client_env(batch_emulator: Any, tmp_path: Path) -> dict[str, str]:
    """A clean environment as a user would set it: the documented base-URL variables, a dummy
    key, and HOME in tmp_path so per-user state (batchwizard's manifest) is per test. Nothing
    from the outer environment leaks in except PATH (no real keys, no proxies)."""
    home = tmp_path / "home"
    home.mkdir()
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "OPENAI_BASE_URL": batch_emulator.openai_base_url,
        "OPENAI_API_KEY": "test",
        "ANTHROPIC_BASE_URL": batch_emulator.anthropic_base_url,
        "ANTHROPIC_API_KEY": "test",
        "COLUMNS": "200",
        "NO_COLOR": "1",
        "PYTHONUNBUFFERED": "1",
    }


@pytest.fixture
def run(clients_bin: Path, client_env: dict[str, str], tmp_path: Path) -> Run:
    """Runs one of the clients' own executables (or a driver script under the clients' Python)
    in tmp_path; returns stdout, and fails the test with both streams when it exits non-zero."""

    def _run(program: str, *args: str, env: Mapping[str, str] | None = None) -> str:
        exe = str(clients_bin / program)
        argv = [exe, *args]
        if program.endswith(".py"):
            argv = [str(clients_bin / "python"), str(DRIVERS / program), *args]
        done = subprocess.run(
            argv,
            cwd=tmp_path,
            env={**client_env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        if done.returncode != 0:
            raise AssertionError(
                f"{' '.join(argv[:3])} exited {done.returncode}\n"
                f"--- stdout\n{done.stdout[-4000:]}\n--- stderr\n"
                f"{done.stderr[-4000:]}"
            )
        return done.stdout

    return _run


def jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def manifest(home: Path) -> list[dict[str, Any]]:
    """batchwizard's durable job manifest, one dict per job (typer.get_app_dir puts it in
    ~/.config/batchwizard/jobs.db on Linux)."""
    db = sqlite3.connect(home / ".config" / "batchwizard" / "jobs.db")
    db.row_factory = sqlite3.Row
    try:
        return [dict(row) for row in db.execute("SELECT * FROM jobs ORDER BY id")]
    finally:
        db.close()
