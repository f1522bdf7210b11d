"""HTTP faults through google-genai: Google's envelope becomes ClientError / ServerError.

From the reference (anthropic-gemini-batch.md B7) and the SDK (`errors.py`: `.code` is the HTTP
status, `.status` the envelope's `error.status`; `_api_client.py`: no retries unless
`retry_options` are given, then 408/429/5xx are retried).
"""

from __future__ import annotations

import httpx2  # google-genai 3.x's transport
import pytest
from google.genai import errors, types

from emulator import HttpFault
from emulator.core.faults import FaultError
from emulator.handle import EmulatorHandle


def test_429_resource_exhausted_is_client_error(batch_emulator: EmulatorHandle) -> None:
    batch_emulator.faults.add(
        HttpFault(
            status=429,
            dialect="gemini",
            operation="batches.list",
            google_status="RESOURCE_EXHAUSTED",
            message="Quota exceeded.",
        )
    )
    client = batch_emulator.gemini_client()  # keep it: a dropped Client closes its transport
    with pytest.raises(errors.ClientError) as caught:
        list(client.batches.list())
    assert (caught.value.code, caught.value.status) == (429, "RESOURCE_EXHAUSTED")
    assert caught.value.message == "Quota exceeded."


def test_503_is_server_error_and_retried_when_asked(batch_emulator: EmulatorHandle) -> None:
    batch_emulator.faults.add(HttpFault(status=503, dialect="gemini", times=2))
    retry = types.HttpRetryOptions(attempts=3, initial_delay=0.01, max_delay=0.02)
    client = batch_emulator.gemini_client(http_options={"retry_options": retry})
    assert list(client.batches.list()) == []
    assert [e.status for e in batch_emulator.requests] == [503, 503, 200]
    batch_emulator.faults.add(HttpFault(status=500, dialect="gemini", times=1))
    plain = batch_emulator.gemini_client()
    with pytest.raises(errors.ServerError):
        list(plain.batches.list())  # no retry_options: no retry


def test_dropped_connection_surfaces_the_transport_error(batch_emulator: EmulatorHandle) -> None:
    batch_emulator.faults.add(HttpFault.dropped(dialect="gemini", operation="batches.list"))
    client = batch_emulator.gemini_client()
    # A closed socket reads as RemoteProtocolError or, if the close races the request, as a
    # connection reset (ReadError): both are the transport errors google-genai lets through.
    with pytest.raises((httpx2.RemoteProtocolError, httpx2.ReadError)):
        list(client.batches.list())


def test_stainless_retry_headers_are_refused_for_gemini(batch_emulator: EmulatorHandle) -> None:
    with pytest.raises(FaultError, match="google-genai never reads"):
        batch_emulator.faults.add(HttpFault(status=429, dialect="gemini", retry_after_ms=1))
    with pytest.raises(FaultError, match=r"not a status gemini sends; use one of CANCELLED"):
        batch_emulator.faults.add(HttpFault(status=429, dialect="gemini", google_status="TOO_MANY"))
