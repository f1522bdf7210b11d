"""Together's batch output and error files. Pure (no HTTP): the core calls `render_files`
through the provider's profile.

Output lines as recorded (together-cookbook Batch_Inference_Evals.ipynb read 4,326 of them
back into a table: columns `id`, `custom_id`, `response`, and `response` = `{status_code,
body}`): no `error` key and no `request_id`, unlike OpenAI's; line ids `br_` + 43 base64url
characters. Error-file lines keep OpenAI's `{id, custom_id, response, error}` [I: no error
line is printed anywhere]. Successes only in the output file, failures in the error file
(docs), and every COMPLETED batch recorded has an `error_file_id` (three of three,
fixtures/recorded/together/cookbook_batches.json), so one is made even when nothing failed.
"""

from __future__ import annotations

import base64
import dataclasses
import io
from collections.abc import Iterable, Iterator
from typing import Any

from emulator.core import jsonl
from emulator.core.batch import View
from emulator.core.ids import digest
from emulator.core.outputs import ItemResult
from emulator.core.states import BatchState, Outcome
from emulator.providers.openai import results as openai
from emulator.providers.together.identity import uuid4


def line_id(core_id: str) -> str:
    """`br_` and 32 seeded bytes in unpadded base64url (`br_bJdmq2ZaOJVtnquDCyMUaZBX…`)."""
    return "br_" + base64.urlsafe_b64encode(digest("together", core_id, size=32)).decode()[:43]


def file_id(batch_id: str, kind: str) -> str:
    """`file-` and a UUID, like every Together file id recorded (`file-94924b8e-ac08-…`)."""
    return "file-" + uuid4(batch_id, kind)


def _together(results: Iterable[ItemResult]) -> Iterator[ItemResult]:
    """Chat bodies carry `prompt` (a list; the SDK type requires it) [S]."""
    for result in results:
        body = result.body
        if body is not None and "choices" in body:
            body = {"prompt": [], **body}
        yield dataclasses.replace(result, body=body, line_id=line_id(result.line_id))


def output_line(result: ItemResult) -> dict[str, Any]:
    """A success as recorded (`{id, custom_id, response{status_code, body}}`); anything else
    in OpenAI's error-file shape."""
    if result.outcome is Outcome.SUCCEEDED:
        response = {"status_code": 200, "body": result.body}
        return {"id": result.line_id, "custom_id": result.custom_id, "response": response}
    return openai.output_line(result)


def render_files(view: View, results: Iterable[ItemResult]) -> tuple[bytes | None, bytes | None]:
    """As OpenAI's renderer (nothing for a batch cancelled before it ran), in Together's lines;
    the error file of a COMPLETED batch exists even when empty."""
    if view.moment.in_progress_at is None:
        return None, None
    good, bad = io.BytesIO(), io.BytesIO()
    for result in _together(results):
        out = good if result.outcome is Outcome.SUCCEEDED else bad
        out.write(jsonl.line(output_line(result)))
    errors = bad.getvalue()
    keep_errors = bool(errors) or view.state is BatchState.COMPLETED
    return good.getvalue() or None, errors if keep_errors else None
