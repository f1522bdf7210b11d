"""`aws-chunked` request bodies, decoded so the bytes stored are the bytes the client sent.

Since boto3 1.36 uploads are sent `Content-Encoding: aws-chunked` with a checksum *trailer*
(`x-amz-checksum-crc32`): `<hex size>[;chunk-signature=...]\r\n<data>\r\n ... 0\r\n<trailer
lines>\r\n\r\n` (AWS "SigV4 streaming" docs; boto/boto3 #4435 shows a server that skips this
storing the framing inside the object). Signatures are not checked: any key is accepted.
"""

from __future__ import annotations

import re

from emulator.core.errors import EmulatorError, ErrorKind

MAX_HEADER = 4096  # a chunk-size line with its signature is ~90 bytes
MAX_TRAILERS = 16 * 1024  # a checksum trailer is ~40 bytes
# A chunk size is bare hex digits (HTTP/1.1 chunk-size, which aws-chunked reuses): `int(x, 16)`
# alone would also take "-6" (a negative size walks the parser backwards forever), "0x5",
# "1_0" and spaces.
HEX_SIZE = re.compile(rb"[0-9a-fA-F]{1,16}")


def is_chunked(content_encoding: str, content_sha256: str) -> bool:
    return "aws-chunked" in content_encoding.lower() or content_sha256.startswith("STREAMING-")


def _bad(detail: str) -> EmulatorError:
    return EmulatorError(
        ErrorKind.INVALID_REQUEST,
        f"An error occurred when parsing the HTTP request: {detail}",
        code="IncompleteBody",
    )


def decode(body: bytes) -> tuple[bytes, dict[str, str]]:
    """(payload, trailers) of an aws-chunked body; refused (400) when the framing is broken."""
    out = bytearray()  # not a list of chunks: a body of 2-byte chunks would be ~6x its size
    view = memoryview(body)
    at = 0
    while True:
        end = body.find(b"\r\n", at, at + MAX_HEADER)
        if end < 0:
            raise _bad("chunk header not terminated")
        size_text = body[at:end].split(b";", 1)[0]
        if HEX_SIZE.fullmatch(size_text) is None:
            raise _bad("invalid chunk size")
        size = int(size_text, 16)
        at = end + 2
        if size == 0:
            if len(body) - at > MAX_TRAILERS:
                raise _bad("trailer section too long")
            rest = body[at:]
            if rest != b"\r\n" and not rest.endswith(b"\r\n\r\n"):
                raise _bad("trailer not terminated")  # the body was cut short
            return bytes(out), _trailers(rest)
        if at + size + 2 > len(body) or body[at + size : at + size + 2] != b"\r\n":
            raise _bad("chunk shorter than its declared size")
        out += view[at : at + size]
        at += size + 2


def _trailers(rest: bytes) -> dict[str, str]:
    out = {}
    for line in rest.split(b"\r\n"):
        name, sep, value = line.partition(b":")
        if sep:
            out[name.strip().lower().decode("latin-1")] = value.strip().decode("latin-1")
    return out
