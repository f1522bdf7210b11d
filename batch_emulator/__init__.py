"""`batch_emulator`: batch-emulator's public API under the distribution's own name.

`from batch_emulator import Emulator, HttpFault` gives the very objects `emulator` exports (the
name `emulator` is generic and taken on the package index, so a project may prefer this one;
both stay importable). Exports load lazily, as in `emulator`, so importing this costs nothing
until a name is used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import emulator as _emulator

__version__ = _emulator.__version__

if TYPE_CHECKING:
    from emulator import (
        BatchFault,
        BatchInfo,
        BatchState,
        Clock,
        EmulatedSleeps,
        Emulator,
        EmulatorConfig,
        EmulatorHandle,
        FaultError,
        HttpFault,
        ItemFault,
        ManualClock,
        Outcome,
        SystemClock,
        Timing,
    )


def __getattr__(name: str) -> Any:
    if name in _emulator.__all__:
        return getattr(_emulator, name)
    raise AttributeError(f"module 'batch_emulator' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "BatchFault",
    "BatchInfo",
    "BatchState",
    "Clock",
    "EmulatedSleeps",
    "Emulator",
    "EmulatorConfig",
    "EmulatorHandle",
    "FaultError",
    "HttpFault",
    "ItemFault",
    "ManualClock",
    "Outcome",
    "SystemClock",
    "Timing",
    "__version__",
]
