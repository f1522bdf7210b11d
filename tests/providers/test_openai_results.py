"""Fake result bodies: valid under the SDK's own types, seeded, byte-identical after a reset."""

from __future__ import annotations

import base64
import math
import struct
from typing import Any

import pytest
from hypothesis import given, settings, strategies as st
from openai import OpenAI
from openai.types import Completion, CreateEmbeddingResponse, ModerationCreateResponse
from openai.types.chat import ChatCompletion
from openai.types.responses import Response
from pydantic import BaseModel

from emulator.clock import ManualClock
from emulator.core.ids import rng_for
from emulator.core.results import GenContext, generate
from emulator.handle import EmulatorHandle
from tests.providers.conftest import fixture_bytes, jsonl, parse_jsonl

SDK_TYPE: dict[str, type[BaseModel]] = {
    "/v1/chat/completions": ChatCompletion,
    "/v1/embeddings": CreateEmbeddingResponse,
    "/v1/completions": Completion,
    "/v1/responses": Response,
    "/v1/moderations": ModerationCreateResponse,
}
FIXTURE = {
    "/v1/chat/completions": "chat.jsonl",
    "/v1/embeddings": "embeddings.jsonl",
    "/v1/completions": "completions.jsonl",
    "/v1/responses": "responses.jsonl",
    "/v1/moderations": "moderations.jsonl",
}
NATIVE_DIMS = {  # reference §8.2
    "text-embedding-3-small": 1536,
    "text-embedding-3-large": 3072,
    "text-embedding-ada-002": 1536,
}


def decoded(body: dict[str, Any]) -> dict[str, Any]:
    """Base64 embeddings as the SDK decodes them: little-endian float32 (reference §8.2)."""
    data = []
    for item in body.get("data", []):
        vector = item["embedding"]
        if isinstance(vector, str):
            raw = base64.b64decode(vector)
            vector = list(struct.unpack(f"<{len(raw) // 4}f", raw))
        data.append({**item, "embedding": vector})
    return {**body, "data": data} if "data" in body else body


def finished_lines(
    client: OpenAI, emu: EmulatorHandle, endpoint: Any, data: bytes
) -> list[dict[str, Any]]:
    upload = client.files.create(file=("input.jsonl", data), purpose="batch")
    batch = client.batches.create(
        input_file_id=upload.id, endpoint=endpoint, completion_window="24h"
    )
    emu.advance(hours=1)
    done = client.batches.retrieve(batch.id)
    assert done.status == "completed" and done.output_file_id is not None
    return parse_jsonl(client.files.content(done.output_file_id).content)


def requests_of(name: str) -> dict[str, dict[str, Any]]:
    return {line["custom_id"]: line["body"] for line in parse_jsonl(fixture_bytes(name))}


@pytest.mark.parametrize("endpoint", list(SDK_TYPE))
def test_bodies_validate_against_the_sdk_types(
    openai_sdk: OpenAI, batch_emulator: EmulatorHandle, endpoint: str
) -> None:
    requests = requests_of(FIXTURE[endpoint])
    lines = finished_lines(openai_sdk, batch_emulator, endpoint, fixture_bytes(FIXTURE[endpoint]))
    assert {line["custom_id"] for line in lines} == set(requests)
    for line in lines:
        body = line["response"]["body"]
        parsed: Any = SDK_TYPE[endpoint].model_validate(decoded(body))
        check_invariants(endpoint, requests[line["custom_id"]], parsed)


def test_chat_honours_n_and_token_limits(
    openai_sdk: OpenAI, batch_emulator: EmulatorHandle
) -> None:
    lines = finished_lines(
        openai_sdk, batch_emulator, "/v1/chat/completions", fixture_bytes("chat.jsonl")
    )
    bodies = {
        line["custom_id"]: ChatCompletion.model_validate(line["response"]["body"]) for line in lines
    }
    assert [len(bodies[f"chat-{i}"].choices) for i in range(1, 6)] == [1, 3, 1, 2, 1]
    assert [c.index for c in bodies["chat-2"].choices] == [0, 1, 2]
    three = bodies["chat-3"]  # max_tokens=3: every realistic reply runs into it
    assert three.choices[0].finish_reason == "length"
    assert three.usage is not None and three.usage.completion_tokens == 3
    five = bodies["chat-4"]  # max_completion_tokens=5, n=2
    assert [c.finish_reason for c in five.choices] == ["length", "length"]
    assert five.usage is not None and five.usage.completion_tokens == 10
    assert bodies["chat-1"].choices[0].finish_reason == "stop"


def test_embedding_shapes(openai_sdk: OpenAI, batch_emulator: EmulatorHandle) -> None:
    lines = finished_lines(
        openai_sdk, batch_emulator, "/v1/embeddings", fixture_bytes("embeddings.jsonl")
    )
    bodies = {line["custom_id"]: line["response"]["body"] for line in lines}
    shapes = {
        cid: [len(decoded(body)["data"][i]["embedding"]) for i in range(len(body["data"]))]
        for cid, body in bodies.items()
    }
    assert shapes == {
        "emb-1": [1536],
        "emb-2": [1536, 1536, 1536],
        "emb-3": [256],
        "emb-4": [1536, 1536],
        "emb-5": [1536],  # one token array is one input
        "emb-6": [1536, 1536],
    }
    assert all(isinstance(item["embedding"], str) for item in bodies["emb-4"]["data"])


@pytest.mark.parametrize(
    ("model", "dimensions"),
    [
        ("text-embedding-ada-002", 256),
        ("text-embedding-3-small", 2048),
        ("text-embedding-3-large", 0),
    ],
)
def test_unsupported_dimensions_fail_the_request(
    openai_sdk: OpenAI, batch_emulator: EmulatorHandle, model: str, dimensions: int
) -> None:
    """The endpoint refuses the request: a 400 line in the error file, not a validation error."""
    good = {
        "custom_id": "ok",
        "method": "POST",
        "url": "/v1/embeddings",
        "body": {"model": model, "input": "x"},
    }
    bad = {**good, "custom_id": "bad", "body": {**good["body"], "dimensions": dimensions}}
    upload = openai_sdk.files.create(file=("in.jsonl", jsonl([good, bad])), purpose="batch")
    batch = openai_sdk.batches.create(
        input_file_id=upload.id, endpoint="/v1/embeddings", completion_window="24h"
    )
    batch_emulator.advance(hours=1)
    done = openai_sdk.batches.retrieve(batch.id)
    assert done.status == "completed"
    assert done.request_counts is not None
    assert (done.request_counts.completed, done.request_counts.failed) == (1, 1)
    assert done.error_file_id is not None
    [line] = parse_jsonl(openai_sdk.files.content(done.error_file_id).content)
    assert line["custom_id"] == "bad" and line["error"] is None
    assert line["response"]["status_code"] == 400
    error = line["response"]["body"]["error"]
    assert (error["type"], error["param"]) == ("invalid_request_error", "dimensions")


def test_responses_have_output_text(openai_sdk: OpenAI, batch_emulator: EmulatorHandle) -> None:
    lines = finished_lines(
        openai_sdk, batch_emulator, "/v1/responses", fixture_bytes("responses.jsonl")
    )
    for line in lines:
        response = Response.model_validate(line["response"]["body"])
        assert response.output_text.strip()
        assert response.id.startswith("resp_")


def run_twice_material(client: OpenAI, emu: EmulatorHandle) -> list[Any]:
    """Every id and byte a client sees in one scripted session."""
    seen: list[Any] = []
    for endpoint, name in FIXTURE.items():
        upload = client.files.create(file=(name, fixture_bytes(name)), purpose="batch")
        batch = client.batches.create(
            input_file_id=upload.id,
            endpoint=endpoint,  # type: ignore[arg-type]
            completion_window="24h",
            extra_headers={"x-emulator-scenario": "errors:0.3"},
        )
        emu.advance(minutes=5)
        done = client.batches.retrieve(batch.id)
        seen += [upload.id, batch.id, done.model_dump_json()]
        for file_id in (done.output_file_id, done.error_file_id):
            seen.append(None if file_id is None else client.files.content(file_id).content)
    return seen


def test_same_calls_after_reset_give_the_same_bytes(
    openai_sdk: OpenAI, batch_emulator: EmulatorHandle, manual_clock: ManualClock
) -> None:
    first = run_twice_material(openai_sdk, batch_emulator)
    seed = batch_emulator.emulator.config.seed
    batch_emulator.emulator.reset(batch_emulator.emulator.config, clock=manual_clock, seed=seed)
    second = run_twice_material(openai_sdk, batch_emulator)
    assert first == second
    batch_emulator.emulator.reset(batch_emulator.emulator.config, clock=manual_clock)
    assert run_twice_material(openai_sdk, batch_emulator)[0] != first[0]  # ids never repeat
    assert any(isinstance(item, bytes) and b"batch_req_" in item for item in first)

    batch_emulator.emulator.reset(batch_emulator.emulator.config.merged(seed=7), clock=manual_clock)
    other_seed = run_twice_material(openai_sdk, batch_emulator)
    assert other_seed != first


def test_fixed_seed_same_body_whatever_the_read_order(
    openai_sdk: OpenAI, batch_emulator: EmulatorHandle, manual_clock: ManualClock
) -> None:
    """A body depends on (seed, batch id, custom_id), not on its neighbours in the file."""
    one = [
        {
            "custom_id": "a",
            "method": "POST",
            "url": "/v1/completions",
            "body": {"model": "gpt-3.5-turbo-instruct", "prompt": "p"},
        }
    ]
    two = [{**one[0], "custom_id": "z"}, one[0]]
    alone = finished_lines(openai_sdk, batch_emulator, "/v1/completions", jsonl(one))
    seed = batch_emulator.emulator.config.seed
    batch_emulator.emulator.reset(batch_emulator.emulator.config, clock=manual_clock, seed=seed)
    paired = finished_lines(openai_sdk, batch_emulator, "/v1/completions", jsonl(two))
    [body] = [line for line in paired if line["custom_id"] == "a"]
    assert body == alone[0]


# -- property: generated request bodies -> SDK-valid bodies with consistent usage --------------
def check_invariants(endpoint: str, request: dict[str, Any], parsed: Any) -> None:
    {
        "/v1/chat/completions": check_chat,
        "/v1/embeddings": check_embeddings,
        "/v1/completions": check_completion,
        "/v1/responses": check_response,
        "/v1/moderations": check_moderation,
    }[endpoint](request, parsed)


def limit_of(request: dict[str, Any], *keys: str) -> int | None:
    return next((request[k] for k in keys if request.get(k) is not None), None)


def check_chat(request: dict[str, Any], body: ChatCompletion) -> None:
    n = request.get("n") or 1
    assert len(body.choices) == n
    assert [c.index for c in body.choices] == list(range(n))
    assert body.usage is not None
    assert body.usage.total_tokens == body.usage.prompt_tokens + body.usage.completion_tokens
    limit = limit_of(request, "max_completion_tokens", "max_tokens")
    if limit is not None:
        assert body.usage.completion_tokens <= limit * n
        if limit == 0:
            assert {c.finish_reason for c in body.choices} == {"length"}
    if all(c.finish_reason == "length" for c in body.choices) and limit is not None:
        assert body.usage.completion_tokens == limit * n
    assert all(c.message.role == "assistant" for c in body.choices)


def count_inputs(value: Any) -> int:
    if isinstance(value, str):
        return 1
    return 1 if all(isinstance(v, int) for v in value) else len(value)


def check_embeddings(request: dict[str, Any], body: CreateEmbeddingResponse) -> None:
    dims = request.get("dimensions") or NATIVE_DIMS[request["model"]]
    assert [d.index for d in body.data] == list(range(count_inputs(request["input"])))
    tolerance = 1e-5 if request.get("encoding_format") == "base64" else 1e-9
    for item in body.data:
        assert len(item.embedding) == dims
        assert math.isclose(math.hypot(*item.embedding), 1.0, abs_tol=tolerance)
    assert body.usage.prompt_tokens == body.usage.total_tokens > 0


def check_completion(request: dict[str, Any], body: Completion) -> None:
    n = request.get("n") or 1
    assert len(body.choices) == n
    assert body.usage is not None
    assert body.usage.total_tokens == body.usage.prompt_tokens + body.usage.completion_tokens
    limit = request.get("max_tokens")
    limit = 16 if limit is None else limit  # the legacy endpoint's documented default
    assert body.usage.completion_tokens <= limit * n


def check_response(request: dict[str, Any], body: Response) -> None:
    assert body.output_text
    assert body.usage is not None
    assert body.usage.total_tokens == body.usage.input_tokens + body.usage.output_tokens
    limit = request.get("max_output_tokens")
    if limit is not None:
        assert body.usage.output_tokens <= limit


def check_moderation(request: dict[str, Any], body: ModerationCreateResponse) -> None:
    assert len(body.results) == count_inputs(request["input"])


TEXT = st.text(min_size=1, max_size=30)
TOKENS = st.lists(st.integers(0, 100_000), min_size=1, max_size=8)
LIMIT = st.none() | st.integers(0, 60)
MESSAGES = st.lists(
    st.fixed_dictionaries({"role": st.sampled_from(["user", "system"]), "content": TEXT}),
    min_size=1,
    max_size=3,
)


def optional(**fields: Any) -> Any:
    return st.fixed_dictionaries({}, optional=fields)


def _embedding_request() -> Any:
    def build(model: str, share: float | None, fmt: str | None, inputs: Any) -> dict[str, Any]:
        body: dict[str, Any] = {"model": model, "input": inputs}
        if share is not None and model != "text-embedding-ada-002":  # only the 3-series shortens
            body["dimensions"] = max(1, round(share * NATIVE_DIMS[model]))
        if fmt is not None:
            body["encoding_format"] = fmt
        return body

    return st.builds(
        build,
        st.sampled_from(list(NATIVE_DIMS)),
        st.none() | st.floats(0, 1),
        st.sampled_from([None, "float", "base64"]),
        TEXT
        | st.lists(TEXT, min_size=1, max_size=4)
        | TOKENS
        | st.lists(TOKENS, min_size=1, max_size=3),
    )


REQUESTS = {
    "/v1/chat/completions": st.builds(
        lambda extra, messages: {"model": "gpt-4o-mini", "messages": messages, **extra},
        optional(n=st.integers(1, 4), max_tokens=LIMIT, max_completion_tokens=LIMIT),
        MESSAGES,
    ),
    "/v1/embeddings": _embedding_request(),
    "/v1/completions": st.builds(
        lambda extra, prompt: {"model": "gpt-3.5-turbo-instruct", "prompt": prompt, **extra},
        optional(n=st.integers(1, 3), max_tokens=LIMIT),
        TEXT,
    ),
    "/v1/responses": st.builds(
        lambda extra, text: {"model": "gpt-4.1-mini", "input": text, **extra},
        optional(max_output_tokens=LIMIT, instructions=TEXT),
        TEXT,
    ),
    "/v1/moderations": st.builds(
        lambda inputs: {"model": "omni-moderation-latest", "input": inputs},
        TEXT | st.lists(TEXT, min_size=1, max_size=4),
    ),
}


def context(endpoint: str, request: dict[str, Any], custom_id: str) -> GenContext:
    return GenContext(
        endpoint=endpoint,
        body=request,
        rng=rng_for(0, "batch_prop", custom_id),
        custom_id=custom_id,
        batch_id="batch_prop",
        model=request["model"],
        created=1_767_225_600,
        seed=0,
    )


@settings(max_examples=50)
@given(data=st.data(), endpoint=st.sampled_from(list(REQUESTS)), custom_id=st.text(max_size=10))
def test_generated_bodies_validate(data: st.DataObject, endpoint: str, custom_id: str) -> None:
    request = data.draw(REQUESTS[endpoint])
    body = generate(context(endpoint, request, custom_id))
    parsed: Any = SDK_TYPE[endpoint].model_validate(decoded(body))
    check_invariants(endpoint, request, parsed)
    assert generate(context(endpoint, request, custom_id)) == body  # seeded: same in, same out
