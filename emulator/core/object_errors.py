"""The object store's refusals, in neutral terms: each names its case by S3's own error code
(`facts["store"]`), which the S3 dialect sends as is and the GCS dialect words its own way."""

from __future__ import annotations

from emulator.core.errors import EmulatorError, ErrorKind

MAX_KEY = 1_024  # S3 and GCS both cap names at 1,024 bytes


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
