"""Per-endpoint knowledge about result bodies: required keys, where the text lives.

Used to check user-supplied (canned or callable) bodies, and by `echo` to swap in the user's
own words, without each provider dialect learning the other endpoints' shapes.
"""

from __future__ import annotations

from typing import Any

REQUIRED: dict[str, tuple[str, ...]] = {
    "/v1/chat/completions": ("id", "object", "created", "model", "choices"),
    "/v1/completions": ("id", "object", "created", "model", "choices"),
    "/v1/embeddings": ("object", "data", "model", "usage"),
    "/v1/responses": ("id", "object", "created_at", "model", "output"),
    "/v1/moderations": ("id", "model", "results"),
    "anthropic/messages": ("id", "type", "role", "content", "model", "stop_reason", "usage"),
    "gemini/generateContent": ("candidates",),
}
LISTS: dict[str, str] = {
    "/v1/chat/completions": "choices",
    "/v1/completions": "choices",
    "/v1/embeddings": "data",
    "/v1/responses": "output",
    "/v1/moderations": "results",
    "anthropic/messages": "content",
    "gemini/generateContent": "candidates",
}


def check_body(endpoint: str, body: dict[str, Any]) -> str | None:
    """A description of what is wrong with `body` for `endpoint`, or None if it fits."""
    missing = [key for key in REQUIRED.get(endpoint, ()) if key not in body]
    if missing:
        return "missing " + ", ".join(repr(k) for k in missing)
    listed = LISTS.get(endpoint)
    if listed is not None and not isinstance(body[listed], list):
        return f"{listed!r} must be a list"
    return None


def _text_of(content: Any) -> str | None:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = [p.get("text") for p in content if isinstance(p, dict)]
        texts = [p for p in parts if isinstance(p, str)]
        return " ".join(texts) if texts else None
    return None


def last_user_text(endpoint: str, request: dict[str, Any]) -> str | None:
    """The last thing the user said, in any of the request shapes we emulate."""
    if endpoint == "gemini/generateContent":
        turns = [c for c in request.get("contents") or [] if isinstance(c, dict)]
        user = [c for c in turns if c.get("role", "user") == "user"]
        return _text_of(user[-1].get("parts")) if user else None
    if endpoint in ("/v1/completions",):
        prompt = request.get("prompt")
        return prompt if isinstance(prompt, str) else None
    if endpoint == "/v1/responses" and isinstance(request.get("input"), str):
        return str(request["input"])
    messages = request.get("messages") or request.get("input") or []
    user = [m for m in messages if isinstance(m, dict) and m.get("role") == "user"]
    return _text_of(user[-1].get("content")) if user else None


def set_text(endpoint: str, body: dict[str, Any], text: str) -> None:
    """Replace the generated text of `body` with `text` (first choice/part only)."""
    if endpoint == "/v1/chat/completions":
        for choice in body["choices"]:
            if choice["message"].get("content") is not None:  # not on a tool-call choice
                choice["message"]["content"] = text
    elif endpoint == "/v1/completions":
        for choice in body["choices"]:
            choice["text"] = text
    elif endpoint == "/v1/responses":
        for item in body["output"]:
            for part in item.get("content", []):
                if part.get("type") == "output_text":
                    part["text"] = text
    elif endpoint == "anthropic/messages":
        for block in body["content"]:
            if block.get("type") == "text":
                block["text"] = text
    elif endpoint == "gemini/generateContent":
        for candidate in body["candidates"]:
            for part in candidate.get("content", {}).get("parts", []):
                if "text" in part:
                    part["text"] = text


_USAGE_KEYS: dict[str, tuple[str, str, str]] = {
    "/v1/chat/completions": ("usage", "prompt_tokens", "completion_tokens"),
    "/v1/completions": ("usage", "prompt_tokens", "completion_tokens"),
    "/v1/embeddings": ("usage", "prompt_tokens", ""),
    "/v1/responses": ("usage", "input_tokens", "output_tokens"),
    "anthropic/messages": ("usage", "input_tokens", "output_tokens"),
    "gemini/generateContent": ("usageMetadata", "promptTokenCount", "candidatesTokenCount"),
    "bedrock/nova": ("usage", "inputTokens", "outputTokens"),
}


def token_usage(endpoint: str, body: dict[str, Any]) -> tuple[int, int]:
    """(input, output) tokens a result body reports, in whichever provider's spelling."""
    if endpoint == "bedrock/llama":  # Llama reports its counts at the top level
        return _int(body.get("prompt_token_count")), _int(body.get("generation_token_count"))
    where, tokens_in, tokens_out = _USAGE_KEYS.get(endpoint, ("usage", "", ""))
    used = body.get(where)
    if not isinstance(used, dict):
        return 0, 0
    return _int(used.get(tokens_in)), _int(used.get(tokens_out))


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0
