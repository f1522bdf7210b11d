"""Anthropic error envelopes and statuses, asserted by the SDK's exception classes.

Messages are the live ones recorded in shared/reference (A3, A4, A8); where the reference has
no live text (over 100,000 requests, `limit` bounds) only the status and type are asserted.
"""

from __future__ import annotations

import http.client
import re
from typing import Any

import httpx
import pytest
from anthropic import (
    Anthropic,
    AuthenticationError,
    BadRequestError,
    ContentTooLargeError,
    InternalServerError,
    NotFoundError,
    Omit,
    OverloadedError,
    RateLimitError,
)
from anthropic.types.messages import MessageBatch, MessageBatchErroredResult

from emulator import HttpFault, ItemFault
from emulator.providers.anthropic import params

PATTERN = "^[a-zA-Z0-9_-]{1,64}$"


def ok(custom_id: str) -> dict[str, Any]:
    return {
        "custom_id": custom_id,
        "params": {
            "model": "claude-haiku-4-5",
            "max_tokens": 16,
            "messages": [{"role": "user", "content": "hi"}],
        },
    }


@pytest.fixture
def client(batch_emulator):
    sdk = Anthropic(api_key="test", base_url=batch_emulator.anthropic_base_url, max_retries=0)
    yield sdk
    sdk.close()


def assert_envelope(err: Any, error_type: str) -> None:
    """{"type": "error", "error": {type, message}, "request_id"} and the request-id header."""
    assert err.body["type"] == "error"
    assert err.body["error"]["type"] == error_type
    assert err.body["request_id"] == err.request_id == err.response.headers["request-id"]
    assert re.fullmatch(r"req_[A-Za-z0-9]+", err.request_id)


CREATE_ERRORS = [
    ([{"custom_id": "bad id!", "params": {}}], f"String should match pattern '{PATTERN}'", 0),
    (
        [ok("a"), {"custom_id": "x" * 65, "params": {}}],
        "String should have at most 64 characters",
        1,
    ),
    ([{"params": {}}], "Field required", 0),
]


@pytest.mark.parametrize(("requests", "problem", "index"), CREATE_ERRORS)
def test_create_custom_id_errors(client, requests, problem, index):
    with pytest.raises(BadRequestError) as caught:
        client.messages.batches.create(requests=requests)
    assert_envelope(caught.value, "invalid_request_error")
    assert caught.value.body["error"]["message"] == f"requests.{index}.custom_id: {problem}"


DUPLICATE = "custom_id's must be unique within a batch. Duplicate custom_id found: dup"
LIST_ERRORS = [
    ([ok("dup"), ok("dup")], DUPLICATE),
    ([], "List should have at least 1 item after validation, not 0"),
]


@pytest.mark.parametrize(("requests", "problem"), LIST_ERRORS)
def test_create_list_errors(client, requests, problem):
    with pytest.raises(BadRequestError) as caught:
        client.messages.batches.create(requests=requests)
    assert_envelope(caught.value, "invalid_request_error")
    assert caught.value.body["error"]["message"] == f"requests: {problem}"


def test_body_not_json(client):
    with pytest.raises(BadRequestError) as caught:
        client.post(
            "/v1/messages/batches",
            cast_to=MessageBatch,
            content=b'{"requests": [',
            options={"headers": {"Content-Type": "application/json"}},
        )
    assert_envelope(caught.value, "invalid_request_error")
    assert caught.value.body["error"]["message"].startswith("The request body is not valid JSON: ")


def test_over_100000_requests(client):
    requests = [{"custom_id": f"r{i}", "params": {}} for i in range(100_001)]
    with pytest.raises(BadRequestError) as caught:
        client.messages.batches.create(requests=requests)
    assert_envelope(caught.value, "invalid_request_error")
    assert "100000" in caught.value.body["error"]["message"]


def test_body_over_the_size_limit(client, monkeypatch):
    monkeypatch.setattr(params, "MAX_BODY_BYTES", 4096)  # the real 256 MB is tested below
    padded = ok("big")
    padded["params"]["messages"][0]["content"] = "x" * 5000
    with pytest.raises(ContentTooLargeError) as caught:
        client.messages.batches.create(requests=[padded])
    assert caught.value.status_code == 413
    assert_envelope(caught.value, "request_too_large")


def test_declared_length_over_256_mb_is_refused_before_reading(batch_emulator):
    host, port = batch_emulator.url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    conn.putrequest("POST", "/v1/messages/batches")
    conn.putheader("x-api-key", "test")
    conn.putheader("content-type", "application/json")
    conn.putheader("content-length", str(256 * 1024 * 1024 + 1))
    conn.endheaders()
    response = conn.getresponse()
    assert response.status == 413
    assert b'"request_too_large"' in response.read()
    conn.close()


@pytest.mark.parametrize("authorization", [Omit(), "Basic dXNlcjpwYXNz"])
def test_missing_credentials(batch_emulator, authorization):
    # 2.x sends only `Authorization: Bearer`: leave it out, or send another scheme instead.
    sdk = Anthropic(
        api_key="test",
        base_url=batch_emulator.anthropic_base_url,
        max_retries=0,
        default_headers={"Authorization": authorization},
    )
    with pytest.raises(AuthenticationError) as caught:
        sdk.messages.batches.list()
    assert_envelope(caught.value, "authentication_error")


def test_either_credential_header_is_enough(batch_emulator):
    url = f"{batch_emulator.url}/v1/messages/batches"
    for headers in ({"x-api-key": "k"}, {"authorization": "Bearer k"}, {}):
        response = httpx.get(url, headers={"anthropic-version": "2023-06-01", **headers})
        assert response.status_code == (200 if headers else 401)
        assert response.headers["request-id"].startswith("req_")


def test_unknown_ids_are_404(client):
    missing = "msgbatch_doesnotexist"
    calls = [
        lambda: client.messages.batches.retrieve(missing),
        lambda: client.messages.batches.cancel(missing),
        lambda: client.messages.batches.delete(missing),
        lambda: client.get(f"/v1/messages/batches/{missing}/results", cast_to=object),
    ]
    for call in calls:
        with pytest.raises(NotFoundError) as caught:
            call()
        assert_envelope(caught.value, "not_found_error")
        assert caught.value.body["error"]["message"] == f"Message Batch {missing} not found."


@pytest.mark.parametrize("limit", [0, 1001, "many"])
def test_list_limit_bounds(client, limit):
    with pytest.raises(BadRequestError) as caught:
        client.messages.batches.list(limit=limit)
    assert_envelope(caught.value, "invalid_request_error")


def test_list_limit_1000_is_fine(client):
    assert client.messages.batches.list(limit=1000).data == []


@pytest.mark.batch_emulator(timing="immediate")
def test_cancel_after_ended_is_refused(client):
    batch = client.messages.batches.create(requests=[ok("a")])
    assert client.messages.batches.retrieve(batch.id).processing_status == "ended"
    with pytest.raises(BadRequestError) as caught:
        client.messages.batches.cancel(batch.id)
    assert_envelope(caught.value, "invalid_request_error")


def test_overloaded_fault_renders_529(batch_emulator, client):
    batch_emulator.add_fault(
        HttpFault(status=529, dialect="anthropic", operation="messages.batches.list", times=1)
    )
    with pytest.raises(OverloadedError) as caught:
        client.messages.batches.list()
    assert caught.value.status_code == 529
    assert_envelope(caught.value, "overloaded_error")
    assert client.messages.batches.list().data == []


def test_rate_limit_and_server_faults(batch_emulator, client):
    cases = ((429, RateLimitError, "rate_limit_error"), (500, InternalServerError, "api_error"))
    for status, error, error_type in cases:
        batch_emulator.add_fault(HttpFault(status=status, dialect="anthropic", times=1))
        with pytest.raises(error) as caught:
            client.messages.batches.list()
        assert_envelope(caught.value, error_type)


def test_sdk_retries_through_a_transient_529(batch_emulator):
    batch_emulator.add_fault(HttpFault(status=529, dialect="anthropic", times=2, retry_after_ms=1))
    sdk = Anthropic(api_key="test", base_url=batch_emulator.anthropic_base_url, max_retries=2)
    assert sdk.messages.batches.list().data == []
    seen = [(e.status, e.retry_count) for e in batch_emulator.requests]
    assert seen == [(529, 0), (529, 1), (200, 2)]


@pytest.mark.batch_emulator(timing="immediate")
def test_item_fault_is_an_errored_line(batch_emulator, client):
    batch_emulator.add_fault(ItemFault(custom_id="boom"))
    batch = client.messages.batches.create(requests=[ok("fine"), ok("boom")])
    lines = {line.custom_id: line.result for line in client.messages.batches.results(batch.id)}
    boom = lines["boom"]
    assert isinstance(boom, MessageBatchErroredResult)
    assert boom.error.error.type == "api_error"  # a 500 while running (reference A8)
    assert str(boom.error.request_id).startswith("workerreq_")  # reference A6: ran, then failed
    assert lines["fine"].type == "succeeded"
