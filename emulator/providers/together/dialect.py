"""Pure mapping between the core and Together's batch wire format. No I/O, no store access.

Objects follow the `together` 3.x SDK types (`BatchJob`, `BatchCreateResponse`,
`FileResponse`; reference more-providers §4) and what Together printed (fixtures/recorded/
together/): UPPERCASE statuses, ISO-8601 timestamps with microseconds, `progress` 0-100, the
capitalised `Processed`/`FileType`/`LineCount` file keys, `prompt` in chat bodies.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import orjson
from starlette.responses import Response

from emulator.core import jsonsafe
from emulator.core.batch import View
from emulator.core.errors import EmulatorError, ErrorKind, Reason, Wording, reworded
from emulator.core.files import StoredFile
from emulator.core.states import BatchState
from emulator.providers.openai import dialect as openai
from emulator.providers.openai.validation import LineRules

STATUS: dict[BatchState, str] = {
    BatchState.VALIDATING: "VALIDATING",
    BatchState.IN_PROGRESS: "IN_PROGRESS",
    BatchState.FINALIZING: "IN_PROGRESS",  # Together has no finalizing [I]
    BatchState.COMPLETED: "COMPLETED",
    BatchState.FAILED: "FAILED",
    BatchState.EXPIRED: "EXPIRED",
    BatchState.CANCELLING: "CANCELING",  # the 1.x SDK enum's spelling [S]; 3.x dropped it [I]
    BatchState.CANCELLED: "CANCELLED",
}
ENDPOINTS = ("/v1/chat/completions",)  # audio batches (`method: FILE`) are not emulated
PURPOSES = ("fine-tune", "calibration", "eval", "batch-api")
FILE_TYPES = ("jsonl", "parquet", "csv")
MAX_REQUESTS = 50_000  # per batch (docs.together.ai batch limits)
MAX_FILE_BYTES = 100 * 1024 * 1024
# Together serves open models as `<org>/<name>` (e.g. `meta-llama/Llama-3.3-70B-Instruct-Turbo`).
RULES = LineRules(model_ok=lambda name: "/" in name.strip("/"))
# The core's reasons in Together's words [I: messages not documented; 404 for a missing batch
# and 400 for an invalid request are (docs.together.ai batch reference)].
WORDING: dict[Reason, Callable[[dict[str, Any]], Wording]] = {
    Reason.BATCH_NOT_FOUND: lambda f: Wording(f"Batch job {f['batch_id']} not found"),
    Reason.FILE_NOT_FOUND: lambda f: Wording(f"File {f['file_id']} not found"),
    Reason.NOT_CANCELLABLE: lambda f: Wording(
        f"Batch job {f['batch_id']} has already finished.", kind=ErrorKind.INVALID_REQUEST
    ),
}


def render_error(err: EmulatorError, request_id: str) -> Response:
    """OpenAI's `{"error": {message, type, param, code}}` envelope, Together's words [I]."""
    said = reworded(err, WORDING)
    if said is not err:
        said.reason = None  # already worded: OpenAI's renderer must not word it again
    return openai.render_error(said, request_id)


def iso(value: float | None) -> str | None:
    """Microsecond precision, as the recorded `BatchJob`s parsed (`21:14:25.429872`); the `Z`
    suffix is the docs' (`2024-01-15T14:30:00Z`)."""
    if value is None:
        return None
    return datetime.fromtimestamp(value, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def line_count(data: bytes) -> int:
    """Lines (an unterminated last one counts), without splitting: no copy of a 100 MB file."""
    return data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)


def file_to_wire(stored: StoredFile) -> dict[str, Any]:
    """`Processed`, `FileType` and `LineCount` as the API reference's file object shows them
    (docs.together.ai/reference/upload-file); together 2.x requires `Processed` (a bool).
    `Processed` is true once the bytes are in ("whether file has been fully uploaded", the 2.x
    type's docstring); `processing_status` COMPLETED only after preprocess [I]."""
    state = stored.extra.get("together_state", "processed")
    lines = stored.extra.get("line_count")
    return {
        "id": stored.id,
        "object": "file",
        "bytes": stored.size,
        "created_at": int(stored.created_at),
        "filename": stored.filename,
        "purpose": "batch-api" if stored.purpose == "batch_output" else stored.purpose,
        "Processed": state not in ("pending", "receiving"),
        "FileType": str(stored.extra.get("file_type", "jsonl")),
        "LineCount": lines if isinstance(lines, int) else line_count(stored.data),
        "processing_status": "COMPLETED" if state == "processed" else "PENDING",
    }


def batch_to_wire(view: View) -> dict[str, Any]:
    batch, m = view.batch, view.moment
    total = len(batch.items)
    before_start = view.state in (BatchState.VALIDATING, BatchState.FAILED) or view.as_created
    progress = 0.0 if before_start or not total else round(100 * view.done / total, 2)
    ended = m.completed_at or m.failed_at or m.expired_at or m.cancelled_at
    error = "; ".join(e.message for e in batch.errors) if view.state is BatchState.FAILED else None
    return {
        "id": batch.id,
        "user_id": batch.extra.get("user_id"),
        "input_file_id": batch.input_file_id,
        "file_size_bytes": batch.extra.get("file_size_bytes", 0),
        "status": STATUS[view.state],
        "job_deadline": iso(batch.plan.expires_at),
        "created_at": iso(batch.plan.created_at),
        "completed_at": iso(ended),
        "endpoint": batch.endpoint,
        "progress": progress,
        "model_id": batch.model,
        "output_file_id": batch.output_file_id,
        "error_file_id": batch.error_file_id,
        "error": error,
    }


def as_openai_lines(data: bytes, endpoint: str, model: str | None) -> bytes:
    """`{custom_id, body}` lines (Together's form) as the core's OpenAI-form lines.

    Lines that already carry `method`/`url` pass through; a job-level `model_id` fills in a
    body without a model. Anything that is not a JSON object passes through untouched.
    """
    out = []
    for raw in data.split(b"\n"):
        try:
            line = jsonsafe.loads_strict(raw) if raw.strip() else None  # depth-limited
        except ValueError:
            line = None
        if not isinstance(line, dict) or "url" in line or not isinstance(line.get("body"), dict):
            out.append(raw)
            continue
        body = line["body"] if model is None else {"model": model, **line["body"]}
        out.append(orjson.dumps({**line, "method": "POST", "url": endpoint, "body": body}))
    return b"\n".join(out)
