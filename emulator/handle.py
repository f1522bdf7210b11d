"""The handle the pytest fixture yields: an `Emulator` plus the URLs each SDK needs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from emulator.api import Emulator


@dataclass
class EmulatorHandle:
    emulator: Emulator
    url: str

    @property
    def openai_base_url(self) -> str:
        return f"{self.url}/v1"

    @property
    def anthropic_base_url(self) -> str:
        return self.url

    @property
    def gemini_base_url(self) -> str:
        return self.url

    @property
    def bifrost_base_url(self) -> str:
        return f"{self.url}/bifrost"

    def __getattr__(self, name: str) -> Any:
        # Everything else (advance, configure, batches, requests, faults...) is the Emulator's.
        return getattr(self.emulator, name)
