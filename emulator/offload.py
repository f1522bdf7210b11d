"""Heavy requests run on a worker thread, so the event loop keeps answering everyone else.

Parsing a 50,000-line input, generating and rendering its results, or validating a 100,000-item
Anthropic create is up to a second of CPU. Run on the event loop, it stalls every other client
of the server (other xdist workers, the CLI, an SDK's own retries) for that long. So a request
that may be heavy runs its whole handler on a worker thread, on a private event loop there: the
handler code stays ordinary `async` Starlette code (it awaits its body, which the worker gets
from the server's loop), and the main loop only moves bytes meanwhile.

Measured on 2 cores (benchmarks/RESULTS.md): a thread beats chunking the work on the loop
(which needs every generator made resumable) and a process (which must pickle the parsed items
both ways, costing more than the parse). The GIL is shared, so the switch interval is lowered
while heavy work runs: the loop then gets the interpreter back within a millisecond.

Which requests are heavy is decided cheaply, before any work, and provider-neutrally:
- a body larger than `HEAVY_BODY` bytes (uploads, an Anthropic or Gemini inline create);
- a small body that names a large stored file (an OpenAI or Gemini create from a file);
- any call about a batch of more than `HEAVY_ITEMS` items (retrieve, results, cancel: each
  may be the first to see it finished and so render its result files);
- a listing while any such batch exists, and any other call while such a batch has finished
  but its result files are not made yet (the core makes them on the next file read);
- any POST while creates do work per item (item fault rules, a responder): their cost is
  items x rules, whatever the body's size.
Small requests never leave the loop: the hop costs about 0.1 ms, too much for a retrieve.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import ctypes.util
import gc
import os
import sys
import threading
from collections.abc import Awaitable, Callable, Iterator
from typing import Protocol, TypeVar

import anyio
import anyio.to_thread
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Message

from emulator import headers
from emulator.core.numbers import ascii_int

Handler = Callable[[Request], Awaitable[Response]]
T = TypeVar("T")

HEAVY_BODY = int(os.environ.get("EMU_HEAVY_BODY", 512 * 1024))  # bytes of request body
HEAVY_ITEMS = int(
    os.environ.get("EMU_HEAVY_ITEMS", 1_000)
)  # items in the batch a call is about (about 20 ms of results on the loop)
PEEK_BODY = 64 * 1024  # small bodies are read on the loop to look for a big file's id
SWITCH_INTERVAL = 0.001  # seconds a thread may hold the GIL while heavy work runs
WORKERS = 2  # heavy handlers at once; more would only share the same two cores
M_ARENA_MAX, M_MMAP_THRESHOLD = -8, -3  # glibc's mallopt parameter numbers


class Sized(Protocol):
    """What the offload rule asks of the service: sizes, read without observing anything."""

    def weight(self, batch_id: str) -> int: ...

    def any_over(self, min_items: int) -> bool: ...

    def due_over(self, min_items: int) -> bool: ...

    def big_file_ids(self, min_bytes: int) -> list[str]: ...

    def per_item_work(self) -> bool: ...


_limiter: anyio.CapacityLimiter | None = None


def _workers() -> anyio.CapacityLimiter:
    global _limiter
    if _limiter is None:
        _limiter = anyio.CapacityLimiter(WORKERS)
    return _limiter


def _tune_malloc() -> None:
    """Two glibc settings that keep big batches' peak memory near what they hold.

    - One malloc arena: glibc gives each new thread its own, never handed back to the
      others; a 50,000-line batch parsed on a worker kept 40 MB more at peak. Python holds
      the GIL around allocation anyway, so a shared arena costs no contention.
    - A fixed 1 MiB mmap threshold: glibc raises it (up to 32 MB) after freeing a big block,
      so the next result file grew on the heap, where each realloc copies (old and new both
      resident: +27 MB for a 45 MB file). mmapped blocks grow by remapping pages instead.
    No-op off glibc. Done at import, before the app (or anything) starts a worker thread.
    """
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt(M_ARENA_MAX, 1)
        libc.mallopt(M_MMAP_THRESHOLD, 1 << 20)


_tune_malloc()


class _Pause:
    """Counts heavy jobs in flight: the cyclic GC and the long switch interval are paused
    while any runs, and restored by the last one to finish.

    The cyclic collector rescans every live container each time a generation fills up; a
    50,000-item batch is some 200,000 of them, so a parse under the collector costs twice
    what it does without (reference counting still frees everything the work drops).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._active = 0
        self._gc_was_on = True
        self._interval = sys.getswitchinterval()

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        with self._lock:
            if self._active == 0:
                self._gc_was_on = gc.isenabled()
                self._interval = sys.getswitchinterval()
                gc.disable()
                sys.setswitchinterval(min(self._interval, SWITCH_INTERVAL))
            self._active += 1
        try:
            yield
        finally:
            with self._lock:
                self._active -= 1
                if self._active == 0:
                    sys.setswitchinterval(self._interval)
                    if self._gc_was_on:
                        gc.enable()


heavy_work = _Pause()


def when_heavy(service: Sized, handler: Handler) -> Handler:
    """`handler`, run on a worker thread whenever the request may be heavy."""

    if os.environ.get("BATCH_EMULATOR_OFFLOAD", "1") == "0":  # to measure the difference
        return handler

    async def dispatch(request: Request) -> Response:
        body, big = await _peek(service, request)
        if not big and not _heavy_without_body(service, request):
            return await handler(request if body is None else _replaying(request, body))
        return await run_in_worker(handler, request, body)

    return dispatch


def _heavy_without_body(service: Sized, request: Request) -> bool:
    length = headers.first(request.scope, b"content-length")
    coding = headers.first(request.scope, b"transfer-encoding") or ""
    declared = ascii_int(length)  # not int(): 5,000 ASCII digits raise there
    if declared is not None:
        if declared > HEAVY_BODY:
            return True
    elif "chunked" in coding.lower():
        return True  # size unknown until read: read it off the loop
    if request.method == "POST" and service.per_item_work():
        return True  # a create matches every item against every item rule
    for key, value in request.path_params.items():
        if "batch" in key and isinstance(value, str):
            return service.weight(value.rsplit("/", 1)[-1]) > HEAVY_ITEMS
    if request.method == "GET" and service.any_over(HEAVY_ITEMS):
        return True  # a listing may render (or, for inline results, embed) a big batch
    return service.due_over(HEAVY_ITEMS)  # any file call makes due result files first


async def _peek(service: Sized, request: Request) -> tuple[bytes | None, bool]:
    """A small POST body, if it was read here (else None), and whether it names a big stored
    file. The body read here must be handed on: a handler that wraps the request in a new
    `Request` (a capped form parser does) would otherwise wait forever for bytes already gone."""
    if request.method != "POST":
        return None, False
    length = ascii_int(request.headers.get("content-length"))
    if length is None or not 0 < length <= PEEK_BODY:
        return None, False
    big = service.big_file_ids(HEAVY_BODY)
    if not big:
        return None, False
    body = await request.body()
    return body, any(file_id.encode() in body for file_id in big)


def _replaying(request: Request, body: bytes) -> Request:
    """The request with its already-read body delivered again to whoever reads it next, then
    the server's own messages (a disconnect) as usual."""
    replay = [body]

    async def receive() -> Message:
        if replay:
            return {"type": "http.request", "body": replay.pop(), "more_body": False}
        return await request.receive()

    return Request(request.scope, receive)


async def off_loop(work: Callable[[], T], *, heavy: bool = True) -> T:
    """`work()` on a worker thread, the switch interval lowered while it runs (the loop gets
    the GIL back within a millisecond). `heavy` work (a verdict over every batch) takes one of
    the WORKERS slots; light work (matching a request against costly fault rules) does not
    queue behind a big parse."""

    def held() -> T:
        with heavy_work.held():
            return work()

    return await anyio.to_thread.run_sync(held, limiter=_workers() if heavy else None)


async def run_in_worker(handler: Handler, request: Request, body: bytes | None = None) -> Response:
    """Run `handler(request)` on a worker thread's own event loop; the body is fetched from
    this loop as the handler asks for it (or replayed, when it was already read here)."""
    loop = asyncio.get_running_loop()
    replay: list[bytes] = [] if body is None else [body]

    async def receive() -> Message:
        if replay:
            return {"type": "http.request", "body": replay.pop(), "more_body": False}
        future = asyncio.run_coroutine_threadsafe(_receive(request), loop)
        return await asyncio.wrap_future(future)

    async def call() -> Response:
        return await handler(Request(request.scope, receive))

    def work() -> Response:
        with heavy_work.held():
            return asyncio.run(call())

    return await anyio.to_thread.run_sync(work, limiter=_workers())


async def _receive(request: Request) -> Message:
    return await request.receive()
