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
    "embedding-",
)

EMBEDDING_DIMS = {
    "text-embedding-3-small": 1536,
    "text-embedding-3-large": 3072,
    "text-embedding-ada-002": 1536,
}

# The real service reports the dated snapshot an alias resolved to (batch `model`, and the
# `model` of every result body); unlisted names are reported as given.
SNAPSHOTS = {
    "gpt-3.5-turbo": "gpt-3.5-turbo-0125",
    "gpt-4o": "gpt-4o-2024-08-06",
    "gpt-4o-mini": "gpt-4o-mini-2024-07-18",
    "gpt-4.1": "gpt-4.1-2025-04-14",
    "gpt-4.1-mini": "gpt-4.1-mini-2025-04-14",
    "gpt-4.1-nano": "gpt-4.1-nano-2025-04-14",
    "gpt-5": "gpt-5-2025-08-07",
    "gpt-5-mini": "gpt-5-mini-2025-08-07",
    "gpt-5-nano": "gpt-5-nano-2025-08-07",
    "o3-mini": "o3-mini-2025-01-31",
    "o4-mini": "o4-mini-2025-04-16",
    # Anthropic answers with the dated snapshot an alias names (a live capture: requested
    # `claude-haiku-4-5`, message.model `claude-haiku-4-5-20251001`); aliases per Anthropic's
    # models overview. A model with no dated alias (e.g. claude-sonnet-4-6) is echoed.
    "claude-opus-4-5": "claude-opus-4-5-20251101",
    "claude-sonnet-4-5": "claude-sonnet-4-5-20250929",
    "claude-haiku-4-5": "claude-haiku-4-5-20251001",
    "claude-opus-4-1": "claude-opus-4-1-20250805",
    "claude-opus-4-0": "claude-opus-4-20250514",
    "claude-sonnet-4-0": "claude-sonnet-4-20250514",
    "claude-3-7-sonnet-latest": "claude-3-7-sonnet-20250219",
    "claude-3-5-haiku-latest": "claude-3-5-haiku-20241022",
    "claude-3-5-sonnet-latest": "claude-3-5-sonnet-20241022",
}


def is_known_model(name: str) -> bool:
    """A known family, or a fine-tuned one (`ft:gpt-4o-mini-2024-07-18:org::id`): OpenAI
    runs batches on fine-tuned models, named `ft:<base model>:<org>:<suffix>:<id>`."""
    if name.startswith("ft:"):
        base = name[3:].split(":", 1)[0]
        return bool(base) and base.startswith(KNOWN_PREFIXES)
    return name.startswith(KNOWN_PREFIXES)


def snapshot(name: str | None) -> str | None:
    return None if name is None else SNAPSHOTS.get(name, name)


def embedding_dims(model: str, requested: object) -> int:
    """`dimensions` when given (3-series shortening), else the model's native size."""
    if isinstance(requested, int) and not isinstance(requested, bool) and requested > 0:
        return requested
    return EMBEDDING_DIMS.get(model, 1536)
