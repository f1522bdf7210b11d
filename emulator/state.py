"""`serve --state PATH`: the emulator restored from a state file and written through it.

`open_state` opens (or creates) the file, refusing one it cannot use, and restores the
emulator from it; `Checkpointing` wraps the app so each answer's changes are committed before
its first byte is sent.
"""

from __future__ import annotations

from pathlib import Path

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from emulator.api import Emulator
from emulator.core.persist import watch
from emulator.core.persist.durable import Durable, Restored
from emulator.core.persist.sqlite import SqliteStore, StateError

ENV = "BATCH_EMULATOR_STATE"


def open_state(emulator: Emulator, path: str | Path) -> tuple[Durable, Restored]:
    """Restore `emulator` from `path` and attach it; `StateError` names a file it refuses."""
    store = SqliteStore(path)
    durable = Durable(emulator.service, store)
    try:
        restored = durable.restore(emulator.config)
    except (KeyError, TypeError, ValueError, EOFError, AttributeError) as exc:
        store.close()
        raise StateError(f"{path}: a record could not be read back ({exc})") from None
    emulator.config = emulator.service.config
    durable.attach()
    return durable, restored


class Checkpointing:
    """Commit the checkpoint (faults, config, clock, journal) before an answer starts."""

    def __init__(self, app: ASGIApp, durable: Durable) -> None:
        self.app = app
        self.durable = durable

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        with watch.watching() as touched:

            async def sending(message: Message) -> None:
                if message["type"] == "http.response.start":
                    self.durable.checkpoint(touched=list(touched.values()))
                await send(message)

            await self.app(scope, receive, sending)


__all__ = ["ENV", "Checkpointing", "StateError", "open_state"]
