"""Every README code block tagged `<!-- example: NAME -->` runs, against the fixture's server.

The README's examples are written for `batch-emulator serve` on port 8000; the test swaps in
the fixture's URL, so a README that drifts from the code fails here.
"""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path
from typing import Any

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCK = re.compile(r"<!-- example: ([\w-]+) -->\n```python\n(.*?)```", re.S)
EXAMPLES = BLOCK.findall(README.read_text())
PYTEST_BLOCK = re.compile(r"<!-- pytest-example -->\n```python\n(.*?)```", re.S)


def test_readme_has_examples() -> None:
    names = [name for name, _ in EXAMPLES]
    assert "openai" in names


@pytest.mark.parametrize(("name", "code"), EXAMPLES, ids=[n for n, _ in EXAMPLES])
def test_readme_example_runs(name: str, code: str, batch_emulator: Any) -> None:
    source = code.replace("http://127.0.0.1:8000", batch_emulator.url)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(source, f"README:{name}", "exec"), {"__name__": f"readme_{name}"})
    assert out.getvalue().strip(), f"example {name} printed nothing"


def test_readme_pytest_examples_pass(pytester: pytest.Pytester) -> None:
    blocks = PYTEST_BLOCK.findall(README.read_text())
    assert blocks, "the README's pytest section has no example"
    pytester.makepyfile(**{f"test_readme_{i}": code for i, code in enumerate(blocks)})
    expected = sum(len(re.findall(r"^def test_", code, re.M)) for code in blocks)
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=expected)


def test_readme_links_only_what_a_clone_has() -> None:
    text = README.read_text()
    assert "../" not in text  # e.g. ../shared/: outside the repository
    for target in re.findall(r"\]\(([^)#]+)", text):
        if not target.startswith("http"):
            assert (README.parent / target).exists(), target
