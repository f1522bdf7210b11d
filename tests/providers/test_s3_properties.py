"""`aws-chunked` decoding (hypothesis): any payload framed in chunks of any size, with any
trailer, decodes to exactly the payload (the framing of AWS's SigV4 streaming docs); a body
cut short is refused, never stored."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from emulator.core.errors import EmulatorError
from emulator.providers.s3 import chunked


def frame(payload: bytes, size: int, signed: bool) -> bytes:
    out = b""
    for start in range(0, len(payload), size):
        part = payload[start : start + size]
        sig = b";chunk-signature=" + b"0" * 64 if signed else b""
        out += f"{len(part):x}".encode() + sig + b"\r\n" + part + b"\r\n"
    return out + b"0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n"


@given(payload=st.binary(max_size=2000), size=st.integers(1, 600), signed=st.booleans())
def test_decoding_gives_back_the_payload(payload: bytes, size: int, signed: bool) -> None:
    data, trailers = chunked.decode(frame(payload, size, signed))
    assert data == payload
    assert trailers == {"x-amz-checksum-crc32": "AAAAAA=="}


@given(payload=st.binary(min_size=1, max_size=500), cut=st.integers(1, 400))
def test_a_truncated_body_is_refused(payload: bytes, cut: int) -> None:
    framed = frame(payload, 64, False)
    short = framed[: max(0, len(framed) - 10 - cut)]
    with pytest.raises(EmulatorError):
        chunked.decode(short)
