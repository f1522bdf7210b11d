"""docs/bifrost.md is executable: every python block is a test module, run here as a suite."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "bifrost.md"
BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)


def test_every_example_passes(pytester: pytest.Pytester) -> None:
    found = BLOCK.findall(DOC.read_text())
    assert found, "docs/bifrost.md has no python example"
    pytester.makepyfile(**{f"test_bifrost_doc_{i}": code for i, code in enumerate(found)})
    expected = sum(len(re.findall(r"^def test_", code, re.MULTILINE)) for code in found)
    strict = ("-o", "batch_emulator_verdict=strict")  # every example is a careful client
    pytester.runpytest("-p", "no:cacheprovider", *strict).assert_outcomes(passed=expected)
