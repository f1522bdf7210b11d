"""Seeded identifiers and per-item randomness.

Every random choice derives from the emulator seed plus stable names, never from call order
between threads, so a reset emulator given the same calls answers with the same bytes.
"""

from __future__ import annotations

import hashlib
import random
import threading
import uuid

_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def digest(*parts: object, size: int = 16) -> bytes:
    return hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=size).digest()


def rng_for(*parts: object) -> random.Random:
    return random.Random(int.from_bytes(digest(*parts), "big"))


def hex_id(*parts: object, length: int = 32) -> str:
    return digest(*parts).hex()[:length]


_BASE62 = bytes(ord(_ALPHABET[b % 62]) for b in range(256))


def base62_from(raw: bytes) -> str:
    """Bytes that are already a digest, as base62 text, one character per byte."""
    return raw.translate(_BASE62).decode()


def base62_id(*parts: object, length: int = 24) -> str:
    # One digest byte per character through a translate table: the tiny modulo bias is
    # irrelevant for fake ids, and it is far cheaper than big-integer division on the hot path.
    return digest(*parts, size=max(length, 16)).translate(_BASE62)[:length].decode()


def uuid_id(*parts: object) -> str:
    """A seeded UUID, for providers whose ids are UUIDs (Mistral, Together, Azure's files)."""
    return str(uuid.UUID(bytes=digest(*parts)))


class IdSource:
    """Counter-based ids: the n-th id of a kind is the same after every reset."""

    def __init__(self, seed: int) -> None:
        self._seed = seed
        self._counts: dict[str, int] = {}
        self._lock = threading.Lock()

    def next(self, kind: str) -> str:
        with self._lock:
            n = self._counts.get(kind, 0) + 1
            self._counts[kind] = n
        return base62_id(self._seed, kind, n)

    def reset(self, seed: int) -> None:
        with self._lock:
            self._seed = seed
            self._counts.clear()
