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
    picked = [rng.choice(_WORDS) for _ in range(max(1, words))]
    return " ".join(picked).capitalize() + "."


def estimate_tokens(value: Any) -> int:
    """About four characters per token over the JSON text of the value (documented estimate)."""
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    return max(1, math.ceil(len(text) / 4))


def reply(rng: random.Random, limit: int | None) -> tuple[str, int, bool]:
    """A reply and its token count; truncated to `limit` tokens (one word each) if reached."""
    wanted = rng.randint(8, 40)
    if limit is not None and limit < wanted:
        return " ".join(rng.choice(_WORDS) for _ in range(max(limit, 0))), max(limit, 0), True
    words = sentence(rng, wanted)
    return words, wanted, False
