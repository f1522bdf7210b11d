"""docs/pytest.md is executable: every python block is a test module, run here as a suite."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "pytest.md"
BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)


def blocks() -> list[str]:
    return BLOCK.findall(DOC.read_text())


def test_the_doc_has_examples() -> None:
    assert len(blocks()) >= 8


def test_every_example_passes(pytester: pytest.Pytester) -> None:
    found = blocks()
    pytester.makepyfile(**{f"test_doc_{i}": code for i, code in enumerate(found)})
    expected = sum(len(re.findall(r"^def test_", code, re.MULTILINE)) for code in found)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=expected)
