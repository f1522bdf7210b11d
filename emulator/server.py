"""Run an emulator's app on uvicorn in a background thread (pytest fixture, benchmarks).

The server's event loop keeps its timers on the real monotonic clock. freezegun patches
`time.monotonic` process-wide, and uvicorn's housekeeping loop sleeps on the loop clock: without
this, a test that freezes time would leave the server unable to notice it should stop (and any
keep-alive timer scheduled while frozen would never fire after). Batch state is unaffected: it
reads `time.time()` through the emulator's clock, which freezegun does move.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import uvicorn
from starlette.types import ASGIApp

from emulator import sleeps

LOCALHOST = "127.0.0.1"


class _RealTimeLoop(asyncio.SelectorEventLoop):
    # A default argument is bound at import, where freezegun's module scan cannot rewrite it.
    def time(self, _monotonic: Callable[[], float] = time.monotonic) -> float:
        return _monotonic()


class _Server(uvicorn.Server):
    """uvicorn.Server that signals a threading.Event once it accepts connections."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = threading.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        self.ready.set()


@dataclass
class ServerThread:
    app: ASGIApp
    host: str = LOCALHOST
    port: int = 0
    _server: _Server | None = field(default=None, init=False, repr=False)
    _thread: threading.Thread | None = field(default=None, init=False, repr=False)

    def start(self, timeout: float = 10.0) -> str:
        """Start serving and return the base URL once the socket is accepting."""
        # IPPROTO_TCP explicitly: asyncio only enables TCP_NODELAY when the proto says TCP, and
        # without it each response body waits ~40 ms for the client's delayed ACK.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(self.app, log_level="warning", lifespan="off", access_log=False)
        server = self._server = _Server(config)
        self._thread = threading.Thread(
            target=_serve, args=(server, sock), name=f"batch-emulator:{self.port}", daemon=True
        )
        self._thread.start()
        if not server.ready.wait(timeout):
            raise RuntimeError(f"batch-emulator server did not start within {timeout}s")
        return self.url

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def stop(self, timeout: float = 10.0) -> None:
        if self._server is None or self._thread is None:
            return
        self._server.should_exit = True
        self._thread.join(timeout)
        if self._thread.is_alive():
            raise RuntimeError(f"batch-emulator server on {self.url} did not stop in {timeout}s")


def _serve(server: _Server, sock: socket.socket) -> None:
    with sleeps.serving(), asyncio.Runner(loop_factory=_RealTimeLoop) as runner:
        runner.run(server.serve(sockets=[sock]))
