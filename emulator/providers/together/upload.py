"""Together's three-step upload (reference more-providers §4.2), as a signed URL behaves.

1. `POST /v1/files` registers the file (no bytes) and answers 302 with the URL to PUT them to.
   The URL carries a one-time signature bound to that file, like the presigned S3 URL Together
   issues: the PUT itself sends no credentials (both SDKs send none), so the signature is what
   says who may write the file.
2. `PUT <Location>` writes the bytes once. A file that already has content (an input, used or
   not, and every batch output or error file, which has no signature) is never overwritten; a
   wrong signature (another key's file) is refused; a checksum mismatch changes nothing (the
   client may PUT again). The body streams against the size cap and is hashed as it comes.
3. `POST /v1/files/{id}/preprocess` (Python SDKs only): the file becomes `processed`. The Node
   SDK skips it and reads the file back with a GET; a batch accepts the file either way and
   validates it during VALIDATING (docs.together.ai batch tutorial: "The server still
   validates the file during the VALIDATING phase").
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from starlette.datastructures import FormData
from starlette.requests import Request

from emulator import bodies, headers
from emulator.core.errors import EmulatorError, ErrorKind, invalid
from emulator.core.files import StoredFile
from emulator.providers.together import dialect as d, identity

FIELDS_CAP = 64 * 1024  # step 1 carries four short fields
PENDING, RECEIVING, UPLOADED = "pending", "receiving", "uploaded"


def _too_large() -> EmulatorError:
    return EmulatorError(ErrorKind.TOO_LARGE, "File is too large.")


def _bad_form(reason: str) -> EmulatorError:
    return invalid(f"Could not parse the upload form: {reason}")


async def fields(request: Request) -> dict[str, str]:
    """Step 1's fields: the form body (Python SDKs), else the query string (the Node SDK sends
    both, `POST /files?file_name=…&file_type=…&purpose=…` with the same urlencoded body)."""
    form: FormData = await bodies.read_form(request, FIELDS_CAP, _too_large, _bad_form)
    found = dict(request.query_params.items())
    found.update({k: v for k, v in form.items() if isinstance(v, str)})
    return found


def sign(stored: StoredFile, api_key: str) -> str:
    """Bind the file to the key that registered it and mint the one-time PUT signature."""
    token = secrets.token_urlsafe(24)
    stored.extra.update(together_state=PENDING, owner=identity.user_id(api_key), upload_token=token)
    return token


def check_writable(stored: StoredFile, request: Request) -> None:
    """Refuse before a byte is read: wrong signature, content already there, another key."""
    expected = stored.extra.get("upload_token")
    # bytes: compare_digest refuses str with non-ASCII characters (a TypeError, so a 500)
    given = request.query_params.get("signature", "").encode("utf-8", "backslashreplace")
    if not isinstance(expected, str) or not hmac.compare_digest(expected.encode(), given):
        raise EmulatorError(ErrorKind.PERMISSION, "The upload signature does not match.")
    key = headers.bearer(request.scope)
    if key is not None and identity.user_id(key) != stored.extra.get("owner"):
        raise EmulatorError(ErrorKind.PERMISSION, "The upload signature does not match.")
    if stored.extra.get("together_state") != PENDING:
        raise EmulatorError(ErrorKind.CONFLICT, f"File {stored.id} has already been uploaded.")


async def receive(stored: StoredFile, request: Request, limit: int) -> None:
    """Stream the body in (capped, hashed), then commit it; on any refusal the file is left
    exactly as it was (still pending, no bytes), so the client can PUT again."""
    check_writable(stored, request)
    stored.extra["together_state"] = RECEIVING  # a second concurrent PUT is refused
    try:
        data, digest = await _read(request, limit)
        expected = stored.extra.get("checksum")
        if isinstance(expected, str) and expected and expected.lower() != digest:
            raise invalid("Checksum mismatch: the uploaded bytes do not match the checksum.")
    except BaseException:
        stored.extra["together_state"] = PENDING
        raise
    stored.data = data
    stored.extra.update(together_state=UPLOADED, line_count=d.line_count(data))


async def _read(request: Request, limit: int) -> tuple[bytes, str]:
    """The body and its sha256, refused as soon as it passes `limit`, spooled to disk past
    1 MiB (`bodies.read_spooled`): a refused body costs the server no memory."""
    hasher = hashlib.sha256()
    data = await bodies.read_spooled(request, limit, _too_large, hasher.update)
    return data, hasher.hexdigest()
