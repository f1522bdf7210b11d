"""batch-emulator: a local, in-memory emulator of LLM batch APIs.

Public API: `Emulator`, `EmulatorHandle` (an emulator plus where to reach it and SDK clients),
`BatchInfo`, `EmulatorConfig`, `Timing`, the clocks, the fault values (and `FaultError`, what
a refused one raises) and `EmulatedSleeps`. The
same names import from `batch_emulator`.
Exports load lazily: the pytest plugin imports this package in every test run of every project
that has it installed, and should not pay for pydantic, starlette and every dialect unless a
test actually uses the emulator.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "Emulator": "emulator.api",
    "Clock": "emulator.clock",
    "ManualClock": "emulator.clock",
    "SystemClock": "emulator.clock",
    "EmulatorConfig": "emulator.config",
    "Timing": "emulator.config",
    "BatchFault": "emulator.core.faults",
    "FaultError": "emulator.core.faults",
    "HttpFault": "emulator.core.faults",
    "ItemFault": "emulator.core.faults",
    "BatchState": "emulator.core.states",
    "Outcome": "emulator.core.states",
    "EmulatedSleeps": "emulator.sleeps",
    "EmulatorHandle": "emulator.handle",
    "BatchInfo": "emulator.batch_info",
}

if TYPE_CHECKING:
    from emulator.api import Emulator
    from emulator.batch_info import BatchInfo
    from emulator.clock import Clock, ManualClock, SystemClock
    from emulator.config import EmulatorConfig, Timing
    from emulator.core.faults import BatchFault, FaultError, HttpFault, ItemFault
    from emulator.core.states import BatchState, Outcome
    from emulator.handle import EmulatorHandle
    from emulator.sleeps import EmulatedSleeps


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'emulator' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


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
