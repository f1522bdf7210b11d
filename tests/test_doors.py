"""The cross-door contract: every door onto a batch sees the same batch.

A batch can be reached through its native routes, Bifrost's unified API, Bifrost's
provider-compatible routes, the control plane and the Python handle. Each test drives one
scenario and reads it back through every door that reaches the batch, comparing state, counts,
result files, result order and errors. A new provider joins by adding its doors here.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import anthropic
import httpx
import openai
import pytest
from google import genai
from openai import OpenAI

from emulator.handle import EmulatorHandle

CHAT = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}
CLAUDE = {
    "model": "claude-sonnet-4-5",
    "max_tokens": 32,
    "messages": [{"role": "user", "content": "hi"}],
}
ERRORS = {"x-emulator-scenario": "errors:0.5"}
IDS = [f"r{i}" for i in range(8)]


def jsonl(ids: list[str]) -> bytes:
    lines = [
        {"custom_id": c, "method": "POST", "url": "/v1/chat/completions", "body": CHAT} for c in ids
    ]
    return "".join(json.dumps(line) + "\n" for line in lines).encode()


@pytest.fixture
def http(batch_emulator: EmulatorHandle) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=batch_emulator.url, timeout=10) as client:
        yield client


@pytest.fixture
def native_openai(batch_emulator: EmulatorHandle) -> Iterator[OpenAI]:
    with OpenAI(base_url=batch_emulator.openai_base_url, api_key="sk-test", max_retries=0) as c:
        yield c


@pytest.fixture
def compat_openai(batch_emulator: EmulatorHandle) -> Iterator[OpenAI]:
    base = batch_emulator.bifrost_base_url + "/openai/v1"
    with OpenAI(base_url=base, api_key="bf-test", max_retries=0) as c:
        yield c


def control_batch(http: httpx.Client, batch_id: str) -> dict[str, Any]:
    listed = http.get("/_emulator/batches").json()["data"]
    return next(b for b in listed if b["id"] == batch_id)


def handle_batch(emulator: EmulatorHandle, batch_id: str) -> Any:
    return next(v for v in emulator.batches if v.batch.id == batch_id)


# -- OpenAI: result files exist once the batch has finished, whoever looks first ---------------
def _openai_batch(client: OpenAI) -> str:
    upload = client.files.create(file=("in.jsonl", jsonl(IDS)), purpose="batch")
    batch = client.batches.create(
        input_file_id=upload.id,
        endpoint="/v1/chat/completions",
        completion_window="24h",
        extra_headers=ERRORS,
    )
    return batch.id


def _files_native(ctx: dict[str, Any]) -> set[str]:
    return {f.id for f in ctx["native"].files.list() if f.purpose == "batch_output"}


def _files_compat(ctx: dict[str, Any]) -> set[str]:
    return {f.id for f in ctx["compat"].files.list() if f.purpose == "batch_output"}


def _files_unified(ctx: dict[str, Any]) -> set[str]:
    body = ctx["http"].get("/bifrost/v1/files", params={"provider": "openai"}).json()
    return {f["id"] for f in body["data"] if f["purpose"] == "batch_output"}


def _files_control(ctx: dict[str, Any]) -> set[str]:
    summary = control_batch(ctx["http"], ctx["batch_id"])
    return {summary["output_file_id"], summary["error_file_id"]}


def _files_handle(ctx: dict[str, Any]) -> set[str]:
    batch = handle_batch(ctx["emulator"], ctx["batch_id"]).batch
    return {batch.output_file_id, batch.error_file_id}


FIRST_LOOKS: dict[str, Callable[[dict[str, Any]], set[str]]] = {
    "native files list": _files_native,
    "bifrost-compatible files list": _files_compat,
    "bifrost unified files list": _files_unified,
    "control plane": _files_control,
    "python handle": _files_handle,
}


@pytest.mark.parametrize("first", list(FIRST_LOOKS))
def test_openai_unread_batch_has_its_files_at_its_finish_time_through_every_door(
    first, batch_emulator, http, native_openai, compat_openai
):
    batch_id = _openai_batch(native_openai)
    batch_emulator.advance(hours=1)  # it finished long ago; nobody has read it
    ctx = {
        "native": native_openai,
        "compat": compat_openai,
        "http": http,
        "emulator": batch_emulator,
        "batch_id": batch_id,
    }
    seen_first = FIRST_LOOKS[first](ctx)
    assert len(seen_first) == 2 and None not in seen_first  # output and error file
    for door, look in FIRST_LOOKS.items():
        assert look(ctx) == seen_first, door
    done = native_openai.batches.retrieve(batch_id)
    assert done.status == "completed" and done.completed_at is not None
    assert {done.output_file_id, done.error_file_id} == seen_first
    for file_id in seen_first:
        # Stamped with the instant the batch finished, an hour before anyone read it.
        assert native_openai.files.retrieve(file_id).created_at == done.completed_at
        unified = http.get(f"/bifrost/v1/files/{file_id}", params={"provider": "openai"}).json()
        assert unified["created_at"] == done.completed_at
    assert done.completed_at < batch_emulator.emulator.now() - 3000


def test_openai_counts_and_result_order_agree_through_every_door(
    batch_emulator, http, native_openai, compat_openai
):
    batch_id = _openai_batch(compat_openai)  # made through Bifrost this time
    batch_emulator.advance(hours=1)
    native = native_openai.batches.retrieve(batch_id)
    compat = compat_openai.batches.retrieve(batch_id)
    unified = http.get(f"/bifrost/v1/batches/{batch_id}", params={"provider": "openai"}).json()
    control = control_batch(http, batch_id)
    expected = {"total": 8, "completed": 4, "failed": 4}
    assert native.request_counts is not None and compat.request_counts is not None
    assert native.request_counts.model_dump() == expected
    assert compat.request_counts.model_dump() == expected
    assert unified["request_counts"] == expected
    assert control["counts"]["succeeded"] == 4 and control["counts"]["errored"] == 4
    assert {native.status, compat.status, unified["status"], control["state"]} == {"completed"}
    assert handle_batch(batch_emulator, batch_id).state.value == "completed"
    # One output file, one order: the native file, Bifrost's copy of it and its results list.
    assert native.output_file_id is not None
    native_lines = native_openai.files.content(native.output_file_id).text.splitlines()
    compat_lines = compat_openai.files.content(native.output_file_id).text.splitlines()
    assert native_lines == compat_lines
    results = http.get(f"/bifrost/v1/batches/{batch_id}/results", params={"provider": "openai"})
    order = [json.loads(line)["custom_id"] for line in native_lines]
    assert [r["custom_id"] for r in results.json()["results"]] == order


# -- Anthropic: one result order, whichever door reads the results -----------------------------
def _claude(base_url: str) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=base_url, api_key="test", max_retries=0)


@pytest.mark.batch_emulator(shuffle_results=True)
@pytest.mark.parametrize("made_through", ["native", "bifrost-compatible"])
def test_anthropic_result_order_is_one_per_batch(made_through, batch_emulator, http):
    native = _claude(batch_emulator.anthropic_base_url)
    compat = _claude(batch_emulator.bifrost_base_url + "/anthropic")
    maker = native if made_through == "native" else compat
    requests: Any = [{"custom_id": c, "params": CLAUDE} for c in IDS]
    batch = maker.messages.batches.create(requests=requests, extra_headers=ERRORS)
    batch_emulator.advance(hours=1)
    order_native = [r.custom_id for r in native.messages.batches.results(batch.id)]
    order_compat = [r.custom_id for r in compat.messages.batches.results(batch.id)]
    unified = http.get(f"/bifrost/v1/batches/{batch.id}/results", params={"provider": "anthropic"})
    order_unified = [r["custom_id"] for r in unified.json()["results"]]
    assert sorted(order_native) == sorted(IDS) and order_native != IDS  # shuffled, seeded
    assert order_native == order_compat == order_unified
    native_types = [r.result.type for r in native.messages.batches.results(batch.id)]
    unified_types = [r["result"]["type"] for r in unified.json()["results"]]
    assert native_types == unified_types and native_types.count("errored") == 4
    counts = native.messages.batches.retrieve(batch.id).request_counts
    assert (counts.succeeded, counts.errored) == (4, 4)
    assert compat.messages.batches.retrieve(batch.id).request_counts == counts
    assert control_batch(http, batch.id)["counts"]["errored"] == 4


def test_anthropic_refusals_agree_through_every_door(batch_emulator, http):
    doors = {
        "native": _claude(batch_emulator.anthropic_base_url),
        "bifrost-compatible": _claude(batch_emulator.bifrost_base_url + "/anthropic"),
    }
    batch = doors["native"].messages.batches.create(
        requests=[{"custom_id": "a", "params": CLAUDE}],
        extra_headers={"x-emulator-timing": "manual"},
    )
    for door, client in doors.items():
        with pytest.raises(anthropic.BadRequestError, match="cannot be deleted"):
            client.messages.batches.delete(batch.id)
        with pytest.raises(anthropic.NotFoundError, match="not found"):
            client.messages.batches.retrieve("msgbatch_nope")
        assert client.messages.batches.retrieve(batch.id).processing_status == "in_progress", door
    key = {"x-api-key": "test"}  # the SDK will not ask for results before `results_url` is set
    for prefix in ("", "/bifrost/anthropic"):
        early = http.get(f"{prefix}/v1/messages/batches/{batch.id}/results", headers=key)
        assert early.status_code == 404
        assert (
            early.json()["error"]["message"]
            == f"Message Batch {batch.id} has no available results."
        )
    unified = http.get(f"/bifrost/v1/batches/{batch.id}/results", params={"provider": "anthropic"})
    assert unified.status_code == 500 and "has not ended" in unified.json()["error"]["message"]
    missing = http.get("/bifrost/v1/batches/msgbatch_nope", params={"provider": "anthropic"})
    assert missing.status_code == 404
    assert missing.json()["error"]["message"] == "Message Batch msgbatch_nope not found."
    for state in ("in_progress", "finalizing", "completed"):
        batch_emulator.transition(batch.id, state)
    for client in doors.values():
        with pytest.raises(anthropic.BadRequestError, match="already ended"):
            client.messages.batches.cancel(batch.id)
    ended = http.post(f"/bifrost/v1/batches/{batch.id}/cancel", params={"provider": "anthropic"})
    assert ended.status_code == 400 and "already ended" in ended.json()["error"]["message"]


# -- Gemini: a cancel ends the same whichever door sent it -------------------------------------
def _genai(base_url: str) -> genai.Client:
    return genai.Client(api_key="test", http_options={"base_url": base_url})


def _gemini_job(client: genai.Client) -> str:
    requests: Any = [
        {"contents": [{"role": "user", "parts": [{"text": f"q{i}"}]}], "metadata": {"n": str(i)}}
        for i in range(6)
    ]
    job = client.batches.create(model="gemini-2.5-flash", src=requests)
    assert job.name is not None
    return job.name


def _cancel_native(emulator: EmulatorHandle, http: httpx.Client, name: str) -> None:
    client = _genai(emulator.url)
    client.batches.cancel(name=name)


def _cancel_compat(emulator: EmulatorHandle, http: httpx.Client, name: str) -> None:
    client = _genai(emulator.bifrost_base_url + "/genai")
    client.batches.cancel(name=name)


def _cancel_unified(emulator: EmulatorHandle, http: httpx.Client, name: str) -> None:
    answer = http.post(f"/bifrost/v1/batches/{name}/cancel", params={"provider": "gemini"})
    assert answer.status_code == 200


CANCELS = {
    "native": _cancel_native,
    "bifrost-compatible": _cancel_compat,
    "bifrost unified": _cancel_unified,
}


@pytest.mark.batch_emulator(timing="manual")
@pytest.mark.parametrize("door", list(CANCELS))
def test_gemini_cancel_ends_the_same_through_every_door(door, batch_emulator, http):
    native = _genai(batch_emulator.url)
    compat = _genai(batch_emulator.bifrost_base_url + "/genai")
    name = _gemini_job(native)
    CANCELS[door](batch_emulator, http, name)
    # No clock movement: Gemini's cancel is instant, whichever door sent it.
    assert native.batches.get(name=name).state == "JOB_STATE_CANCELLED"
    assert compat.batches.get(name=name).state == "JOB_STATE_CANCELLED"
    unified = http.get(f"/bifrost/v1/batches/{name}", params={"provider": "gemini"}).json()
    assert (unified["status"], unified["done"]) == ("cancelled", True)
    assert control_batch(http, name.removeprefix("batches/"))["state"] == "cancelled"
    assert handle_batch(batch_emulator, name.removeprefix("batches/")).state.value == "cancelled"


def test_gemini_result_order_and_counts_agree_through_every_door(batch_emulator, http):
    native = _genai(batch_emulator.url)
    compat = _genai(batch_emulator.bifrost_base_url + "/genai")
    name = _gemini_job(compat)
    batch_emulator.advance(hours=1)
    job = native.batches.get(name=name)
    assert job.dest is not None and job.dest.inlined_responses is not None
    native_order = [r.metadata["n"] for r in job.dest.inlined_responses if r.metadata]
    assert native_order == [str(i) for i in range(6)]  # request order
    results = http.get(f"/bifrost/v1/batches/{name}/results", params={"provider": "gemini"})
    unified_order = [r["custom_id"] for r in results.json()["results"]]
    items = handle_batch(batch_emulator, name.removeprefix("batches/")).batch.items
    assert unified_order == [item.custom_id for item in items]
    compat_job = compat.batches.get(name=name)
    assert compat_job.state == job.state == "JOB_STATE_SUCCEEDED"
    unified = http.get(f"/bifrost/v1/batches/{name}", params={"provider": "gemini"}).json()
    assert unified["request_counts"]["total"] == 6 == unified["request_counts"]["succeeded"]
    for client in (native, compat):  # ended: a cancel is refused the same way by each door
        with pytest.raises(genai.errors.ClientError) as refused:
            client.batches.cancel(name=name)
        assert refused.value.code == 400 and "BATCH_STATE_SUCCEEDED" in str(refused.value)
    late = http.post(f"/bifrost/v1/batches/{name}/cancel", params={"provider": "gemini"})
    assert late.status_code == 400 and "BATCH_STATE_SUCCEEDED" in late.json()["error"]["message"]
    with pytest.raises(genai.errors.ClientError) as missing:
        compat.batches.get(name="batches/nope")
    assert missing.value.code == 404
    gone = http.get("/bifrost/v1/batches/batches/nope", params={"provider": "gemini"})
    assert gone.status_code == 404
    assert gone.json()["error"]["message"] == "Requested entity was not found."


@pytest.mark.batch_emulator(timing="immediate")
def test_gemini_file_batch_responses_file_listed_before_anyone_reads_the_job(batch_emulator, http):
    native = _genai(batch_emulator.url)
    line = {"key": "k1", "request": {"contents": [{"role": "user", "parts": [{"text": "hi"}]}]}}
    import io

    uploaded = native.files.upload(
        file=io.BytesIO((json.dumps(line) + "\n").encode()),
        config={"mime_type": "application/jsonl", "display_name": "in"},
    )
    job = native.batches.create(model="gemini-2.5-flash", src=uploaded.name)
    assert job.name is not None
    batch_emulator.advance(minutes=5)
    listed = {f.name: f for f in native.files.list()}
    responses = "files/batch-" + job.name.removeprefix("batches/")
    assert responses in listed  # the job itself was never read
    done = native.batches.get(name=job.name)
    assert done.dest is not None and done.dest.file_name == responses
    assert done.end_time is not None and listed[responses].create_time == done.end_time


def test_an_expired_file_is_gone_through_every_door(
    batch_emulator, http, native_openai, compat_openai
):
    upload = native_openai.files.create(
        file=("in.jsonl", jsonl(["a"])),
        purpose="batch",
        expires_after={"anchor": "created_at", "seconds": 3600},
    )
    assert compat_openai.files.retrieve(upload.id).id == upload.id
    batch_emulator.advance(hours=2)
    for client in (native_openai, compat_openai):
        assert upload.id not in {f.id for f in client.files.list()}
        with pytest.raises(openai.NotFoundError):
            client.files.retrieve(upload.id)
    unified = http.get(f"/bifrost/v1/files/{upload.id}", params={"provider": "openai"})
    assert unified.status_code == 404
    assert unified.json()["error"]["message"] == f"No such File object: {upload.id}"
