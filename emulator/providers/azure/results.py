"""Azure's batch output and error files: OpenAI's lines, with Azure's differences.

Pure (no HTTP): the core calls `render_files` through the provider's profile. Recorded in
Microsoft's batch guide (fixtures/recorded/azure/batch_guide.json): a line is
`{custom_id, response{body, request_id, status_code}, error}` with no top-level `id` and a UUID
`request_id`; chat bodies carry content-filter verdicts on the prompt and on each choice; a
completed batch with no failed request still has an `error_file_id`; generated files are
`file-<uuid>`.
"""

from __future__ import annotations

import dataclasses
import io
import uuid
from collections.abc import Iterable, Iterator
from typing import Any

from emulator.core import jsonl
from emulator.core.batch import View
from emulator.core.ids import uuid_id
from emulator.core.outputs import ItemResult
from emulator.core.states import Outcome
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
    kept = {k: v for k, v in body.items() if k != "service_tier"}  # not in the recorded body
    return {**kept, "prompt_filter_results": _prompt_filters(), "choices": choices}


def _filtered(view: View, results: Iterable[ItemResult]) -> Iterator[ItemResult]:
    for result in results:
        if result.body is not None:
            body = with_filters(view.batch.endpoint, result.body)
            result = dataclasses.replace(result, body=body)
        yield result


def request_id(result: ItemResult) -> str:
    """The line's `request_id` as a UUID (recorded `660b7424-b648-4b67-addc-862ba067d442`),
    from the same seeded digest as OpenAI's `req_<hex>`."""
    raw = result.request_id.removeprefix("req_")[:32].ljust(32, "0")
    return str(uuid.UUID(hex=raw, version=4))


def output_line(result: ItemResult) -> dict[str, Any]:
    """OpenAI's line without the top-level `id`, its request id a UUID."""
    line = openai.output_line(result)
    del line["id"]
    if line["response"] is not None:
        line["response"]["request_id"] = request_id(result)
    return line


def render_files(view: View, results: Iterable[ItemResult]) -> tuple[bytes | None, bytes | None]:
    """Output and error files; once the batch started the error file exists even when empty
    (recorded: `error_file_id` set on a completed batch with `failed: 0`)."""
    if view.moment.in_progress_at is None:
        return None, None  # cancelled while validating: no files (as OpenAI)
    good, bad = io.BytesIO(), io.BytesIO()
    for result in _filtered(view, results):
        line = jsonl.line(output_line(result))
        (good if result.outcome is Outcome.SUCCEEDED else bad).write(line)
    return good.getvalue() or None, bad.getvalue()


def file_id(batch_id: str, kind: str) -> str:
    """Generated output and error files are `file-<uuid>` on Azure (batch ids are seeded)."""
    return "file-" + uuid_id("azure", batch_id, kind)
