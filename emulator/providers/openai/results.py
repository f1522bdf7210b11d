"""OpenAI's batch output and error files, line by line. Pure (no HTTP): the core calls
`render_files` through the provider's profile the first time it sees a batch finished."""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from emulator.core import jsonl
from emulator.core.batch import ItemError, View
from emulator.core.outputs import ItemResult
from emulator.core.states import Outcome

EXPIRED_LINE = {
    "code": "batch_expired",
    "message": "This request could not be executed before the completion window expired.",
}
CANCELLED_LINE = {
    "code": "batch_cancelled",
    "message": "This request was not executed because the batch was cancelled.",
}


def error_body(error: ItemError) -> dict[str, Any]:
    return {
        "error": {
            "message": error.message,
            "type": error.type,
            "param": error.param,
            "code": error.code,
        }
    }


def output_line(result: ItemResult) -> dict[str, Any]:
    """One line of the output or error file, `BatchRequestOutput` shape."""
    line: dict[str, Any] = {"id": result.line_id, "custom_id": result.custom_id}
    if result.outcome is Outcome.SUCCEEDED:
        line["response"] = {
            "status_code": 200,
            "request_id": result.request_id,
            "body": result.body,
        }
        line["error"] = None
    elif result.outcome is Outcome.ERRORED and result.error is not None:
        line["response"] = {
            "status_code": result.error.status,
            "request_id": result.request_id,
            "body": error_body(result.error),
        }
        line["error"] = None
    else:
        line["response"] = None
        line["error"] = EXPIRED_LINE if result.outcome is Outcome.EXPIRED else CANCELLED_LINE
    return line


def render_files(view: View, results: Iterable[ItemResult]) -> tuple[bytes | None, bytes | None]:
    """Output file (successes) and error file (everything else); None when it would be empty.

    Lines are encoded as they stream past, so only the bytes are ever held, not the dicts.
    """
    good, bad = io.BytesIO(), io.BytesIO()
    for result in results:
        line = jsonl.line(output_line(result))
        (good if result.outcome is Outcome.SUCCEEDED else bad).write(line)
    # getvalue() hands over BytesIO's own buffer when nothing else holds it: no 45 MB copy.
    return good.getvalue() or None, bad.getvalue() or None
