"""Every code block tagged `<!-- example: NAME -->` in the README or a docs/ page runs, against
the fixture's server.

The examples are written for `batch-emulator serve` on port 8000; the test swaps in the
fixture's URL, so a page that drifts from the code fails here. The README is a front page; the
guides it links moved to docs/, and their examples are held to the same rule.
"""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
PAGES = [README, *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"<!-- example: ([\w-]+) -->\n```python\n(.*?)```", re.S)
EXAMPLES = [found for page in PAGES for found in BLOCK.findall(page.read_text())]
PYTEST_BLOCK = re.compile(r"<!-- pytest-example -->\n```python\n(.*?)```", re.S)


def test_readme_has_examples() -> None:
    names = [name for name, _ in EXAMPLES]
    assert "openai" in names


@pytest.mark.batch_emulator(verdict="strict")  # the examples show careful clients
@pytest.mark.parametrize(("name", "code"), EXAMPLES, ids=[n for n, _ in EXAMPLES])
def test_readme_example_runs(name: str, code: str, batch_emulator: Any) -> None:
    source = code.replace("http://127.0.0.1:8000", batch_emulator.url)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(source, f"README:{name}", "exec"), {"__name__": f"readme_{name}"})
    assert out.getvalue().strip(), f"example {name} printed nothing"


def test_readme_pytest_examples_pass(pytester: pytest.Pytester) -> None:
    blocks = [code for page in PAGES for code in PYTEST_BLOCK.findall(page.read_text())]
    assert blocks, "the README's pytest section has no example"
    pytester.makepyfile(**{f"test_readme_{i}": code for i, code in enumerate(blocks)})
    expected = sum(len(re.findall(r"^def test_", code, re.M)) for code in blocks)
    result = pytester.runpytest("-p", "no:cacheprovider", "-o", "batch_emulator_verdict=strict")
    result.assert_outcomes(passed=expected)


def test_readme_links_only_what_a_clone_has() -> None:
    assert "../" not in README.read_text()  # e.g. ../shared/: outside the repository
    for page in PAGES:
        for target in re.findall(r"\]\(([^)#]+)", page.read_text()):
            if not target.startswith("http"):
                resolved = (page.parent / target).resolve()
                assert resolved.is_relative_to(ROOT), (page.name, target)
                assert resolved.exists(), (page.name, target)
