"""The `together` CLI (together 3.x, the test extra), run unmodified as a subprocess: its
documented batch flow (`tg batches submit FILE chat.completions`, `ls`, `get`, `download`;
docs.together.ai CLI reference and together-py PR #525) with only the documented variables
set: TOGETHER_API_KEY and TOGETHER_BASE_URL. No `--project`: before every command the CLI asks
`GET /v3/whoami` for the key's project, so that route must answer as Together does.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from emulator.handle import EmulatorHandle

CLI = Path(sys.executable).parent / "together"
MODEL = "meta-llama/Llama-3.3-70B-Instruct-Turbo"


@pytest.fixture
def tg(batch_emulator: EmulatorHandle, tmp_path: Path) -> Any:
    home = tmp_path / "home"
    home.mkdir()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),  # no stored login: the key comes from the environment
        "TOGETHER_API_KEY": "tg-cli",
        "TOGETHER_BASE_URL": batch_emulator.together_base_url,
        "NO_COLOR": "1",
        "COLUMNS": "200",
    }

    def run(*args: str) -> str:
        done = subprocess.run(
            [str(CLI), *args],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, (args, done.stdout, done.stderr)
        return done.stdout

    return run


def test_cli_batch_flow_without_project(
    tg: Any, batch_emulator: EmulatorHandle, tmp_path: Path
) -> None:
    source = tmp_path / "batch_input.jsonl"
    source.write_text(
        "".join(
            json.dumps(
                {
                    "custom_id": f"c{i}",
                    "body": {"model": MODEL, "messages": [{"role": "user", "content": "hi"}]},
                }
            )
            + "\n"
            for i in range(3)
        )
    )
    submitted = tg("batches", "submit", str(source), "chat.completions")
    assert "Batch job submitted" in submitted
    listed = json.loads(tg("batches", "ls", "--json"))
    assert len(listed) == 1
    batch_id = listed[0]["id"]
    assert batch_id in submitted
    batch_emulator.advance(hours=1)
    got = json.loads(tg("batches", "get", batch_id, "--json"))
    assert got["status"] == "COMPLETED" and got["output_file_id"]
    tg("batches", "download", batch_id, "--output", str(tmp_path / "out"))
    output = (tmp_path / "out" / f"{batch_id}_output.jsonl").read_text().splitlines()
    assert sorted(json.loads(line)["custom_id"] for line in output) == ["c0", "c1", "c2"]
    operations = [e.operation for e in batch_emulator.requests]
    assert operations.count("whoami") == 4  # once per command: the project lookup
    assert "files.put" in operations and "batches.create" in operations
