"""poll_too_fast through each SDK: a burst of status reads, judged on both clocks.

The journal's wall clock is made to tick a fixed step per call (`fake_wall`) and the emulator
clock stands still unless the test moves it, so every burst has an exact duration on a loaded
machine too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from emulator.clock import ManualClock
from tests.verdict.conftest import anthropic_requests, chat_lines, rules

pytestmark = pytest.mark.batch_emulator(timing="manual")
BUGGY = pytest.mark.batch_emulator(verdict="off")
CAREFUL = pytest.mark.batch_emulator(verdict="strict")
Reader = Callable[[], object]


def openai_reader(handle: Any) -> Reader:
    client = handle.openai_client()
    upload = client.files.create(file=("in.jsonl", chat_lines(1)), purpose="batch")
    batch = client.batches.create(
        input_file_id=upload.id, endpoint="/v1/chat/completions", completion_window="24h"
    )
    return lambda: client.batches.retrieve(batch.id)


def anthropic_reader(handle: Any) -> Reader:
    client = handle.anthropic_client()
    batch = client.messages.batches.create(requests=anthropic_requests(1))
    return lambda: client.messages.batches.retrieve(batch.id)


def gemini_reader(handle: Any) -> Reader:
    client = handle.gemini_client()
    src = [{"contents": [{"role": "user", "parts": [{"text": "hi"}]}]}]
    job = client.batches.create(model="gemini-2.5-flash", src=src)
    return lambda: client.batches.get(name=job.name or "")


# What each provider's documentation waits between status reads (see emulator.core.reading).
READERS = {
    "openai": (openai_reader, 5),
    "anthropic": (anthropic_reader, 60),
    "gemini": (gemini_reader, 30),
}


@pytest.fixture(params=sorted(READERS))
def provider(request: pytest.FixtureRequest, batch_emulator: Any) -> str:
    batch_emulator.reset(clock=ManualClock(1_767_225_600.0))  # the emulator clock stands still
    name: str = request.param
    return name


@BUGGY
def test_a_tight_loop_is_caught(batch_emulator: Any, provider: str, fake_wall: Any) -> None:
    fake_wall(0.001)  # 1 ms a call: 200 reads in 0.2 s
    make, interval = READERS[provider]
    read = make(batch_emulator)
    for _ in range(210):
        read()
    [finding] = batch_emulator.verdict()
    assert (finding.rule, finding.dialect) == ("poll_too_fast", provider)
    assert f"poll every {interval} s" in finding.message
    first, last = finding.evidence
    assert last.wall - first.wall == pytest.approx(0.199)


@BUGGY
def test_the_burst_starts_at_200_reads(batch_emulator: Any, fake_wall: Any) -> None:
    batch_emulator.reset(clock=ManualClock(1_767_225_600.0))
    fake_wall(0.001)
    read = openai_reader(batch_emulator)
    for _ in range(199):
        read()
    assert rules(batch_emulator) == []
    read()
    assert rules(batch_emulator) == ["poll_too_fast"]


@CAREFUL
def test_reads_spread_on_the_emulator_clock_pass(
    batch_emulator: Any, provider: str, fake_wall: Any
) -> None:
    """The test moves the clock between reads, as a client sleeping between polls would."""
    fake_wall(0.001)
    read = READERS[provider][0](batch_emulator)
    for _ in range(210):
        read()
        batch_emulator.advance(seconds=5)


@CAREFUL
def test_a_frozen_clock_alone_is_not_a_tight_loop(
    batch_emulator: Any, provider: str, fake_wall: Any
) -> None:
    """Reads 10 ms apart in real time while the emulator clock stands still: 200 of them take
    2 s, so they are not a burst."""
    fake_wall(0.01)
    read = READERS[provider][0](batch_emulator)
    for _ in range(210):
        read()
