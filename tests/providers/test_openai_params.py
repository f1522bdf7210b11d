"""Synchronous parameter validation on POST /v1/batches (reference §2.2, §1.3)."""

from __future__ import annotations

from typing import Any

import httpx
import openai
import pytest
from openai import OpenAI

from tests.providers.conftest import chat_file


@pytest.fixture
def input_file_id(openai_sdk: OpenAI) -> str:
    return openai_sdk.files.create(file=("in.jsonl", chat_file(1)), purpose="batch").id


def create(client: OpenAI, file_id: str, **overrides: Any) -> Any:
    params: dict[str, Any] = {
        "input_file_id": file_id,
        "endpoint": "/v1/chat/completions",
        "completion_window": "24h",
        **overrides,
    }
    return client.batches.create(**params)


def raw_create(client: OpenAI, body: Any) -> httpx.Response:
    return httpx.post(
        f"{client.base_url}batches", headers={"authorization": "Bearer sk-test"}, json=body
    )


def test_unsupported_endpoint(openai_sdk: OpenAI, input_file_id: str) -> None:
    with pytest.raises(openai.BadRequestError) as info:
        create(openai_sdk, input_file_id, endpoint="/v1/invalid/endpoint")
    err = info.value
    assert (err.type, err.param, err.code) == ("invalid_request_error", "endpoint", "invalid_value")
    assert isinstance(err.body, dict)
    message = err.body["message"]
    assert message.startswith("Invalid value: '/v1/invalid/endpoint'. Supported values are: ")
    for endpoint in ("/v1/chat/completions", "/v1/completions", "/v1/embeddings", "/v1/responses"):
        assert f"'{endpoint}'" in message


@pytest.mark.parametrize("window", ["1h", "48h", "invalid", ""])
def test_completion_window_must_be_24h(openai_sdk: OpenAI, input_file_id: str, window: str) -> None:
    with pytest.raises(openai.BadRequestError) as info:
        create(openai_sdk, input_file_id, completion_window=window)
    assert (info.value.param, info.value.code) == ("completion_window", "invalid_value")
    assert isinstance(info.value.body, dict)
    assert info.value.body["message"] == f"Invalid value: '{window}'. Supported values are: '24h'."


@pytest.mark.parametrize("missing", ["input_file_id", "endpoint", "completion_window"])
def test_missing_required_parameter(openai_sdk: OpenAI, input_file_id: str, missing: str) -> None:
    body = {
        "input_file_id": input_file_id,
        "endpoint": "/v1/chat/completions",
        "completion_window": "24h",
    }
    del body[missing]
    response = raw_create(openai_sdk, body)
    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "message": f"Missing required parameter: '{missing}'.",
            "type": "invalid_request_error",
            "param": missing,
            "code": "missing_required_parameter",
        }
    }


def test_metadata_at_the_limits_is_accepted(openai_sdk: OpenAI, input_file_id: str) -> None:
    metadata = {f"k{i:02d}" + "x" * 61: "v" * 512 for i in range(16)}
    assert all(len(k) == 64 for k in metadata)
    batch = create(openai_sdk, input_file_id, metadata=metadata)
    assert batch.metadata == metadata


@pytest.mark.parametrize(
    ("metadata", "param"),
    [
        ({f"k{i}": "v" for i in range(17)}, "metadata"),
        ({"k" * 65: "v"}, "metadata"),
        ({"long": "v" * 513}, "metadata.long"),
    ],
)
def test_metadata_limits(
    openai_sdk: OpenAI, input_file_id: str, metadata: dict[str, str], param: str
) -> None:
    with pytest.raises(openai.BadRequestError) as info:
        create(openai_sdk, input_file_id, metadata=metadata)
    assert info.value.param == param
    assert openai_sdk.batches.list().data == []


def test_metadata_value_must_be_a_string(openai_sdk: OpenAI, input_file_id: str) -> None:
    response = raw_create(
        openai_sdk,
        {
            "input_file_id": input_file_id,
            "endpoint": "/v1/chat/completions",
            "completion_window": "24h",
            "metadata": {"tags": ["a", "b"]},
        },
    )
    assert response.status_code == 400
    assert response.json()["error"] == {
        "message": "Invalid type for 'metadata.tags': expected a string, but got an array instead.",
        "type": "invalid_request_error",
        "param": "metadata.tags",
        "code": "invalid_type",
    }


@pytest.mark.parametrize("body", [[], "text", 3, None])
def test_body_must_be_an_object(openai_sdk: OpenAI, body: Any) -> None:
    response = raw_create(openai_sdk, body)
    assert response.status_code == 400
    assert response.json()["error"]["type"] == "invalid_request_error"


def test_output_expires_after_range(openai_sdk: OpenAI, input_file_id: str) -> None:
    with pytest.raises(openai.BadRequestError) as info:
        create(
            openai_sdk,
            input_file_id,
            output_expires_after={"anchor": "created_at", "seconds": 10},
        )
    assert info.value.param == "output_expires_after.seconds"
