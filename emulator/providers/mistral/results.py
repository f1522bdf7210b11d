"""Mistral's batch output and error files. Pure (no HTTP): the core calls `render_files`
through the provider's profile.

Lines are `{id, custom_id, response{status_code, body}, error}`: the SDK's own parser
(`mistralai.extra.batch.BatchOutput`) reads a non-null `error` or a `status_code >= 400` as a
failed request and validates `body` as the endpoint's response type (reference §3.4).
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterable
from typing import Any

import orjson

from emulator.core.batch import View
from emulator.core.ids import uuid_id
from emulator.core.outputs import ItemResult
from emulator.core.states import Outcome
from emulator.providers.mistral import wire

OPENAI_ONLY = ("system_fingerprint", "service_tier")


CHOICE_KEYS = ("index", "finish_reason", "message")
MESSAGE_KEYS = ("role", "content", "tool_calls")


def _message(message: dict[str, Any]) -> dict[str, Any]:
    """`{role, content, tool_calls}`, `tool_calls` null when there are none (recorded)."""
    return {k: message.get(k) for k in MESSAGE_KEYS}


def chat_body(body: dict[str, Any], line_key: bytes) -> dict[str, Any]:
    """A chat body as recorded (mistralai/cookbook batch_api_example.ipynb): keys `id` (32
    hex), `object`, `model`, `usage` (three counts), `created`, `choices`; each choice
    `{index, finish_reason, message}`; OpenAI-only keys dropped."""
    out = {k: v for k, v in body.items() if k not in OPENAI_ONLY}
    out["id"] = line_key.hex()
    usage = out.get("usage")
    if isinstance(usage, dict):
        out["usage"] = {
            k: usage[k]
            for k in ("prompt_tokens", "completion_tokens", "total_tokens")
            if k in usage
        }
    out["choices"] = [
        {**{k: choice.get(k) for k in CHOICE_KEYS}, "message": _message(choice.get("message", {}))}
        for choice in out.get("choices", [])
    ]
    return out


def embedding_body(body: dict[str, Any], request_id: str) -> dict[str, Any]:
    """Mistral's `EmbeddingResponse` requires an `id` (OpenAI's embedding body has none)."""
    return {"id": "embd-" + request_id.removeprefix("req_"), **body}


def line_id(result: ItemResult) -> str:
    """`0-<uuid>`, as every recorded line id (`0-61c18c3c-1873-4288-9f92-af97f696fb2c`)
    [I: what the leading `0` counts; both recorded lines of one job carry it]."""
    return "0-" + str(uuid.UUID(bytes=_key(result), version=4))


def _key(result: ItemResult) -> bytes:
    return bytes.fromhex(result.line_id.removeprefix("batch_req_")[:32].ljust(32, "0"))


def output_line(result: ItemResult, endpoint: str) -> dict[str, Any]:
    """`{id, custom_id, response{status_code, body}, error}` (reference §3.4, SDK parser;
    recorded in mistralai/cookbook)."""
    line: dict[str, Any] = {"id": line_id(result), "custom_id": result.custom_id}
    if result.outcome is Outcome.SUCCEEDED and result.body is not None:
        body = result.body
        if endpoint == "/v1/chat/completions":
            body = chat_body(body, bytes.fromhex(result.request_id.removeprefix("req_")))
        elif endpoint == "/v1/embeddings":
            body = embedding_body(body, result.request_id)
        line.update(response={"status_code": 200, "body": body}, error=None)
    elif result.outcome is Outcome.ERRORED and result.error is not None:
        e = result.error
        error = wire.ErrorBody(message=e.message, type=e.type, param=e.param, code=e.code)
        line.update(response={"status_code": e.status, "body": error.model_dump()}, error=None)
    else:
        reason = "timeout_exceeded" if result.outcome is Outcome.EXPIRED else "cancelled"
        message = (
            "The request was not executed before the job's timeout."
            if result.outcome is Outcome.EXPIRED
            else "The request was not executed because the job was cancelled."
        )
        line.update(response=None, error={"message": message, "code": reason})
    return line


def render_files(view: View, results: Iterable[ItemResult]) -> tuple[bytes | None, bytes | None]:
    good, bad = io.BytesIO(), io.BytesIO()
    endpoint = view.batch.endpoint
    for result in results:
        line = orjson.dumps(output_line(result, endpoint), option=orjson.OPT_APPEND_NEWLINE)
        (good if result.outcome is Outcome.SUCCEEDED else bad).write(line)
    return good.getvalue() or None, bad.getvalue() or None


def file_id(batch_id: str, kind: str) -> str:
    """Mistral ids are UUIDs (batch ids are seeded, so these are too)."""
    return uuid_id("mistral", batch_id, kind)
