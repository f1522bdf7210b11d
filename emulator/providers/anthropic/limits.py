"""Published per-model output ceilings for `max_tokens`, and the snapshot each alias names.

Source: Anthropic's models overview, "Max output" row
(https://platform.claude.com/docs/en/about-claude/models/overview): Opus 4.5, Sonnet 4.5,
Haiku 4.5, Sonnet 4 and Sonnet 3.7 allow 64,000; Opus 4.1 and Opus 4 allow 32,000; Haiku 3.5
and Sonnet 3.5 allow 8,192; Haiku 3 and Opus 3 allow 4,096. A model not listed here has no
ceiling checked (a newer model must not be refused by a stale table).

Above the ceiling the real service answers an `errored` result (recorded in a live capture,
2026-09-02): `max_tokens: 100000 > 64000, which is the maximum allowed number of output tokens
for claude-haiku-4-5-20251001`. The message names the dated snapshot the alias resolved to.
"""

from __future__ import annotations

from emulator.core.models import snapshot

MAX_OUTPUT = {
    "claude-opus-4-5-20251101": 64_000,
    "claude-sonnet-4-5-20250929": 64_000,
    "claude-haiku-4-5-20251001": 64_000,
    "claude-opus-4-1-20250805": 32_000,
    "claude-opus-4-20250514": 32_000,
    "claude-sonnet-4-20250514": 64_000,
    "claude-3-7-sonnet-20250219": 64_000,
    "claude-3-5-haiku-20241022": 8_192,
    "claude-3-5-sonnet-20241022": 8_192,
    "claude-3-5-sonnet-20240620": 8_192,
    "claude-3-haiku-20240307": 4_096,
    "claude-3-opus-20240229": 4_096,
}


def over_ceiling(model: str, max_tokens: int) -> str | None:
    """The real error message when `max_tokens` exceeds the model's ceiling, else None."""
    name = snapshot(model) or model
    ceiling = MAX_OUTPUT.get(name)
    if ceiling is None or max_tokens <= ceiling:
        return None
    return (
        f"max_tokens: {max_tokens} > {ceiling}, which is the maximum allowed number of output "
        f"tokens for {name}"
    )
