"""Bedrock's output objects: `<input file>.out` per input file and `manifest.json.out`, under
`<output s3Uri>/<job id>/` (AWS batch-inference-results page; the job-id folder as LocalStack
writes it, localstack/docs PR #1586).

Each output line is `{"recordId", "modelInput", "modelOutput"}`, or `"error": {"errorCode",
"errorMessage"}` instead of `modelOutput` for a failed record. Records the job never reached
(stopped or out of time) are left out [I].
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import orjson

from emulator.core.batch import View
from emulator.core.outputs import ItemResult
from emulator.core.results.shapes import token_usage
from emulator.core.states import BatchState, Outcome


def _line(view: View, result: ItemResult) -> bytes | None:
    item = view.batch.items[result.index]
    line: dict[str, Any] = {"recordId": result.custom_id, "modelInput": item.body}
    if result.outcome is Outcome.SUCCEEDED:
        line["modelOutput"] = result.body
    elif result.outcome is Outcome.ERRORED and result.error is not None:
        line["error"] = {"errorCode": result.error.status, "errorMessage": result.error.message}
    else:
        return None
    return orjson.dumps(line) + b"\n"


def render_objects(view: View, results: Iterable[ItemResult]) -> list[tuple[str, bytes, str]]:
    batch = view.batch
    if view.state is BatchState.FAILED:
        return []
    files: list[tuple[str, int]] = batch.extra.get("inputs", [])
    starts, at = [], 0
    for _, count in files:
        starts.append(at)
        at += count
    chunks: list[list[bytes]] = [[] for _ in files]
    tokens_in = tokens_out = ok = bad = 0
    for result in results:
        line = _line(view, result)
        if line is None:
            continue
        which = max(i for i, start in enumerate(starts) if start <= result.index)
        chunks[which].append(line)
        if result.body is not None:
            used = token_usage(batch.endpoint, result.body)
            tokens_in, tokens_out, ok = tokens_in + used[0], tokens_out + used[1], ok + 1
        else:
            bad += 1
    folder = batch.id + "/"
    out = [
        (folder + name + ".out", b"".join(chunks[i]), "application/jsonl")
        for i, (name, _) in enumerate(files)
    ]
    manifest = {
        "totalRecordCount": len(batch.items),
        "processedRecordCount": ok + bad,
        "successRecordCount": ok,
        "errorRecordCount": bad,
        "inputTokenCount": tokens_in,
        "outputTokenCount": tokens_out,
    }
    out.append((folder + "manifest.json.out", orjson.dumps(manifest), "application/json"))
    return out
