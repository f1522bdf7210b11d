"""In-process transports: SDK clients call the ASGI app directly, with no socket in between.

Two things make this work with whatever a user has installed:

- **Which httpx.** Today's SDKs (openai 3.x, anthropic 2.x, google-genai 3.x) are built on the
  `httpx2` fork and refuse an `httpx` client; older ones (openai 1.x, anthropic 1.x,
  google-genai 2.x) are built on `httpx`. A fresh install may have only one of the two. So the
  package is read from the SDK itself (the classes its default client derives from), never
  assumed, and `default_package()` answers for a client the user builds by hand.
- **Sync clients.** httpx only ships an *async* ASGI transport. `SyncASGITransport` bridges a
  sync client to it the way Starlette's TestClient does with an anyio portal: each request runs
  on an event loop owned by one daemon thread (`LoopThread`), and the calling thread waits for
  the answer. Bodies are read whole, which is what the emulator sends anyway.

Nothing here is imported unless in-process mode is used: httpx/httpx2 are the SDKs' dependencies,
not ours.
"""

from __future__ import annotations

import asyncio
import functools
import importlib
import importlib.metadata
import importlib.util
import re
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

from emulator import sleeps
from emulator.server import _RealTimeLoop

PACKAGES = ("httpx2", "httpx")  # the fork first: every current SDK release is built on it
SDK_DISTRIBUTIONS = ("openai", "anthropic", "google-genai")
T = TypeVar("T")


def installed(package: str) -> bool:
    try:
        return importlib.util.find_spec(package) is not None
    except (ImportError, ValueError):
        return False


def package_of(cls: type) -> str | None:
    """`httpx2` or `httpx`: the package an SDK's default HTTP client class is built on."""
    for klass in cls.__mro__:
        root = (klass.__module__ or "").partition(".")[0]
        if root in PACKAGES:
            return root
    return None


def gemini_package() -> str:
    """The package google-genai will use: 3.x prefers httpx2 and falls back to httpx; 2.x only
    knows httpx (its module has no `httpx2` attribute at all)."""
    from google.genai import _api_client

    if getattr(_api_client, "httpx2", None) is not None:
        return "httpx2"
    return "httpx" if installed("httpx") else "httpx2"


def _required(distribution: str) -> set[str]:
    """The transport packages a distribution depends on (not through an extra)."""
    try:
        requirements = importlib.metadata.requires(distribution) or []
    except importlib.metadata.PackageNotFoundError:
        return set()
    plain = [r for r in requirements if "extra" not in r]
    names = {re.split(r"[\s<>=!~;\[(]", r, maxsplit=1)[0].lower() for r in plain}
    return names & set(PACKAGES)


def default_package() -> str:
    """The package for a client the user passes to an SDK themselves (`asgi_client()`).

    The only one installed, else the one the installed SDKs depend on (httpx2 when they
    disagree or say nothing: the newest releases use it)."""
    present = [p for p in PACKAGES if installed(p)]
    if not present:
        raise ModuleNotFoundError(
            "in-process mode needs httpx2 or httpx; each LLM SDK installs one of them"
        )
    if len(present) == 1:
        return present[0]
    wanted = set().union(*(_required(d) for d in SDK_DISTRIBUTIONS))
    return "httpx" if wanted == {"httpx"} else "httpx2"


class LoopThread:
    """One event loop in one daemon thread, started on first use, for sync in-process calls.

    A daemon thread, so a handle nobody stops never blocks interpreter exit; the loop's timers
    run on the real monotonic clock, so freezegun cannot stall it (see emulator.server)."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock = threading.Lock()

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        """Run on the loop thread and wait (at most `timeout` seconds: then TimeoutError)."""
        with self._lock:
            if self._loop is None or self._loop.is_closed():
                self._loop = self._start()
            loop = self._loop
        if _running_loop() is loop:
            coroutine.close()
            raise RuntimeError("a sync in-process client cannot be called from its own loop")
        future = asyncio.run_coroutine_threadsafe(coroutine, loop)
        try:
            return future.result(timeout)
        except TimeoutError:
            future.cancel()
            raise

    @staticmethod
    def _start() -> asyncio.AbstractEventLoop:
        loop = _RealTimeLoop()
        ready = threading.Event()

        def serve() -> None:
            asyncio.set_event_loop(loop)
            loop.call_soon(ready.set)
            with sleeps.serving():  # the app's waits here stay real (emulator.sleeps)
                loop.run_forever()

        threading.Thread(target=serve, name="batch-emulator:in-process", daemon=True).start()
        ready.wait()
        return loop

    def stop(self) -> None:
        with self._lock:
            loop, self._loop = self._loop, None
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(loop.stop)


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


@functools.cache
def _sync_transport_class(package: str) -> type:
    """A `BaseTransport` subclass of `package` (SDKs check the client class, not the transport,
    but the client checks its transport's base)."""
    http = importlib.import_module(package)

    class SyncASGITransport(http.BaseTransport):  # type: ignore[misc,name-defined]
        """Sync requests answered by the ASGI app through the async transport, on `loop`."""

        def __init__(self, app: Any, loop: LoopThread) -> None:
            self.inner = http.ASGITransport(app=app)
            self.loop = loop

        def handle_request(self, request: Any) -> Any:
            body = request.read()
            forwarded = http.Request(
                request.method,
                request.url,
                headers=request.headers,
                content=body,
                extensions=request.extensions,
            )

            async def call() -> tuple[int, Any, bytes]:
                response = await self.inner.handle_async_request(forwarded)
                raw = b"".join([chunk async for chunk in response.aiter_raw()])
                return response.status_code, response.headers, raw

            # The client's read timeout, as a socket would enforce it (latency faults rely on it).
            timeout = (request.extensions.get("timeout") or {}).get("read")
            try:
                status, headers, raw = self.loop.run(call(), timeout)
            except TimeoutError:
                raise http.ReadTimeout("in-process read timed out", request=request) from None
            return http.Response(status, headers=headers, content=raw, request=request)

    SyncASGITransport.__qualname__ = f"SyncASGITransport[{package}]"
    return SyncASGITransport


def async_client(app: Any, base_url: str, package: str, **kwargs: Any) -> Any:
    """`<package>.AsyncClient` whose calls go straight to `app`."""
    http = importlib.import_module(package)
    return http.AsyncClient(transport=http.ASGITransport(app=app), base_url=base_url, **kwargs)


def sync_client(app: Any, base_url: str, package: str, loop: LoopThread, **kwargs: Any) -> Any:
    """`<package>.Client` whose calls go to `app` on `loop`'s thread."""
    http = importlib.import_module(package)
    transport = _sync_transport_class(package)(app, loop)
    return http.Client(transport=transport, base_url=base_url, **kwargs)
