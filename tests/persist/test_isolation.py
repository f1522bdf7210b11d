"""`serve --isolate-keys` through every provider's own SDK over loopback HTTP.

For each provider, key A makes a batch; key B then asks for it and gets exactly what the
provider answers for a batch that never existed (the same exception and status), and its lists
leave it out; key A still sees it, and so does the control plane, unless scoped to key B.
"""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anthropic
import groq
import httpx
import openai
import pytest
import together
from google import genai
from google.genai import errors as genai_errors
from mistralai.client import Mistral

from emulator import Emulator
from emulator.server import ServerThread
from emulator.tenants import IsolateKeys

CHAT = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    emulator = Emulator(timing="immediate")
    server = ServerThread(IsolateKeys(emulator.app, emulator.service))
    yield server.start()
    server.stop()


def jsonl(url: str = "/v1/chat/completions", model: str = "gpt-4o-mini") -> bytes:
    body = {**CHAT, "model": model}
    return (
        json.dumps({"custom_id": "a", "method": "POST", "url": url, "body": body}) + "\n"
    ).encode()


@dataclass(frozen=True)
class Door:
    """One provider through its SDK: make a client for a key, create, get and list batches."""

    client: Callable[[str, str], Any]
    create: Callable[[Any], str]
    get: Callable[[Any, str], Any]
    listed: Callable[[Any], list[str]]


def _openai_create(sdk: Any, endpoint: str = "/v1/chat/completions") -> str:
    file_id = sdk.files.create(file=("in.jsonl", jsonl(endpoint)), purpose="batch").id
    return str(
        sdk.batches.create(input_file_id=file_id, endpoint=endpoint, completion_window="24h").id
    )


def _azure_create(sdk: Any) -> str:
    data = jsonl("/chat/completions", "contoso-gpt4o-global-batch")
    file_id = sdk.files.create(file=("in.jsonl", data), purpose="batch").id
    return str(
        sdk.batches.create(
            input_file_id=file_id, endpoint="/chat/completions", completion_window="24h"
        ).id
    )


def _mistral_create(sdk: Mistral) -> str:
    line = {"custom_id": "a", "body": {"max_tokens": 5, "messages": CHAT["messages"]}}
    data = (json.dumps(line) + "\n").encode()
    file_id = sdk.files.upload(file={"file_name": "in.jsonl", "content": data}, purpose="batch").id
    job = sdk.batch.jobs.create(
        input_files=[file_id], model="mistral-small-latest", endpoint="/v1/chat/completions"
    )
    return str(job.id)


def _together_create(sdk: together.Together, tmp: Path = Path("/tmp")) -> str:
    path = tmp / f"together-{uuid.uuid4().hex}.jsonl"
    line = {"custom_id": "a", "body": {**CHAT, "model": "meta-llama/Llama-3.3-70B-Instruct-Turbo"}}
    path.write_text(json.dumps(line) + "\n")
    try:
        uploaded = sdk.files.upload(file=path, purpose="batch-api")
    finally:
        path.unlink()
    return str(
        sdk.batches.create(input_file_id=uploaded.id, endpoint="/v1/chat/completions").job.id
    )


def _anthropic_create(sdk: anthropic.Anthropic) -> str:
    params = {"model": "claude-3-5-haiku-latest", "max_tokens": 5, "messages": CHAT["messages"]}
    return sdk.messages.batches.create(requests=[{"custom_id": "a", "params": params}]).id  # type: ignore[list-item]


def _gemini_create(sdk: genai.Client) -> str:
    src = [{"contents": [{"parts": [{"text": "hi"}], "role": "user"}]}]
    return str(sdk.batches.create(model="gemini-2.5-flash", src=src).name)  # type: ignore[arg-type]


def _bifrost_create(client: httpx.Client) -> str:
    body = {
        "model": "openai/gpt-4o-mini",
        "endpoint": "/v1/chat/completions",
        "requests": [{"custom_id": "a", "body": CHAT}],
    }
    response = client.post("/v1/batches", json=body)
    assert response.status_code == 200, response.text
    return str(response.json()["id"])


def _bifrost_get(client: httpx.Client, batch_id: str) -> Any:
    response = client.get(f"/v1/batches/{batch_id}", params={"provider": "openai"})
    if response.status_code != 200:
        raise httpx.HTTPStatusError(response.text, request=response.request, response=response)
    return response.json()


def _bifrost_list(client: httpx.Client) -> list[str]:
    body = client.get("/v1/batches", params={"provider": "openai"}).json()
    return [b["id"] for b in body["data"]]


DOORS = {
    "openai": Door(
        lambda url, key: openai.OpenAI(base_url=f"{url}/v1", api_key=key, max_retries=0),
        _openai_create,
        lambda sdk, i: sdk.batches.retrieve(i),
        lambda sdk: [b.id for b in sdk.batches.list()],
    ),
    "azure": Door(
        lambda url, key: openai.AzureOpenAI(
            azure_endpoint=url, api_key=key, api_version="2024-10-21", max_retries=0
        ),
        _azure_create,
        lambda sdk, i: sdk.batches.retrieve(i),
        lambda sdk: [b.id for b in sdk.batches.list()],
    ),
    "groq": Door(
        lambda url, key: groq.Groq(base_url=f"{url}/groq", api_key=key, max_retries=0),
        lambda sdk: _openai_create(sdk),
        lambda sdk, i: sdk.batches.retrieve(i),
        lambda sdk: [b.id for b in sdk.batches.list().data],
    ),
    "mistral": Door(
        lambda url, key: Mistral(api_key=key, server_url=f"{url}/mistral"),
        _mistral_create,
        lambda sdk, i: sdk.batch.jobs.get(job_id=i),
        lambda sdk: [j.id for j in sdk.batch.jobs.list().data],
    ),
    "together": Door(
        lambda url, key: together.Together(base_url=f"{url}/together", api_key=key, max_retries=0),
        _together_create,
        lambda sdk, i: sdk.batches.retrieve(i),
        lambda sdk: [b.id for b in sdk.batches.list()],
    ),
    "anthropic": Door(
        lambda url, key: anthropic.Anthropic(base_url=url, api_key=key, max_retries=0),
        _anthropic_create,
        lambda sdk, i: sdk.messages.batches.retrieve(i),
        lambda sdk: [b.id for b in sdk.messages.batches.list()],
    ),
    "gemini": Door(
        lambda url, key: genai.Client(api_key=key, http_options={"base_url": url}),
        _gemini_create,
        lambda sdk, i: sdk.batches.get(name=i),
        lambda sdk: [j.name for j in sdk.batches.list()],
    ),
    "bifrost": Door(
        lambda url, key: httpx.Client(
            base_url=f"{url}/bifrost", headers={"authorization": f"Bearer {key}"}, timeout=10
        ),
        _bifrost_create,
        _bifrost_get,
        _bifrost_list,
    ),
}


def _refusal(call: Callable[[], Any]) -> tuple[type[BaseException], Any]:
    """The exception a call raises, and its HTTP status as the SDK reports it."""
    with pytest.raises(Exception) as caught:
        call()
    error = caught.value
    status = getattr(error, "status_code", None) or getattr(error, "code", None)
    response = getattr(error, "response", None)
    if status is None and response is not None:
        status = getattr(response, "status_code", None)
    return type(error), status


def _never_existed(batch_id: str) -> str:
    return batch_id[:-4] + "0000"


@pytest.mark.parametrize("provider", sorted(DOORS))
def test_another_key_sees_the_providers_own_not_found(url: str, provider: str) -> None:
    door = DOORS[provider]
    mine, theirs = uuid.uuid4().hex, uuid.uuid4().hex
    owner, other = door.client(url, f"key-{mine}"), door.client(url, f"key-{theirs}")
    batch_id = door.create(owner)
    door.get(owner, batch_id)  # the owner reads it
    assert batch_id in door.listed(owner)
    stranger = _refusal(lambda: door.get(other, batch_id))
    assert stranger == _refusal(lambda: door.get(other, _never_existed(batch_id)))
    assert stranger[1] == 404
    assert batch_id not in door.listed(other)

    control = httpx.Client(base_url=f"{url}/_emulator")
    every = [b["id"] for b in control.get("/batches").json()["data"]]
    scoped = [
        b["id"] for b in control.get("/batches", params={"key": f"key-{theirs}"}).json()["data"]
    ]
    by_header = control.get("/batches", headers={"x-emulator-key": f"key-{mine}"}).json()["data"]
    core_id = next(b for b in every if batch_id.endswith(b) or b.endswith(batch_id.split("/")[-1]))
    assert core_id not in scoped
    assert [b["id"] for b in by_header] == [core_id]
    dashboard = control.get("/dashboard/batches", params={"key": f"key-{mine}"}).json()
    assert [b["id"] for b in dashboard["data"]] == [core_id]
    assert core_id in [b["id"] for b in control.get("/dashboard/batches").json()["data"]]


def test_files_are_per_key_too(url: str) -> None:
    owner = openai.OpenAI(base_url=f"{url}/v1", api_key="files-owner", max_retries=0)
    other = openai.OpenAI(base_url=f"{url}/v1", api_key="files-other", max_retries=0)
    uploaded = owner.files.create(file=("in.jsonl", jsonl()), purpose="batch")
    assert owner.files.content(uploaded.id).content == jsonl()
    with pytest.raises(openai.NotFoundError):
        other.files.retrieve(uploaded.id)
    with pytest.raises(openai.NotFoundError):
        other.files.content(uploaded.id)
    # nor can it build a batch on it: it fails validation as on a file that never existed
    failed = [
        other.batches.create(
            input_file_id=i, endpoint="/v1/chat/completions", completion_window="24h"
        )
        for i in (uploaded.id, _never_existed(uploaded.id))
    ]
    seen = [other.batches.retrieve(b.id) for b in failed]
    assert [b.status for b in seen] == ["failed", "failed"]
    messages = [
        b.errors.data[0].message.replace(i, "ID")
        for b, i in zip(seen, (uploaded.id, _never_existed(uploaded.id)), strict=True)
    ]
    assert messages[0] == messages[1] and "Cannot find file" in messages[0]
    assert uploaded.id not in [f.id for f in other.files.list()]


def test_result_files_belong_to_the_batchs_key_whoever_reads_first(url: str) -> None:
    owner = openai.OpenAI(base_url=f"{url}/v1", api_key="results-owner", max_retries=0)
    other = openai.OpenAI(base_url=f"{url}/v1", api_key="results-other", max_retries=0)
    batch_id = _openai_create(owner)
    other.files.list()  # a read by another key settles every finished batch's files
    output = owner.batches.retrieve(batch_id).output_file_id
    assert output is not None and output not in [f.id for f in other.files.list()]
    assert output in [f.id for f in owner.files.list()]
    with pytest.raises(openai.NotFoundError):
        other.files.content(output)


def test_aws_signature_and_query_keys_name_tenants() -> None:
    from emulator.tenants import api_key

    sigv4 = (
        b"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261206/us-east-1/bedrock/aws4_request, "
        b"SignedHeaders=host;x-amz-date, Signature=abc"
    )
    assert api_key({"headers": [(b"authorization", sigv4)]}) == "AKIDEXAMPLE"
    assert api_key({"headers": [], "query_string": b"alt=sse&key=AIza1"}) == "AIza1"
    assert api_key({"headers": [(b"api-key", b"az")]}) == "az"
    assert api_key({"headers": [(b"x-goog-api-key", b"g")]}) == "g"
    assert api_key({"headers": [(b"x-api-key", b"sk-ant")]}) == "sk-ant"
    assert api_key({"headers": [(b"authorization", b"Bearer sk-1")]}) == "sk-1"


def test_a_reset_scoped_to_a_key_forgets_only_that_keys_batches_and_files(url: str) -> None:
    mine = openai.OpenAI(base_url=f"{url}/v1", api_key="reset-mine", max_retries=0)
    theirs = openai.OpenAI(base_url=f"{url}/v1", api_key="reset-theirs", max_retries=0)
    kept, gone = _openai_create(theirs), _openai_create(mine)
    assert mine.batches.retrieve(gone).output_file_id  # finished: input and output file
    answer = httpx.post(f"{url}/_emulator/reset", params={"key": "reset-mine"}).json()
    assert answer == {"status": "reset", "scope": "key", "batches": 1, "files": 2, "buckets": 0}
    assert mine.batches.list().data == [] and mine.files.list().data == []
    with pytest.raises(openai.NotFoundError):
        mine.batches.retrieve(gone)
    assert theirs.batches.retrieve(kept).status == "completed"
    assert [b.id for b in theirs.batches.list()] == [kept]


def test_uploads_sent_to_a_keyless_upload_url_belong_to_the_key_that_began_them(
    url: str, tmp_path: Path
) -> None:
    """google-genai sends a resumable upload's bytes, and the together SDK its PUT, to the URL
    the first step returned, with no key: that URL acts as the key that started the upload."""
    owner = genai.Client(api_key="up-owner", http_options={"base_url": url})
    other = genai.Client(api_key="up-other", http_options={"base_url": url})
    uploaded = owner.files.upload(file=io.BytesIO(b'{"key": "a"}\n'), config={"mime_type": "jsonl"})
    assert owner.files.get(name=uploaded.name or "").size_bytes == 13
    name = uploaded.name or ""
    stranger = _refusal(lambda: other.files.get(name=name))
    assert stranger == _refusal(lambda: other.files.get(name=_never_existed(name)))
    assert stranger[0] is genai_errors.ClientError  # Gemini's own answer for a missing file
    assert uploaded.name not in [f.name for f in other.files.list()]

    mine = together.Together(base_url=f"{url}/together", api_key="up-owner", max_retries=0)
    theirs = together.Together(base_url=f"{url}/together", api_key="up-other", max_retries=0)
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps({"custom_id": "a", "body": CHAT}) + "\n")
    stored = mine.files.upload(file=path, purpose="batch-api")
    assert mine.files.retrieve(stored.id).id == stored.id
    with pytest.raises(together.NotFoundError):
        theirs.files.retrieve(stored.id)
