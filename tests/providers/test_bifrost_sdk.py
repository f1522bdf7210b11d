"""Official SDKs through Bifrost's provider-compatible routes, unmodified.

The flows are the ones Bifrost documents (docs/integrations/openai-sdk/files-and-batch.mdx):
`extra_body={"provider": ...}` on create, `extra_query={"provider": ...}` on reads.
"""

from __future__ import annotations

import json

import anthropic
import httpx
import pytest
from google import genai
from openai import OpenAI

from emulator.handle import EmulatorHandle
from tests.providers.test_bifrost_schema import validate

CHAT = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Say hello"}]}
CLAUDE = {
    "model": "claude-3-5-haiku-latest",
    "max_tokens": 64,
    "messages": [{"role": "user", "content": "2+2?"}],
}


def _jsonl(*ids: str) -> bytes:
    lines = [
        json.dumps({"custom_id": c, "method": "POST", "url": "/v1/chat/completions", "body": CHAT})
        for c in ids
    ]
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def oai(batch_emulator: EmulatorHandle) -> OpenAI:
    return OpenAI(base_url=batch_emulator.bifrost_base_url + "/openai/v1", api_key="bf-test")


def test_openai_sdk_files_and_batch_flow_through_bifrost(oai, batch_emulator):
    upload = oai.files.create(
        file=("in.jsonl", _jsonl("r1", "r2")), purpose="batch", extra_body={"provider": "openai"}
    )
    batch = oai.batches.create(
        input_file_id=upload.id,
        endpoint="/v1/chat/completions",
        completion_window="24h",
        extra_body={"provider": "openai"},
    )
    assert batch.status == "validating"
    batch_emulator.advance(hours=1)
    done = oai.batches.retrieve(batch.id, extra_query={"provider": "openai"})
    assert done.status == "completed"
    assert done.request_counts is not None and done.request_counts.completed == 2
    assert done.output_file_id is not None
    lines = oai.files.content(done.output_file_id).text.splitlines()
    assert sorted(json.loads(x)["custom_id"] for x in lines) == ["r1", "r2"]
    assert [b.id for b in oai.batches.list(extra_query={"provider": "openai"})] == [batch.id]


def test_a_batch_made_through_bifrost_openai_is_the_unified_apis_batch(oai, batch_emulator):
    upload = oai.files.create(file=("in.jsonl", _jsonl("x")), purpose="batch")
    batch = oai.batches.create(
        input_file_id=upload.id, endpoint="/v1/chat/completions", completion_window="24h"
    )
    assert oai.batches.cancel(batch.id).status == "cancelling"
    batch_emulator.advance(minutes=1)
    with httpx.Client(base_url=batch_emulator.bifrost_base_url) as client:
        seen = client.get(f"/v1/batches/{batch.id}", params={"provider": "openai"}).json()
        validate("BatchRetrieveResponse", seen)
        assert seen["status"] == "cancelled"
        listed = client.get("/v1/batches", params={"provider": "openai"}).json()
    assert [b["id"] for b in listed["data"]] == [batch.id]
    # ... and the plain OpenAI surface shows it too: Bifrost fronts the same (emulated) OpenAI.
    plain = OpenAI(base_url=batch_emulator.openai_base_url, api_key="sk-test")
    assert plain.batches.retrieve(batch.id).status == "cancelled"


def test_openai_sdk_routes_inline_requests_to_anthropic(oai, batch_emulator):
    batch = oai.batches.create(
        input_file_id="",
        endpoint="/v1/chat/completions",
        completion_window="24h",
        extra_body={
            "provider": "anthropic",
            "requests": [{"custom_id": "q1", "params": CLAUDE}],
        },
    )
    assert batch.id.startswith("msgbatch_")
    assert batch.status == "in_progress"
    batch_emulator.advance(hours=1)
    done = oai.batches.retrieve(batch.id, extra_query={"provider": "anthropic"})
    assert done.status == "ended"  # Bifrost's Anthropic status; the SDK keeps unknown values
    assert done.request_counts is not None and done.request_counts.completed == 1


def test_openai_sdk_gemini_ids_are_rewritten_with_a_dash(oai, batch_emulator):
    batch = oai.batches.create(
        input_file_id="",
        endpoint="/v1/chat/completions",
        completion_window="24h",
        extra_body={
            "provider": "gemini",
            "model": "gemini-2.5-flash",
            "requests": [{"custom_id": "g1", "body": CHAT}],
        },
    )
    assert batch.id.startswith("batches-")  # `batches/x` cannot travel in a URL segment
    batch_emulator.advance(hours=1)
    done = oai.batches.retrieve(batch.id, extra_query={"provider": "gemini"})
    assert done.id == batch.id
    assert done.status == "completed"


def test_anthropic_sdk_through_bifrost(batch_emulator):
    client = anthropic.Anthropic(
        base_url=batch_emulator.bifrost_base_url + "/anthropic", api_key="bf-test"
    )
    batch = client.messages.batches.create(
        requests=[{"custom_id": "q1", "params": CLAUDE}, {"custom_id": "q2", "params": CLAUDE}]
    )
    assert batch.processing_status == "in_progress"
    batch_emulator.advance(hours=1)
    ended = client.messages.batches.retrieve(batch.id)
    assert ended.processing_status == "ended"
    assert ended.request_counts.succeeded == 2
    assert ended.results_url is not None and "/bifrost/anthropic/" in ended.results_url
    results = {r.custom_id: r.result.type for r in client.messages.batches.results(batch.id)}
    assert results == {"q1": "succeeded", "q2": "succeeded"}
    with httpx.Client(base_url=batch_emulator.bifrost_base_url) as http:
        unified = http.get(f"/v1/batches/{batch.id}", params={"provider": "anthropic"}).json()
    validate("BatchRetrieveResponse", unified)
    assert (unified["status"], unified["processing_status"]) == ("ended", "ended")


def test_anthropic_routes_refuse_a_provider_they_do_not_serve(batch_emulator):
    client = anthropic.Anthropic(
        base_url=batch_emulator.bifrost_base_url + "/anthropic",
        api_key="bf-test",
        default_headers={"x-model-provider": "openai"},
        max_retries=0,
    )
    with pytest.raises(anthropic.BadRequestError) as caught:
        client.messages.batches.list()
    assert "x-model-provider" in str(caught.value)


def test_google_genai_sdk_through_bifrost_genai(batch_emulator):
    client = genai.Client(
        api_key="bf-test", http_options={"base_url": batch_emulator.bifrost_base_url + "/genai"}
    )
    job = client.batches.create(
        model="gemini-2.5-flash",
        src=[{"contents": [{"role": "user", "parts": [{"text": "hi"}]}]}],
    )
    assert job.name is not None and job.name.startswith("batches/")
    batch_emulator.advance(hours=1)
    done = client.batches.get(name=job.name)
    assert done.state is not None and done.state.name == "JOB_STATE_SUCCEEDED"
    assert done.dest is not None and done.dest.inlined_responses is not None
    assert len(done.dest.inlined_responses) == 1
    with httpx.Client(base_url=batch_emulator.bifrost_base_url) as http:
        unified = http.get(f"/v1/batches/{job.name}", params={"provider": "gemini"}).json()
    validate("BatchRetrieveResponse", unified)
    assert (unified["id"], unified["status"], unified["done"]) == (job.name, "completed", True)
