"""Run an emulator's app on uvicorn in a background thread (pytest fixture, benchmarks)."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass

import uvicorn
from starlette.types import ASGIApp

LOCALHOST = "127.0.0.1"


@dataclass
class ServerThread:
    app: ASGIApp
    host: str = LOCALHOST
    port: int = 0

    def start(self, timeout: float = 10.0) -> str:
        """Start serving and return the base URL once the socket is accepting."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(self.app, log_level="warning", lifespan="off", access_log=False)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run,
            kwargs={"sockets": [sock]},
            name=f"batch-emulator:{self.port}",
            daemon=True,
        )
        self._thread.start()
        deadline = time.perf_counter() + timeout
        while not self._server.started:
            if time.perf_counter() > deadline or not self._thread.is_alive():
                raise RuntimeError("batch-emulator server did not start")
            time.sleep(0.002)
        return self.url

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
