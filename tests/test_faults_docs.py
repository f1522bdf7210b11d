"""docs/faults.md is executable: python blocks run as a pytest suite, sh blocks with curl."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from emulator.handle import EmulatorHandle

DOC = Path(__file__).resolve().parent.parent / "docs" / "faults.md"


def blocks(language: str) -> list[str]:
    pattern = re.compile(rf"^```{language}\n(.*?)^```", re.DOTALL | re.MULTILINE)
    return pattern.findall(DOC.read_text())


def test_the_doc_has_examples() -> None:
    assert len(blocks("python")) >= 5 and blocks("sh")


def test_every_python_example_passes(pytester: pytest.Pytester) -> None:
    found = blocks("python")
    pytester.makepyfile(**{f"test_faults_doc_{i}": code for i, code in enumerate(found)})
    expected = sum(len(re.findall(r"^def test_", code, re.MULTILINE)) for code in found)
    strict = ("-o", "batch_emulator_verdict=strict")  # every example is a careful client
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", *strict)  # no shared modules
    result.assert_outcomes(passed=expected)


@pytest.mark.parametrize("script", blocks("sh"))
def test_every_shell_example_passes(script: str, batch_emulator: EmulatorHandle) -> None:
    env = {**os.environ, "URL": batch_emulator.url}
    done = subprocess.run(
        ["bash", "-exc", script], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
