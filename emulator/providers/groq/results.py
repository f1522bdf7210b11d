"""Groq's batch output and error files: OpenAI's lines, with Groq's chat-body additions.

Pure (no HTTP): the core calls `render_files` through the provider's profile. Groq's
chat.completion type adds `x_groq` and per-phase times in `usage` (groq SDK types; reference
more-providers §2.2) [I: the line shape, as the API is OpenAI-compatible].
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from typing import Any

from emulator.core.batch import View
from emulator.core.outputs import ItemResult
from emulator.providers.openai import results as openai


def with_groq_fields(body: dict[str, Any], request_id: str) -> dict[str, Any]:
    """A chat body as Groq returns it: `x_groq.id` and per-phase times in `usage` [S types]."""
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
    return {**body, "usage": usage, "x_groq": {"id": request_id}, "service_tier": "on_demand"}


def _groq(results: Iterable[ItemResult]) -> Iterator[ItemResult]:
    for result in results:
        if result.body is not None and "choices" in result.body:
            result = dataclasses.replace(
                result, body=with_groq_fields(result.body, result.request_id)
            )
        yield result


def render_files(view: View, results: Iterable[ItemResult]) -> tuple[bytes | None, bytes | None]:
    return openai.render_files(view, _groq(results))
