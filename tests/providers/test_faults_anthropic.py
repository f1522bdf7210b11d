"""HTTP faults through the official anthropic SDK (2.x): the classes of A8 in the reference.

529 -> OverloadedError, 429 -> RateLimitError, a dropped connection -> APIConnectionError, and
the error envelope `{"type": "error", "error": {"type": ...}}` (anthropic-gemini-batch.md A8).
"""

from __future__ import annotations

from typing import Any

import anthropic
import pytest

from emulator import HttpFault
from emulator.handle import EmulatorHandle


def client(handle: EmulatorHandle, **options: Any) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=handle.anthropic_base_url, api_key="sk-ant", **options)


def lists(handle: EmulatorHandle) -> list[Any]:
    return [e for e in handle.requests if e.operation == "messages.batches.list"]


def test_529_is_overloaded_error_after_retries(batch_emulator: EmulatorHandle) -> None:
    sdk = client(batch_emulator)
    batch_emulator.faults.add(
        HttpFault(
            status=529, dialect="anthropic", operation="messages.batches.list", retry_after_ms=1
        )
    )
    with pytest.raises(anthropic.OverloadedError) as caught:
        sdk.messages.batches.list()
    assert caught.value.status_code == 529
    assert isinstance(caught.value.body, dict)
    assert caught.value.body["error"]["type"] == "overloaded_error"
    assert [e.retry_count for e in lists(batch_emulator)] == [0, 1, 2]


def test_429_then_success_is_retried(batch_emulator: EmulatorHandle) -> None:
    sdk = client(batch_emulator)
    batch_emulator.faults.add(
        HttpFault(status=429, operation="messages.batches.list", retry_after_ms=1, times=1)
    )
    sdk.messages.batches.list()
    assert [(e.status, e.dialect) for e in lists(batch_emulator)] == [
        (429, "anthropic"),
        (200, "anthropic"),
    ]


def test_429_spent_is_rate_limit_error(batch_emulator: EmulatorHandle) -> None:
    sdk = client(batch_emulator, max_retries=0)
    batch_emulator.faults.add(HttpFault(status=429, dialect="anthropic"))
    with pytest.raises(anthropic.RateLimitError) as caught:
        sdk.messages.batches.list()
    assert isinstance(caught.value.body, dict)
    assert caught.value.body["error"]["type"] == "rate_limit_error"


def test_dropped_connection_is_connection_error(batch_emulator: EmulatorHandle) -> None:
    sdk = client(batch_emulator, max_retries=0)
    batch_emulator.faults.add(HttpFault.dropped(dialect="anthropic"))
    with pytest.raises(anthropic.APIConnectionError):
        sdk.messages.batches.list()
    assert [e.status for e in lists(batch_emulator)] == [None]


def test_results_download_failing(batch_emulator: EmulatorHandle) -> None:
    sdk = client(batch_emulator, max_retries=0)
    batch = sdk.messages.batches.create(
        requests=[
            {
                "custom_id": "a",
                "params": {
                    "model": "claude-sonnet-4-5",
                    "max_tokens": 16,
                    "messages": [{"role": "user", "content": "hi"}],
                },
            }
        ]
    )
    batch_emulator.advance(hours=1)
    assert sdk.messages.batches.retrieve(batch.id).processing_status == "ended"
    batch_emulator.faults.add(HttpFault.results_unavailable("anthropic", status=500))
    with pytest.raises(anthropic.InternalServerError):
        list(sdk.messages.batches.results(batch.id))
