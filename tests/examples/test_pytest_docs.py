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
    # Strict: every example shows a careful client (a test that wants findings says so).
    result = pytester.runpytest("-p", "no:cacheprovider", "-o", "batch_emulator_verdict=strict")
    result.assert_outcomes(passed=expected)


def test_the_misspelt_option_message_is_the_current_one(pytester: pytest.Pytester) -> None:
    """The doc quotes the plugin's message, options list included: run it and compare."""
    quoted = re.search(
        r"```\n(@pytest\.mark\.batch_emulator: timeing.*?)```", DOC.read_text(), re.S
    )
    assert quoted is not None
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.batch_emulator(timeing="manual")
        def test_typo(batch_emulator):
            pass
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    shown = next(line for line in result.stdout.lines if line.startswith("@pytest.mark."))
    assert " ".join(quoted.group(1).split()) == shown
