"""batch-emulator: a local, in-memory emulator of LLM batch APIs.

Public API: `Emulator`, `EmulatorConfig`, `Timing`, the clocks, and the fault values.
"""

from __future__ import annotations

__version__ = "0.1.0"

from emulator.api import Emulator
from emulator.clock import Clock, ManualClock, SystemClock
from emulator.config import EmulatorConfig, Timing
from emulator.core.faults import BatchFault, HttpFault, ItemFault
from emulator.core.states import BatchState, Outcome

__all__ = [
    "BatchFault",
    "BatchState",
    "Clock",
    "Emulator",
    "EmulatorConfig",
    "HttpFault",
    "ItemFault",
    "ManualClock",
    "Outcome",
    "SystemClock",
    "Timing",
    "__version__",
]
