"""What a generator gets, and the small text helpers every generator shares."""

from __future__ import annotations

import hashlib
import json
import math
import random
from typing import Any

_TEXT = (
    "the quick model answers every batched request with calm plausible text so tests can "
    "parse check count and compare results without calling a real provider at all"
)
_WORDS = tuple(_TEXT.split())
_BY_BYTE = tuple(_WORDS[b % len(_WORDS)] for b in range(256))  # a digest byte -> its word


class GenContext:
    """What a generator gets for one item.

    `rng` is made on first use from `key` (the item's seeded digest): seeding a Mersenne
    Twister costs more than the rest of a plain chat body, and the plain path never needs one
    (`quick_reply` draws its words from the digest instead). Tests may pass `rng` directly.
    """

    __slots__ = (
        "_rng",
        "batch_id",
        "body",
        "created",
        "custom_id",
        "endpoint",
        "key",
        "model",
        "seed",
    )

    def __init__(
        self,
        endpoint: str,
        body: dict[str, Any],
        custom_id: str,
        batch_id: str,
        model: str,
        created: int,
        seed: int,
        rng: random.Random | None = None,
        key: bytes | None = None,
    ) -> None:
        self.endpoint, self.body, self.custom_id, self.batch_id = (
            endpoint,
            body,
            custom_id,
            batch_id,
        )
        self.model, self.created, self.seed = model, created, seed
        self._rng, self.key = rng, key

    @property
    def rng(self) -> random.Random:
        if self._rng is None:
            key = (
                self.key
                or hashlib.blake2b(
                    f"{self.seed}\x1f{self.batch_id}\x1f{self.custom_id}".encode(), digest_size=16
                ).digest()
            )
            self._rng = random.Random(int.from_bytes(key[:16], "big"))
        return self._rng


def sentence(rng: random.Random, words: int) -> str:
    # One `choices` call, not one `choice` per word: this is the results hot path.
    return " ".join(rng.choices(_WORDS, k=max(1, words))).capitalize() + "."


def _chars(value: Any) -> int:
    """Characters of text in a request value: strings count, structure costs a little."""
    kind = type(value)
    if kind is str:
        return len(value)
    if kind is dict:
        total = 0
        for item in value.values():  # a loop, not sum(genexpr): this runs for every result
            total += (len(item) if type(item) is str else _chars(item)) + 2
        return total
    if kind is list:
        total = 0
        for item in value:
            total += (len(item) if type(item) is str else _chars(item)) + 1
        return total
    if isinstance(value, str):  # subclasses: the same rule, the slow way
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


def quick_reply(ctx: GenContext, limit: int | None) -> tuple[str, int, bool]:
    """`reply` for the hot path: the words come from a digest of the item key, not an rng."""
    if ctx.key is None or ctx._rng is not None:
        return reply(ctx.rng, limit)
    pool = hashlib.blake2b(ctx.key, digest_size=64).digest()
    wanted = 8 + pool[0] % 33
    picked = list(map(_BY_BYTE.__getitem__, pool[1 : wanted + 1]))
    if limit is not None and limit < wanted:
        return " ".join(picked[: max(limit, 0)]), max(limit, 0), True
    return " ".join(picked).capitalize() + ".", wanted, False


def words(rng: random.Random, count: int) -> str:
    """Exactly `count` tokens of text (one word each): a reply cut at a token limit."""
    return " ".join(rng.choices(_WORDS, k=max(count, 0)))
