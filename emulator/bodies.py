"""Request bodies read with a size cap that is enforced while they stream in.

A declared Content-Length over the cap is refused before a byte is read; a chunked (or lying)
body is cut off as soon as it passes the cap. Nothing over the limit is ever held, joined or
spooled whole, so a 300 MB body costs the server no more than the cap. Each dialect passes its
own limit and its own "too large" error, so the refusal is in the provider's words.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.types import Message

from emulator.core.numbers import ascii_int

MB = 1024 * 1024
JSON_CAP = 1 * MB  # small JSON calls (OpenAI batch create, the control plane, upload starts)
SPOOL_IN_MEMORY = 1 * MB  # bytes of a big body kept in memory before it goes to disk
FORM_OVERHEAD = 65_536  # room for the form fields and multipart boundaries around a file
Refusal = Callable[[], Exception]


def declared_over(request: Request, limit: int) -> bool:
    declared = ascii_int(request.headers.get("content-length"))
    return declared is not None and declared > limit


async def read_body(request: Request, limit: int, too_large: Refusal) -> bytes:
    """The whole body, or `too_large()` raised as soon as it is known to exceed `limit`."""
    if declared_over(request, limit):
        raise too_large()
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large()
        chunks.append(chunk)
    return b"".join(chunks)


async def read_spooled(
    request: Request,
    limit: int,
    too_large: Refusal,
    on_chunk: Callable[[bytes], object] | None = None,
) -> bytes:
    """The whole body like `read_body`, for bodies that may be big (object uploads, file
    PUTs): past 1 MiB it is spooled to a temporary file, so a body refused at the cap has cost
    the server no memory and an accepted one is held once, when it is returned. `on_chunk`
    sees each piece as it comes (a running checksum). Big bodies reach this on an offload
    worker thread, so the disk writes are off the event loop."""
    if declared_over(request, limit):
        raise too_large()
    size = 0
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY) as spool:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise too_large()
            if on_chunk is not None:
                on_chunk(chunk)
            spool.write(chunk)
        spool.seek(0)
        return spool.read()


def capped(request: Request, limit: int, too_large: Refusal) -> Request:
    """The same request, whose body stream raises `too_large()` once past `limit` bytes (for
    parsers that pull the stream themselves, like Starlette's multipart parser)."""
    received = 0

    async def receive() -> Message:
        nonlocal received
        message = await request.receive()
        received += len(message.get("body", b""))
        if received > limit:
            raise too_large()
        return message

    return Request(request.scope, receive)


async def read_form(
    request: Request, limit: int, too_large: Refusal, bad_form: Callable[[str], Exception]
) -> FormData:
    """A multipart/urlencoded form holding at most one file of `limit` bytes.

    Starlette turns a malformed body into its own `HTTPException(400)` (outside our
    envelope); here every parse problem becomes `bad_form(reason)`."""
    cap = limit + FORM_OVERHEAD
    if declared_over(request, cap):
        raise too_large()
    try:
        return await capped(request, cap, too_large).form(max_files=1, max_fields=32)
    except (MultiPartException, AssertionError, ValueError, KeyError) as exc:
        raise bad_form(str(exc)[:200]) from None
    except HTTPException as exc:
        raise bad_form(str(exc.detail)[:200]) from None
