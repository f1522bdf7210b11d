"""Together's batch output and error files. Pure (no HTTP): the core calls `render_files`
through the provider's profile.

Line shape as OpenAI's `{id, custom_id, response{status_code, body}, error}` [I: not printed
in the pages read]; successes only in the output file, failures in the error file (docs).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator

from emulator.core.batch import View
from emulator.core.outputs import ItemResult
from emulator.providers.openai import results as openai


def _together(results: Iterable[ItemResult]) -> Iterator[ItemResult]:
    """Chat bodies carry `prompt` (a list; the SDK type requires it) [S]."""
    for result in results:
        if result.body is not None and "choices" in result.body:
            result = dataclasses.replace(result, body={"prompt": [], **result.body})
        yield result


def render_files(view: View, results: Iterable[ItemResult]) -> tuple[bytes | None, bytes | None]:
    return openai.render_files(view, _together(results))
