"""Seeded identifiers and per-item randomness.

Every random choice derives from the emulator seed plus stable names, never from call order
between threads, so a reset emulator given the same calls answers with the same bytes.
"""

from __future__ import annotations

import hashlib
import random
import threading
import uuid
from collections.abc import Callable

_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def digest(*parts: object, size: int = 16) -> bytes:
    return hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=size).digest()


def rng_for(*parts: object) -> random.Random:
    return random.Random(int.from_bytes(digest(*parts), "big"))


def hex_id(*parts: object, length: int = 32) -> str:
    return digest(*parts, size=max(16, (length + 1) // 2)).hex()[:length]


_BASE62 = bytes(ord(_ALPHABET[b % 62]) for b in range(256))


def base62_from(raw: bytes) -> str:
    """Bytes that are already a digest, as base62 text, one character per byte."""
    return raw.translate(_BASE62).decode()


ID_LENGTH = 24  # characters in a base62 id (one per digest byte)


def base62_id(*parts: object, length: int = ID_LENGTH) -> str:
    # One digest byte per character through a translate table: the tiny modulo bias is
    # irrelevant for fake ids, and it is far cheaper than big-integer division on the hot path.
    return digest(*parts, size=max(length, 16)).translate(_BASE62)[:length].decode()


def uuid_id(*parts: object) -> str:
    """A seeded version-4 UUID, for providers whose ids are UUIDs (Mistral, Together, Azure):
    every recorded one is v4 (`5befe8c6-b8cb-4858-a068-...`, `6caaf24d-54a5-46be-b1b7-...`)."""
    return str(uuid.UUID(bytes=digest(*parts), version=4))


class IdSource:
    """Counter-based ids under a (seed, namespace) key.

    The n-th id of a kind depends only on the key, so an explicit reseed (`reset(seed=...)`,
    or a namespace such as a pytest node id) replays exactly. A plain reset keeps counting, so
    within one emulator an id is never handed out twice: real ids are never reused, and
    clients key durable state on them (a job manifest with a UNIQUE column, say).
    """

    def __init__(self, seed: int, namespace: str = "") -> None:
        self._seed = seed
        self._namespace = namespace
        self._counts: dict[str, int] = {}
        self._prefixes: dict[str, hashlib.blake2b] = {}  # kind -> hash state of its id prefix
        self._lock = threading.Lock()
        # Persistence (`serve --state`): called with (seed, namespace, kind, count) before a
        # count passes the last reserved one, so a restart resumes past every id handed out.
        self.on_reserve: Callable[[int, str, str, int], int] | None = None
        self._reserved: dict[str, int] = {}

    def _count(self, kind: str) -> int:
        with self._lock:
            return self._bump(kind)

    def _bump(self, kind: str) -> int:
        """The next count of `kind`; the caller holds the lock."""
        n = self._counts.get(kind, 0) + 1
        self._counts[kind] = n
        if self.on_reserve is not None and n > self._reserved.get(kind, 0):
            self._reserved[kind] = self.on_reserve(self._seed, self._namespace, kind, n)
        return n

    def next(self, kind: str) -> str:
        """base62_id(seed, namespace, kind, n), from a hash state of the fixed prefix kept
        per kind: every request takes a request id, and this halves its cost."""
        with self._lock:
            n = self._bump(kind)
            state = self._prefixes.get(kind)
            if state is None:
                prefix = "\x1f".join(map(str, (self._seed, self._namespace, kind, ""))).encode()
                state = hashlib.blake2b(prefix, digest_size=ID_LENGTH)
                self._prefixes[kind] = state
            hasher = state.copy()
        hasher.update(str(n).encode())
        return base62_from(hasher.digest())

    def raw(self, kind: str, size: int = 32) -> bytes:
        """The next id of `kind` as digest bytes, for callers that shape it themselves."""
        return digest(self._seed, self._namespace, kind, self._count(kind), size=size)

    def reset(self, seed: int | None = None, namespace: str | None = None) -> None:
        """Reseed (`seed` and/or `namespace` given) or, with neither, carry on counting.

        A new seed alone keeps the namespace: inside a pytest test, `reset(seed=N)` replays
        the test's own sequence from its start."""
        if seed is None and namespace is None:
            return
        with self._lock:
            self._seed = self._seed if seed is None else seed
            self._namespace = self._namespace if namespace is None else namespace
            self._counts.clear()
            self._prefixes.clear()
            self._reserved.clear()

    def snapshot(self) -> tuple[int, str, dict[str, int]]:
        """(seed, namespace, counts): what a restart needs to carry on the sequence."""
        with self._lock:
            return self._seed, self._namespace, dict(self._counts)

    def restore(self, seed: int, namespace: str, counts: dict[str, int]) -> None:
        with self._lock:
            self._seed, self._namespace = seed, namespace
            self._counts = dict(counts)
            self._reserved = dict(counts)
            self._prefixes.clear()
