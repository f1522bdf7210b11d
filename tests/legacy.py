"""Run a snippet under an older SDK generation installed by scripts/legacy-sdks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_legacy(name: str, code: str, **env: str) -> str:
    """Run `code` with `.legacy/<name>` first on sys.path; returns stdout, raises on failure."""
    target = ROOT / ".legacy" / name
    if not target.is_dir():
        raise RuntimeError(f"{target} is missing: run scripts/legacy-sdks first")
    full_env = {**os.environ, **env, "PYTHONPATH": f"{target}{os.pathsep}{ROOT}"}
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        raise AssertionError(f"legacy {name} snippet failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout
