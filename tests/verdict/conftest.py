"""Helpers for the client-verdict tests: SDK pipelines, right and wrong, against the fixture."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from typing import Any

import pytest

from emulator.core import journal

ENDED = {"completed", "failed", "expired", "cancelled"}
POLL_LIMIT = 50  # every loop here is bounded: a test never spins forever


def chat_lines(n: int = 4) -> bytes:
    return b"".join(
        json.dumps(
            {
                "custom_id": f"r{i}",
                "method": "POST",
                "url": "/v1/chat/completions",
                "body": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]},
            }
        ).encode()
        + b"\n"
        for i in range(n)
    )


def anthropic_requests(n: int = 3) -> list[dict[str, Any]]:
    return [
        {
            "custom_id": f"q{i}",
            "params": {
                "model": "claude-sonnet-4-5",
                "max_tokens": 32,
                "messages": [{"role": "user", "content": "hi"}],
            },
        }
        for i in range(n)
    ]


def rules(handle: Any) -> list[str]:
    return [finding.rule for finding in handle.verdict()]


def until(read: Callable[[], Any], done: Callable[[Any], bool]) -> Any:
    """Poll `read` until `done`, a bounded number of times (the tests use immediate timing or
    move the clock, so a handful of reads is always enough)."""
    for _ in range(POLL_LIMIT):
        value = read()
        if done(value):
            return value
    raise AssertionError("the batch did not end")


@pytest.fixture
def fake_wall(monkeypatch: pytest.MonkeyPatch) -> Callable[[float], None]:
    """Make the journal's wall clock tick by a fixed step per call, so bursts of calls have
    exact durations whatever the machine's load. Call it with the step in seconds."""

    def install(step: float) -> None:
        ticks = itertools.count()
        monkeypatch.setattr(
            journal._Wall, "now", staticmethod(lambda: 1_800_000_000.0 + next(ticks) * step)
        )

    return install
