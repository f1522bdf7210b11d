"""freezegun compatibility: frozen time reaches batches inside the fixture's server thread.

Instants are computed here from the frozen datetime with exact integer arithmetic, so a drift of
even one second between `tick` and the emulator's clock fails the assertions.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time

from emulator.handle import EmulatorHandle
from tests.test_timing import submit

START = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
T0 = int(START.timestamp())
DAY = 86_400
MINUTE_PHASES = {"policy": "timed", "validating": 60, "in_progress": 60, "per_request": 0}


@pytest.mark.batch_emulator(timing={**MINUTE_PHASES, "finalizing": 60})
def test_tick_moves_batches_by_exactly_that_much(openai_client):
    with freeze_time(START) as frozen:
        batch = submit(openai_client)
        assert batch.created_at == T0
        frozen.tick(59)
        assert openai_client.batches.retrieve(batch.id).status == "validating"
        frozen.tick(1)
        running = openai_client.batches.retrieve(batch.id)
        assert (running.status, running.in_progress_at) == ("in_progress", T0 + 60)
        frozen.tick(timedelta(minutes=2))
        done = openai_client.batches.retrieve(batch.id)
        assert (done.status, done.finalizing_at, done.completed_at) == (
            "completed",
            T0 + 120,
            T0 + 180,
        )


@pytest.mark.batch_emulator(timing="manual")
def test_batch_expires_after_24h_under_freezegun_without_waiting(openai_client):
    wall = time.perf_counter()
    with freeze_time(START) as frozen:
        batch = submit(openai_client)
        assert batch.expires_at == T0 + DAY
        frozen.tick(timedelta(hours=24) - timedelta(seconds=1))
        assert openai_client.batches.retrieve(batch.id).status == "validating"
        frozen.tick(1)
        expired = openai_client.batches.retrieve(batch.id)
    assert (expired.status, expired.expired_at) == ("expired", T0 + DAY)
    assert time.perf_counter() - wall < 5


@pytest.mark.batch_emulator(timing="manual")
def test_batch_expires_after_24h_with_advance(openai_client, batch_emulator):
    wall = time.perf_counter()
    batch = submit(openai_client)
    batch_emulator.advance(hours=23, minutes=59)
    assert openai_client.batches.retrieve(batch.id).status == "validating"
    batch_emulator.advance(minutes=1)
    expired = openai_client.batches.retrieve(batch.id)
    assert (expired.status, expired.expired_at) == ("expired", batch.created_at + DAY)
    assert time.perf_counter() - wall < 5


def test_server_stops_promptly_after_time_was_frozen_and_moved():
    """uvicorn's own loop sleeps on the loop clock; freezegun must not strand it."""
    handle = EmulatorHandle.serve()
    with handle.openai_client() as client, freeze_time(START) as frozen:
        client.batches.list()
        frozen.tick(timedelta(hours=5))
        client.batches.list()
    wall = time.perf_counter()
    handle.stop()
    assert time.perf_counter() - wall < 2
    assert handle.server is not None and not handle.server.running


@pytest.mark.batch_emulator(timing="immediate")
def test_async_client_in_the_test_needs_real_asyncio(batch_emulator):
    """The test's own event loop is frozen too; `real_asyncio=True` keeps it on real time."""

    async def count_batches() -> int:
        client = batch_emulator.async_openai_client()
        submitted = await client.batches.list()
        return len(submitted.data)

    wall = time.perf_counter()
    with freeze_time(START, real_asyncio=True):
        assert asyncio.run(count_batches()) == 0
    assert time.perf_counter() - wall < 2
