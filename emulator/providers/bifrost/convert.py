"""OpenAI chat bodies -> Gemini `GenerateContentRequest`, as Bifrost converts inline items.

Bodies that are already native Gemini (no `messages`) pass through unchanged.
"""

from __future__ import annotations

from typing import Any


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
    return ""


def _generation_config(body: dict[str, Any]) -> dict[str, Any]:
    config: dict[str, Any] = {}
    limit = body.get("max_completion_tokens", body.get("max_tokens"))
    if isinstance(limit, int):
        config["maxOutputTokens"] = limit
    for source, target in (
        ("temperature", "temperature"),
        ("top_p", "topP"),
        ("stop", "stopSequences"),
    ):
        if source in body:
            value = body[source]
            config[target] = (
                [value] if target == "stopSequences" and isinstance(value, str) else value
            )
    return config


def to_gemini(body: dict[str, Any]) -> dict[str, Any]:
    messages = body.get("messages")
    if not isinstance(messages, list):
        return body
    contents: list[dict[str, Any]] = []
    system: list[str] = []
    for message in messages:
        if not isinstance(message, dict):
            continue
        text = _text(message.get("content"))
        role = message.get("role")
        if role in ("system", "developer"):
            system.append(text)
            continue
        contents.append(
            {"role": "model" if role == "assistant" else "user", "parts": [{"text": text}]}
        )
    out: dict[str, Any] = {"contents": contents}
    if system:
        out["systemInstruction"] = {"parts": [{"text": "\n".join(system)}]}
    config = _generation_config(body)
    if config:
        out["generationConfig"] = config
    return out
