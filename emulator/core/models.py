"""Which model names the emulator treats as real, and facts about them.

The real batch service rejects unknown models (`model_not_found`); a contract-testing tool must
too. Known names are recognised by family prefix so new snapshots keep working.
"""

from __future__ import annotations

KNOWN_PREFIXES = (
    "gpt-",
    "o1",
    "o3",
    "o4",
    "chatgpt-",
    "text-embedding-",
    "text-moderation",
    "omni-moderation",
    "davinci-",
    "babbage-",
    "computer-use-",
    "codex-",
    "claude-",
    "gemini-",
    "models/gemini-",
    "text-embedding-004",
    "embedding-",
    "gemini-embedding-",
)

EMBEDDING_DIMS = {
    "text-embedding-3-small": 1536,
    "text-embedding-3-large": 3072,
    "text-embedding-ada-002": 1536,
}


def is_known_model(name: str) -> bool:
    return name.startswith(KNOWN_PREFIXES)


def embedding_dims(model: str, requested: object) -> int:
    if isinstance(requested, int) and not isinstance(requested, bool) and requested > 0:
        return requested
    return EMBEDDING_DIMS.get(model, 1536)
