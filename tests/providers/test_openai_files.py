"""OpenAI Files API through the official SDK (reference §1.2)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import openai
import pytest
from openai import OpenAI
from openai.types import FileObject

from emulator import Emulator
from emulator.handle import EmulatorHandle
from tests.providers.conftest import chat_file, fixture_bytes

THIRTY_DAYS = 30 * 86_400


def _message(err: openai.APIStatusError) -> str:
    """The envelope's own message (`str(err)` adds a version-specific prefix)."""
    assert isinstance(err.body, dict)
    return str(err.body["message"])


def test_upload_returns_the_file_object(openai_sdk: OpenAI) -> None:
    data = fixture_bytes("chat.jsonl")
    raw = openai_sdk.files.with_raw_response.create(file=("chat.jsonl", data), purpose="batch")
    body = raw.http_response.json()
    assert set(body) == {
        "id",
        "object",
        "bytes",
        "created_at",
        "expires_at",
        "filename",
        "purpose",
        "status",
        "status_details",
    }
    created = raw.parse()
    FileObject.model_validate(body)
    assert created.id.startswith("file-")
    assert created.object == "file"
    assert created.bytes == len(data)
    assert created.filename == "chat.jsonl"
    assert created.purpose == "batch"
    assert created.status == "processed"
    assert created.status_details is None
    assert created.expires_at == created.created_at + THIRTY_DAYS
    assert raw.headers["content-type"] == "application/json"
    assert raw.request_id and raw.request_id.startswith("req_")


def test_upload_from_a_path_uses_its_name(openai_sdk: OpenAI, tmp_path: Any) -> None:
    path = tmp_path / "inputs.jsonl"
    path.write_bytes(chat_file(2))
    created = openai_sdk.files.create(file=path, purpose="batch")
    assert created.filename == "inputs.jsonl"
    assert openai_sdk.files.content(created.id).content == chat_file(2)


def test_expires_after_bracket_fields(openai_sdk: OpenAI) -> None:
    created = openai_sdk.files.create(
        file=("a.jsonl", chat_file(1)),
        purpose="batch",
        expires_after={"anchor": "created_at", "seconds": 3600},
    )
    assert created.expires_at == created.created_at + 3600


def test_expires_after_out_of_range(openai_sdk: OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as info:
        openai_sdk.files.create(
            file=("a.jsonl", chat_file(1)),
            purpose="batch",
            expires_after={"anchor": "created_at", "seconds": 60},
        )
    assert info.value.param == "expires_after.seconds"


def test_non_batch_purpose_has_no_default_expiry(openai_sdk: OpenAI) -> None:
    created = openai_sdk.files.create(file=("notes.txt", b"hello"), purpose="user_data")
    assert created.expires_at is None
    assert created.purpose == "user_data"


@pytest.mark.parametrize(
    ("name", "data", "hint"),
    [
        ("input.json", chat_file(1), ".jsonl"),
        ("input.txt", chat_file(1), ".jsonl"),
        ("empty.jsonl", b"", "jsonl"),
        ("blank.jsonl", b"\n\n  \n", "jsonl"),
        ("garbage.jsonl", b"this is not json\n" + chat_file(1), "jsonl"),
    ],
)
def test_upload_time_rejections(openai_sdk: OpenAI, name: str, data: bytes, hint: str) -> None:
    with pytest.raises(openai.BadRequestError) as info:
        openai_sdk.files.create(file=(name, data), purpose="batch")
    err = info.value
    assert err.status_code == 400
    assert err.type == "invalid_request_error"
    assert "invalid file format" in _message(err).lower()
    assert hint in _message(err)
    assert err.request_id is not None
    assert openai_sdk.files.list().data == []


def test_later_bad_lines_are_accepted_at_upload(openai_sdk: OpenAI) -> None:
    """Only the first line is checked at upload; the rest fails at batch validation."""
    created = openai_sdk.files.create(
        file=("bad.jsonl", fixture_bytes("bad_lines.jsonl")), purpose="batch"
    )
    assert created.status == "processed"


@pytest.mark.parametrize(
    ("purpose", "code"),
    [(None, "missing_required_parameter"), ("training", None)],  # recorded: no code
)
def test_bad_purpose(openai_sdk: OpenAI, purpose: str | None, code: str) -> None:
    form: dict[str, Any] = {} if purpose is None else {"purpose": purpose}
    response = httpx.post(
        f"{openai_sdk.base_url}files",
        headers={"authorization": "Bearer sk-test"},
        data=form,
        files={"file": ("a.jsonl", chat_file(1))},
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["type"], error["param"], error["code"]) == (
        "invalid_request_error",
        "purpose",
        code,
    )


@pytest.mark.batch_emulator(max_file_bytes=1000)
def test_oversize_upload_is_refused(openai_sdk: OpenAI) -> None:
    openai_sdk.files.create(file=("fits.jsonl", chat_file(1)), purpose="batch")
    big = chat_file(40)
    assert len(big) > 1000
    with pytest.raises(openai.BadRequestError) as info:
        openai_sdk.files.create(file=("big.jsonl", big), purpose="batch")
    assert _message(info.value) == "File is too large."
    assert [f.filename for f in openai_sdk.files.list()] == ["fits.jsonl"]


def test_chunked_oversize_upload_is_cut_off_mid_stream() -> None:
    """No Content-Length: the server stops pulling the body once past the cap."""
    emulator = Emulator(max_file_bytes=1000)
    chunk, chunks = b"x" * 8192, 2000  # ~16 MB offered
    pulled = 0

    async def body() -> Any:
        nonlocal pulled
        yield b'--b\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nbatch\r\n'
        yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.jsonl"\r\n\r\n'
        for _ in range(chunks):
            pulled += 1
            yield chunk

    async def send() -> httpx.Response:
        transport = httpx.ASGITransport(app=emulator.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://emu") as client:
            return await client.post(
                "/v1/files",
                content=body(),
                headers={
                    "authorization": "Bearer k",
                    "content-type": "multipart/form-data; boundary=b",
                },
            )

    response = asyncio.run(send())
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "File is too large."
    assert pulled < 20, f"the server read {pulled} chunks of an oversize upload"


def test_retrieve_content_and_delete(openai_sdk: OpenAI) -> None:
    data = fixture_bytes("embeddings.jsonl")
    created = openai_sdk.files.create(file=("emb.jsonl", data), purpose="batch")
    assert openai_sdk.files.retrieve(created.id) == created
    assert openai_sdk.files.content(created.id).content == data
    assert openai_sdk.files.content(created.id).content == data
    deleted = openai_sdk.files.delete(created.id)
    assert (deleted.id, deleted.object, deleted.deleted) == (created.id, "file", True)
    for call in (openai_sdk.files.retrieve, openai_sdk.files.content, openai_sdk.files.delete):
        with pytest.raises(openai.NotFoundError) as info:
            call(created.id)
        assert info.value.param == "id"
        assert _message(info.value) == f"No such File object: {created.id}"


def test_download_refused_for_user_data(openai_sdk: OpenAI) -> None:
    created = openai_sdk.files.create(file=("notes.txt", b"private"), purpose="user_data")
    with pytest.raises(openai.BadRequestError) as info:
        openai_sdk.files.content(created.id)
    assert _message(info.value) == "Not allowed to download files of purpose: user_data"


def test_list_filters_orders_and_pages(openai_sdk: OpenAI, batch_emulator: EmulatorHandle) -> None:
    ids = []
    for i in range(5):
        purpose = "user_data" if i == 2 else "batch"
        name = f"f{i}.txt" if purpose == "user_data" else f"f{i}.jsonl"
        ids.append(openai_sdk.files.create(file=(name, chat_file(1)), purpose=purpose).id)
        batch_emulator.advance(1)
    batch_ids = [fid for i, fid in enumerate(ids) if i != 2]

    newest_first = [f.id for f in openai_sdk.files.list()]
    assert newest_first == ids[::-1]
    assert [f.id for f in openai_sdk.files.list(order="asc")] == ids
    assert [f.id for f in openai_sdk.files.list(purpose="batch")] == batch_ids[::-1]

    page = openai_sdk.files.list(limit=2, order="asc")
    assert [f.id for f in page.data] == ids[:2]
    assert page.has_more is True
    assert [f.id for f in page] == ids  # the SDK follows `after` cursors
    tail = openai_sdk.files.list(limit=10, order="asc", after=ids[2])
    assert [f.id for f in tail.data] == ids[3:]
    assert tail.has_more is False

    raw = openai_sdk.files.with_raw_response.list(limit=2).http_response.json()
    assert raw["object"] == "list"
    assert (raw["first_id"], raw["last_id"]) == (ids[4], ids[3])


@pytest.mark.parametrize(("query", "param"), [({"order": "up"}, "order"), ({"limit": 0}, "limit")])
def test_list_rejects_bad_query(openai_sdk: OpenAI, query: dict[str, Any], param: str) -> None:
    with pytest.raises(openai.BadRequestError) as info:
        openai_sdk.files.list(**query)
    assert info.value.param == param


def test_async_files_round_trip(batch_emulator: EmulatorHandle) -> None:
    async def run() -> None:
        async with openai.AsyncOpenAI(
            base_url=batch_emulator.openai_base_url, api_key="sk-test"
        ) as client:
            data = fixture_bytes("moderations.jsonl")
            created = await client.files.create(file=("mod.jsonl", data), purpose="batch")
            assert (await client.files.retrieve(created.id)).bytes == len(data)
            assert (await client.files.content(created.id)).content == data
            assert [f.id async for f in client.files.list()] == [created.id]
            assert (await client.files.delete(created.id)).deleted is True

    asyncio.run(run())
