"""What a generator gets, and the small text helpers every generator shares."""

from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass
from typing import Any

_TEXT = (
    "the quick model answers every batched request with calm plausible text so tests can "
    "parse check count and compare results without calling a real provider at all"
)
_WORDS = tuple(_TEXT.split())


@dataclass(frozen=True)
class GenContext:
    endpoint: str
    body: dict[str, Any]
    rng: random.Random
    custom_id: str
    batch_id: str
    model: str
    created: int
    seed: int


def sentence(rng: random.Random, words: int) -> str:
    # One `choices` call, not one `choice` per word: this is the results hot path.
    return " ".join(rng.choices(_WORDS, k=max(1, words))).capitalize() + "."


def _chars(value: Any) -> int:
    """Characters of text in a request value: strings count, structure costs a little."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, dict):
        return sum(_chars(v) + 2 for v in value.values())
    if isinstance(value, list):
        return sum(_chars(v) + 1 for v in value)
    return len(json.dumps(value)) if value is not None else 0


def estimate_tokens(value: Any) -> int:
    """About four characters of text per token, over every string in the value, at least 1.

    The documented estimate: strings anywhere in the request (message contents, role names,
    tool schemas) count by length, and each JSON container element adds one or two characters.
    """
    return max(1, math.ceil(_chars(value) / 4))


def reply(rng: random.Random, limit: int | None) -> tuple[str, int, bool]:
    """A reply and its token count; truncated to `limit` tokens (one word each) if reached."""
    wanted = rng.randint(8, 40)
    if limit is not None and limit < wanted:
        return " ".join(rng.choices(_WORDS, k=max(limit, 0))), max(limit, 0), True
    words = sentence(rng, wanted)
    return words, wanted, False


def words(rng: random.Random, count: int) -> str:
    """Exactly `count` tokens of text (one word each): a reply cut at a token limit."""
    return " ".join(rng.choices(_WORDS, k=max(count, 0)))
