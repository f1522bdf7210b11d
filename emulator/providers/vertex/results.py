"""Vertex's output object: `<outputUriPrefix>/prediction-model-<time>/predictions.jsonl`
(litellm's vertex_ai batches transformation reads that name; reference §2.1).

Each line echoes the input line and adds `response` (succeeded) or `status` (the error, as a
string) [I: the exact line shape is not recorded; the reserved columns `request`, `response`,
`status` come from the Claude-on-Vertex batch doc]. Lines the job never reached are left out.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import orjson

from emulator.core.batch import View
from emulator.core.outputs import ItemResult
from emulator.core.states import BatchState, Outcome
from emulator.providers.vertex.dialect import output_folder


def _line(view: View, result: ItemResult) -> bytes | None:
    batch = view.batch
    others = batch.extra["line_keys"][result.index] or {}
    line: dict[str, Any] = {**others, "request": batch.items[result.index].body}
    if result.outcome is Outcome.SUCCEEDED:
        line["response"] = result.body
    elif result.outcome is Outcome.ERRORED and result.error is not None:
        line["status"] = f"{result.error.message} (code {result.error.status})"
    else:
        return None
    return orjson.dumps(line) + b"\n"


def render_objects(view: View, results: Iterable[ItemResult]) -> list[tuple[str, bytes, str]]:
    if view.state is BatchState.FAILED:
        return []
    lines = [line for line in (_line(view, r) for r in results) if line is not None]
    name = f"{output_folder(view)}/predictions.jsonl"
    return [(name, b"".join(lines), "application/jsonl")]
