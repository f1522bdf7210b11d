"""Azure's batch output and error files: OpenAI's lines, with Azure's chat-body additions.

Pure (no HTTP): the core calls `render_files` through the provider's profile. Azure chat bodies
carry content-filter verdicts on the prompt and on each choice (reference more-providers §1.6,
Microsoft's batch guide examples); generated files are `file-<uuid>` (§1.5).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from typing import Any

from emulator.core.batch import View
from emulator.core.ids import uuid_id
from emulator.core.outputs import ItemResult
from emulator.providers.azure import wire
from emulator.providers.openai import results as openai


def _prompt_filters() -> list[dict[str, Any]]:
    return [
        wire.PromptFilterResult(
            prompt_index=0, content_filter_results=wire.PromptFilters()
        ).model_dump()
    ]


def with_filters(endpoint: str, body: dict[str, Any]) -> dict[str, Any]:
    """A chat body as Azure returns it: content-filter verdicts on the prompt and each choice."""
    if endpoint != "/v1/chat/completions":
        return body
    choices = [
        {**c, "content_filter_results": wire.ChoiceFilters().model_dump()}
        for c in body.get("choices", [])
    ]
    return {**body, "prompt_filter_results": _prompt_filters(), "choices": choices}


def _filtered(view: View, results: Iterable[ItemResult]) -> Iterator[ItemResult]:
    for result in results:
        if result.body is not None:
            body = with_filters(view.batch.endpoint, result.body)
            result = dataclasses.replace(result, body=body)
        yield result


def render_files(view: View, results: Iterable[ItemResult]) -> tuple[bytes | None, bytes | None]:
    """OpenAI's output and error files, with Azure's content-filter fields on chat bodies."""
    return openai.render_files(view, _filtered(view, results))


def file_id(batch_id: str, kind: str) -> str:
    """Generated output and error files are `file-<uuid>` on Azure (batch ids are seeded)."""
    return "file-" + uuid_id("azure", batch_id, kind)
