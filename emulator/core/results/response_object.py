"""The recorded keys of a `/v1/responses` Response object that the generator does not derive.

Recorded from api.openai.com (openai/openai-dotnet tests/SessionRecords/ResponsesTests, e.g.
SingleResponseInstruction.json, 2026-02): `background`, `billing`, `frequency_penalty`,
`max_tool_calls`, `presence_penalty`, `prompt_cache_key`, `prompt_cache_retention`,
`safety_identifier`, `service_tier`, `top_logprobs`, and `text.verbosity`; sampling settings are
echoed as sent (1.0 when absent). Batch results are not stored for later retrieval, so they say
`store: false` whatever the request asked.
"""

from __future__ import annotations

from typing import Any


def _number(body: dict[str, Any], key: str, default: float) -> float:
    value = body.get(key)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return default


def _optional(body: dict[str, Any], key: str, kind: type) -> Any:
    value = body.get(key)
    return value if isinstance(value, kind) and not isinstance(value, bool) else None


def recorded_fields(body: dict[str, Any], text: dict[str, Any]) -> dict[str, Any]:
    """The keys to merge into a generated Response; `text` is the echoed `text` object."""
    sent_text = body.get("text")
    verbosity = sent_text.get("verbosity") if isinstance(sent_text, dict) else None
    tier = body.get("service_tier")
    return {
        "background": False,
        "billing": {"payer": "developer"},
        "frequency_penalty": _number(body, "frequency_penalty", 0.0),
        "max_tool_calls": _optional(body, "max_tool_calls", int),
        "presence_penalty": _number(body, "presence_penalty", 0.0),
        "prompt_cache_key": _optional(body, "prompt_cache_key", str),
        "prompt_cache_retention": _optional(body, "prompt_cache_retention", str),
        "safety_identifier": _optional(body, "safety_identifier", str),
        "service_tier": tier if tier in ("default", "flex", "priority", "scale") else "default",
        "store": False,
        "temperature": _number(body, "temperature", 1.0),
        "text": {
            **text,
            "verbosity": verbosity if verbosity in ("low", "medium", "high") else "medium",
        },
        "top_logprobs": _optional(body, "top_logprobs", int) or 0,
        "top_p": _number(body, "top_p", 1.0),
    }
