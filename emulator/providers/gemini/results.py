"""Gemini's per-item statuses and its batch responses file. Pure (no HTTP): the core calls
`render_files` through the provider's profile the first time it sees a batch finished."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from emulator.core import jsonl
from emulator.core.batch import ItemError, View
from emulator.core.outputs import ItemResult
from emulator.core.states import BatchState, Outcome
from emulator.providers.gemini import wire
from emulator.providers.gemini.codes import BY_HTTP, RPC_CODE

CANCELLED_STATUS = wire.Status(code=1, message="The batch was cancelled.")
EXPIRED_STATUS = wire.Status(
    code=4, message="The batch did not finish within 48 hours and has expired."
)


def item_status(error: ItemError) -> wire.Status:
    name = error.type if error.type in RPC_CODE else BY_HTTP.get(error.status, "INTERNAL")
    return wire.Status(code=RPC_CODE[name], message=error.message)


def result_status(result: ItemResult) -> wire.Status | None:
    if result.outcome is Outcome.SUCCEEDED:
        return None
    if result.outcome is Outcome.ERRORED and result.error is not None:
        return item_status(result.error)
    return EXPIRED_STATUS if result.outcome is Outcome.EXPIRED else CANCELLED_STATUS


def responses_file(results: Iterable[ItemResult], keys: list[str | None]) -> bytes:
    """The JSONL output file: `{"key", "response"}` or `{"key", "error"}`, in input order."""
    out = []
    for result in sorted(results, key=lambda r: r.index):
        line: dict[str, Any] = {}
        key = keys[result.index] if result.index < len(keys) else None
        if key is not None:
            line["key"] = key
        status = result_status(result)
        if status is None:
            line["response"] = result.body
        else:
            line["error"] = status.dump()
        out.append(line)
    return jsonl.lines(out)


def render_files(view: View, results: Iterable[ItemResult]) -> tuple[bytes | None, bytes | None]:
    """One responses file, for a succeeded batch whose input was a file; inline batches
    carry their responses in the operation instead, and Gemini writes no error file."""
    batch = view.batch
    if view.state is not BatchState.COMPLETED or batch.input_file_id is None:
        return None, None
    return responses_file(results, batch.extra.get("keys", [])), None


def output_file_id(batch_id: str) -> str:
    return f"batch-{batch_id}"
