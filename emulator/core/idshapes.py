"""Id shapes as recorded from the real services, one per id prefix.

Recorded (see fixtures/recorded/): OpenAI `batch_` + 32 lowercase hex
(`batch_690467101b488190972cdce590a00ae3`) and `file-` + 22 letters/digits
(`file-FqLLytrEaPH6hmSPXTr1db`), openai/openai-dotnet SessionRecords; Anthropic
`msgbatch_01` + 22 letters/digits (`msgbatch_01NnXPbgjVXggkeJR2aeANYQ`) and `msg_01` + 22,
tidyverse/ellmer tests/testthat/batch/state-capitals-anthropic.json; Gemini `batches/` + 36
lowercase letters/digits (`batches/4m855v7q30kc7gtzcigdg9m72o87s08w33vp`, a v1beta capture
quoted in the project's reference notes). The real OpenAI batch id starts with the creation
time in hex; ours is seeded instead, so ids stay reproducible whatever the clock says.
"""

from __future__ import annotations

from emulator.core.ids import base62_from

_LOWER36 = bytes(ord("abcdefghijklmnopqrstuvwxyz0123456789"[b % 36]) for b in range(256))


def hex_shape(raw: bytes, length: int) -> str:
    return raw.hex()[:length]


def lower36(raw: bytes, length: int) -> str:
    return raw.translate(_LOWER36)[:length].decode()


def shaped(prefix: str, raw: bytes) -> str:
    """A batch id for this prefix, from at least 36 bytes of digest."""
    if prefix == "batch_":
        return prefix + hex_shape(raw, 32)
    if prefix == "msgbatch_":
        return prefix + "01" + base62_from(raw)[:22]
    if prefix == "batches/":
        return prefix + lower36(raw, 36)
    if prefix == "":  # Gemini routes pass no prefix: the wire adds `batches/`
        return lower36(raw, 36)
    return prefix + base62_from(raw)[:24]


_CROCKFORD = bytes(ord("0123456789abcdefghjkmnpqrstvwxyz"[b % 32]) for b in range(256))


def ulid_shape(raw: bytes) -> str:
    """A lowercase ULID (`01` + 24 Crockford base-32 characters), Groq's id body: recorded in
    Groq's API reference as `batch_01jh6xa7reempvjyh6n3yst2zw`, `file_01jh6x76wtemjr74t1fh0faj5t`.
    The real leading characters encode the creation time; ours are seeded, so ids replay."""
    return "01" + raw.translate(_CROCKFORD)[:24].decode()
