"""scripts/test inside someone else's virtualenv: one line saying what to do, nothing installed."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_a_foreign_venv_without_the_test_extra_gets_one_clear_line(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    python = bin_dir / "python"  # a venv's python that has none of the test extra
    python.write_text("#!/bin/sh\necho 'ModuleNotFoundError: hypothesis' >&2\nexit 1\n")
    python.chmod(0o755)
    env = {**os.environ, "VIRTUAL_ENV": str(tmp_path), "PATH": f"{bin_dir}:/usr/bin:/bin"}
    done = subprocess.run(
        [str(ROOT / "scripts" / "test")], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert f"the active virtualenv ({tmp_path}) lacks the test extra" in lines[0]
    assert "pip install -e '.[test]'" in lines[0] and "deactivate" in lines[0]
