"""Shared client fixtures for the provider tests: official SDK clients bound to the emulator."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openai import AsyncOpenAI, OpenAI

from emulator.clock import ManualClock
from emulator.handle import EmulatorHandle

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
OPENAI_FIXTURES = FIXTURES / "openai"
EPOCH = 1_767_225_600.0  # 2026-01-01T00:00:00Z


@pytest.fixture
def openai_sdk(batch_emulator: EmulatorHandle) -> Iterator[OpenAI]:
    """The sync SDK, unmodified, over real loopback HTTP (SDK default retries kept)."""
    with OpenAI(base_url=batch_emulator.openai_base_url, api_key="sk-test") as client:
        yield client


@pytest.fixture
def async_openai_sdk(batch_emulator: EmulatorHandle) -> AsyncOpenAI:
    """The async SDK; tests drive it with `asyncio.run` and close it themselves."""
    return AsyncOpenAI(base_url=batch_emulator.openai_base_url, api_key="sk-test")


@pytest.fixture
def manual_clock(batch_emulator: EmulatorHandle) -> Iterator[ManualClock]:
    """Swap the session emulator onto a standing clock for exact timestamps, then swap back."""
    emulator = batch_emulator.emulator
    original, config = emulator.clock, emulator.config
    clock = ManualClock(EPOCH)
    emulator.reset(config, clock=clock)
    try:
        yield clock
    finally:
        emulator.reset(config, clock=original)


def fixture_bytes(name: str) -> bytes:
    return (OPENAI_FIXTURES / name).read_bytes()


def jsonl(lines: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(line) + "\n" for line in lines).encode()


def chat_line(custom_id: str, model: str = "gpt-4o-mini", **body: Any) -> dict[str, Any]:
    return {
        "custom_id": custom_id,
        "method": "POST",
        "url": "/v1/chat/completions",
        "body": {"model": model, "messages": [{"role": "user", "content": "hi"}], **body},
    }


def chat_file(n: int) -> bytes:
    return jsonl([chat_line(f"req-{i}") for i in range(n)])


def parse_jsonl(data: bytes) -> list[dict[str, Any]]:
    assert data.endswith(b"\n"), "every JSONL line ends with a newline"
    return [json.loads(line) for line in data.decode().splitlines()]
