"""Groq's batch output and error files: OpenAI's lines, with Groq's ids and chat bodies.

Pure (no HTTP): the core calls `render_files` through the provider's profile. Recorded
(fixtures/recorded/groq/batch_output.json, cho-groq/batch-processing): a line is
`{id: batch_req_out_<ulid>, custom_id, response{status_code, request_id: req_<ulid>, body},
error}`; the chat body is `chatcmpl-<uuid>` with `x_groq.id` equal to the line's request id,
per-phase times in `usage`, and a message of `role` and `content` only.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from typing import Any

from emulator.core.batch import View
from emulator.core.ids import digest, uuid_id
from emulator.core.idshapes import ulid_shape
from emulator.core.outputs import ItemResult
from emulator.providers.openai import results as openai

MESSAGE_KEYS = ("role", "content", "tool_calls")


def ulid_id(prefix: str, seeded: str) -> str:
    """`<prefix><ulid>` from a seeded id of the core's (`batch_req_<hex>`, `req_<hex>`)."""
    return prefix + ulid_shape(digest(seeded, size=24))


def _message(message: dict[str, Any]) -> dict[str, Any]:
    """`{role, content}` as recorded; `tool_calls` kept when the model called tools."""
    return {k: message.get(k) for k in MESSAGE_KEYS if k != "tool_calls" or message.get(k)}


def with_groq_fields(body: dict[str, Any], request_id: str) -> dict[str, Any]:
    """A chat body as Groq returns it: `chatcmpl-<uuid>`, `x_groq.id`, per-phase times in
    `usage`, no OpenAI-only keys (recorded)."""
    usage = dict(body.get("usage") or {})
    out = int(usage.get("completion_tokens", 0) or 0)
    prompt = int(usage.get("prompt_tokens", 0) or 0)
    usage.update(
        queue_time=0.01,
        prompt_time=round(prompt / 20_000, 6),
        completion_time=round(out / 500, 6),
    )
    usage["total_time"] = round(usage["prompt_time"] + usage["completion_time"], 6)
    for key in ("prompt_tokens_details", "completion_tokens_details"):
        usage.pop(key, None)
    choices = [{**c, "message": _message(c.get("message", {}))} for c in body.get("choices", [])]
    kept = {k: v for k, v in body.items() if k not in ("service_tier", "choices", "usage")}
    return {
        **kept,
        "id": "chatcmpl-" + uuid_id(request_id),
        "choices": choices,
        "usage": usage,
        "x_groq": {"id": request_id},
    }


def _groq(results: Iterable[ItemResult]) -> Iterator[ItemResult]:
    for result in results:
        request_id = ulid_id("req_", result.request_id)
        body = result.body
        if body is not None and "choices" in body:
            body = with_groq_fields(body, request_id)
        yield dataclasses.replace(
            result,
            body=body,
            line_id=ulid_id("batch_req_out_", result.line_id),
            request_id=request_id,
        )


def render_files(view: View, results: Iterable[ItemResult]) -> tuple[bytes | None, bytes | None]:
    return openai.render_files(view, _groq(results))


def file_id(batch_id: str, kind: str) -> str:
    """Generated files are `file_<ulid>` like uploads (recorded output_file_id
    `file_01jpthh1e3e739wba761nfgvj2`)."""
    return ulid_id("file_", f"{batch_id}/{kind}")
