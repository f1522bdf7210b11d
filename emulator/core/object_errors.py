"""The object store's refusals, in neutral terms: each names its case by S3's own error code
(`facts["store"]`), which the S3 dialect sends as is and the GCS dialect words its own way."""

from __future__ import annotations

import re

from emulator.core.errors import EmulatorError, ErrorKind

MAX_KEY = 1_024  # S3 and GCS both cap names at 1,024 bytes
# A content type goes out again as a Content-Type header (S3 GetObject, GCS media download),
# whichever dialect stored it: no CR/LF/NUL or other control character (h11 hangs up on one)
# and nothing a header cannot carry (past U+00FF).
_HEADER_TEXT = re.compile(r"[\t\x20-\x7e\x80-\xff]{1,1024}")


def store_error(kind: ErrorKind, code: str, message: str, **facts: str) -> EmulatorError:
    """A neutral store refusal; `code` names the case (S3's own error codes, which GCS maps)."""
    return EmulatorError(kind, message, code=code, facts={"store": code, **facts})


def no_bucket(bucket: str) -> EmulatorError:
    return store_error(
        ErrorKind.NOT_FOUND, "NoSuchBucket", "The specified bucket does not exist", bucket=bucket
    )


def no_key(bucket: str, key: str) -> EmulatorError:
    return store_error(
        ErrorKind.NOT_FOUND,
        "NoSuchKey",
        "The specified key does not exist.",
        key=key,
        bucket=bucket,
    )


def too_large(limit: int) -> EmulatorError:
    return store_error(
        ErrorKind.TOO_LARGE,
        "EntityTooLarge",
        f"Your proposed upload exceeds the maximum allowed size ({limit} bytes)",
    )


def check_key(key: str) -> None:
    if not key or len(key.encode()) > MAX_KEY:
        raise store_error(
            ErrorKind.INVALID_REQUEST, "KeyTooLongError", "Your key is empty or too long."
        )


def check_content_type(value: str) -> str:
    """`value` if it can be sent back as a header; else a 400 at upload, not a broken download
    later (GCS's JSON metadata can carry any string, S3's GetObject sends it as a header)."""
    if _HEADER_TEXT.fullmatch(value) is None:
        raise store_error(
            ErrorKind.INVALID_REQUEST,
            "InvalidArgument",
            f"Invalid content type {value[:100]!r}: it must be usable as an HTTP header.",
        )
    return value


def header_safe(value: str) -> bool:
    """Whether `value` can be sent as an HTTP header value (or, for a name, is non-empty)."""
    return _HEADER_TEXT.fullmatch(value) is not None
