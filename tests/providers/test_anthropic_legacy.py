"""The previous SDK generation (anthropic 1.17.0, `x-api-key` + `anthropic-version: 2023-06-01`).

Each snippet runs in a subprocess under .legacy/anthropic, drives the server of this test
session, moves time through the control plane, and prints what it saw as JSON; the assertions
live here. The server runs in this process, so monkeypatching its limits applies to the snippet.
"""

from __future__ import annotations

import json
import textwrap
from typing import Any

import pytest

from emulator.providers.anthropic import params
from tests.legacy import run_legacy

PRELUDE = textwrap.dedent(
    """
    import asyncio, json, os
    import httpx, anthropic
    from anthropic.types import Message
    from anthropic.types.messages import MessageBatchIndividualResponse

    URL = os.environ["EMU_URL"]
    SENT = []
    out = {"version": anthropic.__version__}

    def hook(request):
        SENT.append({"url": str(request.url), **{k.lower(): v for k, v in request.headers.items()}})

    def advance(seconds):
        httpx.post(URL + "/_emulator/clock/advance", json={"seconds": seconds}).raise_for_status()

    def ok(custom_id, max_tokens=64):
        return {"custom_id": custom_id, "params": {"model": "claude-haiku-4-5",
                "max_tokens": max_tokens, "messages": [{"role": "user", "content": "hi"}]}}

    def failure(call):
        try:
            call()
        except anthropic.APIStatusError as err:
            return {"class": type(err).__name__, "status": err.status_code, "body": err.body,
                    "request_id": err.request_id}
        return None

    recording = anthropic.DefaultHttpxClient(event_hooks={"request": [hook]})
    client = anthropic.Anthropic(api_key="test", base_url=URL, max_retries=0,
                                 http_client=recording)
    """
)

SYNC = """
created = [client.messages.batches.create(requests=[ok("a", 1), ok("b")]) for _ in range(3)]
out["created"] = created[0].model_dump(mode="json")
out["create_headers"] = dict(SENT[0])
out["listed"] = [b.id for b in client.messages.batches.list(limit=2)]
out["listed_newer"] = [b.id for b in client.messages.batches.list(before_id=created[0].id, limit=1)]
out["ids"] = [b.id for b in created]
out["early_delete"] = failure(lambda: client.messages.batches.delete(created[0].id))
out["early_results"] = failure(
    lambda: client.get(f"/v1/messages/batches/{created[0].id}/results", cast_to=object))
canceling = client.messages.batches.cancel(created[2].id)
out["canceling"] = canceling.model_dump(mode="json")
advance(3600)
done = client.messages.batches.retrieve(created[0].id)
out["done"] = done.model_dump(mode="json")
lines = list(client.messages.batches.results(created[0].id))
for line in lines:
    MessageBatchIndividualResponse.model_validate(line.model_dump())
    Message.model_validate(line.result.message.model_dump())
out["lines"] = [line.model_dump(mode="json") for line in lines]
out["canceled_lines"] = [l.result.type for l in client.messages.batches.results(created[2].id)]
out["deleted"] = client.messages.batches.delete(created[0].id).model_dump(mode="json")
out["gone"] = failure(lambda: client.messages.batches.retrieve(created[0].id))
beta = client.beta.messages.batches.create(requests=[ok("z")])
out["beta_headers"] = dict(SENT[-1])
out["beta_retrieved"] = client.beta.messages.batches.retrieve(beta.id).id == beta.id
print(json.dumps(out))
"""

ASYNC = """
async def main():
    aclient = anthropic.AsyncAnthropic(api_key="test", base_url=URL)
    first = await aclient.messages.batches.create(requests=[ok("x"), ok("y")])
    second = await aclient.messages.batches.create(requests=[ok("w")])
    out["ids"] = [first.id, second.id]
    out["listed"] = [b.id async for b in aclient.messages.batches.list(limit=1)]
    newer = aclient.messages.batches.list(before_id=first.id, limit=1)
    out["listed_newer"] = [b.id async for b in newer]
    canceling = await aclient.messages.batches.cancel(second.id)
    out["canceling"] = canceling.processing_status
    advance(3600)
    done = await aclient.messages.batches.retrieve(first.id)
    out["done"] = done.model_dump(mode="json")
    decoder = await aclient.messages.batches.results(first.id)
    out["lines"] = [line.model_dump(mode="json") async for line in decoder]
    out["deleted"] = (await aclient.messages.batches.delete(second.id)).type
    await aclient.close()

asyncio.run(main())
print(json.dumps(out))
"""

ERRORS = """
out["not_found"] = failure(lambda: client.messages.batches.retrieve("msgbatch_nope"))
out["duplicate"] = failure(lambda: client.messages.batches.create(requests=[ok("d"), ok("d")]))
out["empty"] = failure(lambda: client.messages.batches.create(requests=[]))
out["bad_id"] = failure(lambda: client.messages.batches.create(requests=[ok("no spaces")]))
many = [ok(f"p{i}") for i in range(200)]  # well over the 8 KiB limit the test sets
out["too_large"] = failure(lambda: client.messages.batches.create(requests=many))
keyless = anthropic.Anthropic(api_key="test", base_url=URL, max_retries=0,
                              default_headers={"X-Api-Key": anthropic.Omit()})
out["no_key"] = failure(lambda: keyless.messages.batches.list())
fault = {"kind": "http", "status": 529, "dialect": "anthropic", "times": 1}
httpx.post(URL + "/_emulator/faults", json=fault).raise_for_status()
out["overloaded"] = failure(lambda: client.messages.batches.list())
print(json.dumps(out))
"""


def run(batch_emulator: Any, snippet: str) -> dict[str, Any]:
    output = run_legacy("anthropic", PRELUDE + textwrap.dedent(snippet), EMU_URL=batch_emulator.url)
    seen: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    assert seen["version"] == "1.17.0"
    return seen


def assert_error(seen: dict[str, Any], cls: str, status: int, error_type: str) -> None:
    assert (seen["class"], seen["status"]) == (cls, status)
    assert seen["body"]["type"] == "error" and seen["body"]["error"]["type"] == error_type
    assert seen["body"]["request_id"] == seen["request_id"]


# Nothing ends by itself in the snippet's first minutes: only the control-plane advance ends it.
SLOW = {"policy": "timed", "validating": 0, "in_progress": 600, "per_request": 0, "finalizing": 0}
SLOW_CANCEL = {**SLOW, "cancel_delay": 30}


@pytest.mark.batch_emulator(timing=SLOW_CANCEL)
def test_legacy_sync_cycle(batch_emulator):
    seen = run(batch_emulator, SYNC)
    headers = seen["create_headers"]
    assert headers["x-api-key"] == "test" and "authorization" not in headers
    assert headers["anthropic-version"] == "2023-06-01"
    assert seen["beta_headers"]["url"].endswith("?beta=true")
    assert "message-batches-2024-09-24" in seen["beta_headers"]["anthropic-beta"]
    assert seen["beta_retrieved"] is True

    ids = seen["ids"]
    assert seen["created"]["processing_status"] == "in_progress"
    assert seen["created"]["request_counts"]["processing"] == 2
    assert seen["listed"] == ids[::-1]
    assert seen["listed_newer"] == [ids[1], ids[2]]
    assert_error(seen["early_delete"], "BadRequestError", 400, "invalid_request_error")
    assert_error(seen["early_results"], "NotFoundError", 404, "not_found_error")
    assert seen["early_results"]["body"]["error"]["message"].endswith("has no available results.")
    assert seen["canceling"]["processing_status"] == "canceling"
    assert seen["canceling"]["cancel_initiated_at"] is not None

    assert seen["done"]["processing_status"] == "ended"
    assert seen["done"]["request_counts"]["succeeded"] == 2
    assert (
        seen["done"]["results_url"] == f"{batch_emulator.url}/v1/messages/batches/{ids[0]}/results"
    )
    lines = {line["custom_id"]: line["result"] for line in seen["lines"]}
    assert lines["a"]["message"]["stop_reason"] == "max_tokens"
    assert lines["b"]["message"]["usage"]["service_tier"] == "batch"
    assert seen["canceled_lines"] == ["canceled", "canceled"]
    assert seen["deleted"] == {"id": ids[0], "type": "message_batch_deleted"}
    assert_error(seen["gone"], "NotFoundError", 404, "not_found_error")


@pytest.mark.batch_emulator(timing=SLOW_CANCEL)
def test_legacy_async_cycle(batch_emulator):
    seen = run(batch_emulator, ASYNC)
    first, second = seen["ids"]
    assert seen["listed"] == [second, first]
    assert seen["listed_newer"] == [second]
    assert seen["canceling"] == "canceling"
    assert seen["done"]["request_counts"]["succeeded"] == 2
    assert sorted(line["custom_id"] for line in seen["lines"]) == ["x", "y"]
    assert seen["deleted"] == "message_batch_deleted"


def test_legacy_errors(batch_emulator, monkeypatch):
    monkeypatch.setattr(params, "MAX_BODY_BYTES", 8192)
    seen = run(batch_emulator, ERRORS)
    assert_error(seen["not_found"], "NotFoundError", 404, "not_found_error")
    assert_error(seen["duplicate"], "BadRequestError", 400, "invalid_request_error")
    assert_error(seen["empty"], "BadRequestError", 400, "invalid_request_error")
    assert_error(seen["bad_id"], "BadRequestError", 400, "invalid_request_error")
    assert_error(seen["too_large"], "RequestTooLargeError", 413, "request_too_large")
    assert_error(seen["no_key"], "AuthenticationError", 401, "authentication_error")
    assert_error(seen["overloaded"], "OverloadedError", 529, "overloaded_error")
