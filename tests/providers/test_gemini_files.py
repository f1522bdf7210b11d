"""The Gemini Files API as google-genai drives it: resumable upload, get, list, delete, download.

The protocol facts (headers, the absolute upload URL, no key on the second step, both download
paths) are the reference's B0/B6; the file fields are the SDK's `types.File`.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
from datetime import timedelta
from typing import Any
from urllib.parse import urlparse

import httpx
import pytest
from google import genai
from google.genai import errors, types

MODEL = "gemini-2.5-flash"
LINE = {"key": "k-1", "request": {"contents": [{"parts": [{"text": "hello"}]}]}}
DATA = (json.dumps(LINE) + "\n").encode()


def sdk(emu: Any) -> genai.Client:
    return genai.Client(api_key="test", http_options={"base_url": emu.gemini_base_url})


def upload(client: genai.Client, data: bytes = DATA, **config: Any) -> types.File:
    return client.files.upload(file=io.BytesIO(data), config={"mime_type": "jsonl", **config})


def test_upload_returns_an_active_file(batch_emulator: Any) -> None:
    client = sdk(batch_emulator)
    stored = upload(client, display_name="in")
    assert (stored.name or "").startswith("files/")
    assert stored.display_name == "in" and stored.mime_type == "jsonl"
    assert stored.size_bytes == len(DATA)
    assert stored.state == types.FileState.ACTIVE and stored.source == types.FileSource.UPLOADED
    # Recorded (tidyverse/ellmer _vcr/google-upload.yml): base64 of the hex digest *string*.
    hex_digest = hashlib.sha256(DATA).hexdigest().encode()
    assert stored.sha256_hash == base64.b64encode(hex_digest).decode()
    assert stored.create_time is not None and stored.expiration_time is not None
    assert stored.expiration_time - stored.create_time == timedelta(hours=48)
    assert stored.download_uri is None
    paths = [(r.method, r.path, r.status) for r in batch_emulator.requests]
    assert paths == [("POST", "/upload/v1/files", 200)] * 2


def test_resumable_protocol_by_hand(batch_emulator: Any) -> None:
    """Start with a key, then send two chunks to the returned URL without one (B6)."""
    start_headers = {
        "x-goog-api-key": "test",
        "X-Goog-Upload-Protocol": "resumable",
        "X-Goog-Upload-Command": "start",
        "X-Goog-Upload-Header-Content-Length": str(len(DATA)),
        "X-Goog-Upload-Header-Content-Type": "application/jsonl",
    }
    with httpx.Client() as http:
        start = http.post(
            f"{batch_emulator.url}/upload/v1beta/files",
            headers=start_headers,
            json={"file": {"display_name": "by-hand"}},
        )
        assert start.status_code == 200
        url = start.headers["x-goog-upload-url"]
        assert urlparse(url).netloc == urlparse(batch_emulator.url).netloc
        half = len(DATA) // 2
        first = http.post(
            url,
            headers={"X-Goog-Upload-Command": "upload", "X-Goog-Upload-Offset": "0"},
            content=DATA[:half],
        )
        assert first.status_code == 200 and first.headers["x-goog-upload-status"] == "active"
        last = http.post(
            url,
            headers={
                "X-Goog-Upload-Command": "upload, finalize",
                "X-Goog-Upload-Offset": str(half),
            },
            content=DATA[half:],
        )
    assert last.status_code == 200 and last.headers["x-goog-upload-status"] == "final"
    stored = types.File.model_validate(last.json()["file"])
    assert stored.size_bytes == len(DATA) and stored.display_name == "by-hand"


@pytest.mark.batch_emulator(external_url="https://emulator.example.test/")
def test_upload_url_uses_the_configured_external_url(batch_emulator: Any) -> None:
    with httpx.Client() as http:
        start = http.post(
            f"{batch_emulator.url}/upload/v1/files",
            headers={"x-goog-api-key": "k", "X-Goog-Upload-Command": "start"},
            json={"file": {}},
        )
    assert start.headers["x-goog-upload-url"].startswith(
        "https://emulator.example.test/upload/v1/files?"
    )


def test_starting_an_upload_needs_a_key(batch_emulator: Any) -> None:
    with httpx.Client() as http:
        start = http.post(
            f"{batch_emulator.url}/upload/v1/files",
            headers={"X-Goog-Upload-Command": "start"},
            json={"file": {}},
        )
    assert start.status_code == 403
    assert start.json()["error"]["status"] == "PERMISSION_DENIED"


def test_get_list_and_delete(batch_emulator: Any) -> None:
    client = sdk(batch_emulator)
    names = [upload(client, display_name=f"f{i}").name for i in range(3)]
    got = client.files.get(name=names[0] or "")
    assert got.name == names[0] and got.display_name == "f0"
    pager = client.files.list(config={"page_size": 2})
    assert len(pager.page) == 2
    assert [f.name for f in pager] == names[::-1]
    client.files.delete(name=names[1] or "")
    assert [f.name for f in client.files.list()] == [names[2], names[0]]
    with pytest.raises(errors.ClientError) as caught:
        client.files.get(name=names[1] or "")
    # The Files API answers an unknown file with 403 ("...or it may not exist").
    assert caught.value.code == 403 and caught.value.status == "PERMISSION_DENIED"


def test_responses_file_downloads_from_both_paths(batch_emulator: Any) -> None:
    client = sdk(batch_emulator)
    job = client.batches.create(model=MODEL, src=upload(client).name or "")
    batch_emulator.advance(hours=1)
    done = client.batches.get(name=job.name or "")
    name = done.dest.file_name if done.dest else None
    assert name is not None
    via_sdk = client.files.download(file=name)
    file_id = name.removeprefix("files/")
    with httpx.Client(base_url=batch_emulator.url, headers={"x-goog-api-key": "t"}) as http:
        plain = http.get(f"/v1beta/files/{file_id}:download", params={"alt": "media"})
        prefixed = http.get(f"/download/v1/files/{file_id}:download", params={"alt": "media"})
    assert plain.status_code == prefixed.status_code == 200
    assert via_sdk == plain.content == prefixed.content
    assert json.loads(via_sdk)["key"] == "k-1"
    meta = client.files.get(name=name)
    assert meta.source == types.FileSource.GENERATED and meta.download_uri is not None
    assert meta.size_bytes == len(via_sdk)


def test_uploaded_files_cannot_be_downloaded(batch_emulator: Any) -> None:
    """The SDK: 'Files created by `upload` can't be downloaded.'"""
    client = sdk(batch_emulator)
    stored = upload(client)
    with pytest.raises(errors.ClientError) as caught:
        client.files.download(file=stored.name or "")
    assert caught.value.code == 400


def test_batch_from_an_unknown_file_is_refused(batch_emulator: Any) -> None:
    client = sdk(batch_emulator)
    with pytest.raises(errors.ClientError) as caught:
        client.batches.create(model=MODEL, src="files/doesnotexist")
    assert caught.value.code == 403
