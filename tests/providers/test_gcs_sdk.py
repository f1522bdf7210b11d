"""The GCS subset through google-cloud-storage unmodified (`STORAGE_EMULATOR_HOST`): the
three upload kinds (media, multipart, resumable: Cloud Storage "Uploads and downloads" docs),
download, list with prefix and paging, delete; and the JSON API error envelope on the wire."""

from __future__ import annotations

import os
from typing import Any

import httpx
import pytest
from google.api_core import exceptions

from emulator.handle import EmulatorHandle


def test_multipart_and_resumable_uploads_round_trip(
    batch_emulator: EmulatorHandle, gcs_client: Any
) -> None:
    bucket = gcs_client.create_bucket("up-bucket")
    bucket.blob("small.txt").upload_from_string(b"hello", content_type="text/plain")
    big = os.urandom(9 * 1024 * 1024 + 17)  # over the client's 8 MiB multipart ceiling
    bucket.blob("big.bin", chunk_size=4 * 1024 * 1024).upload_from_string(big)  # resumable
    ops = [e.operation for e in batch_emulator.requests]
    assert ops.count("objects.resumable") == 3  # 4 + 4 + 1 MiB chunks
    assert bucket.blob("small.txt").download_as_bytes() == b"hello"
    assert bucket.blob("big.bin").download_as_bytes() == big  # checksum-validated
    meta = bucket.get_blob("big.bin")
    assert meta.size == len(big)
    assert meta.content_type == "text/plain"  # upload_from_string's documented default


def test_media_upload_on_the_wire(batch_emulator: EmulatorHandle, gcs_client: Any) -> None:
    gcs_client.create_bucket("media-bucket")
    answer = httpx.post(
        f"{batch_emulator.url}/upload/storage/v1/b/media-bucket/o",
        params={"uploadType": "media", "name": "raw.jsonl"},
        content=b'{"a":1}\n',
        headers={"content-type": "application/jsonl"},
    )
    assert answer.status_code == 200 and answer.json()["size"] == "8"
    blob = gcs_client.bucket("media-bucket").get_blob("raw.jsonl")
    assert blob.content_type == "application/jsonl"


def test_list_with_prefix_and_pages_then_delete(gcs_client: Any) -> None:
    bucket = gcs_client.create_bucket("list-bucket")
    for name in ("a/1", "a/2", "a/3", "b/1"):
        bucket.blob(name).upload_from_string(b"x")
    assert [b.name for b in gcs_client.list_blobs("list-bucket", prefix="a/", page_size=2)] == [
        "a/1",
        "a/2",
        "a/3",
    ]
    bucket.blob("a/2").delete()
    assert [b.name for b in gcs_client.list_blobs("list-bucket", prefix="a/")] == ["a/1", "a/3"]
    with pytest.raises(exceptions.NotFound):
        bucket.blob("a/2").delete()


def test_errors_are_the_json_api_envelope(batch_emulator: EmulatorHandle, gcs_client: Any) -> None:
    with pytest.raises(exceptions.NotFound):
        gcs_client.get_bucket("absent-bucket")
    gcs_client.create_bucket("dup-bucket")
    with pytest.raises(exceptions.Conflict):
        gcs_client.create_bucket("dup-bucket")
    raw = httpx.get(f"{batch_emulator.url}/storage/v1/b/dup-bucket/o/missing")
    assert raw.status_code == 404
    error = raw.json()["error"]
    assert error["code"] == 404 and error["errors"][0]["reason"] == "notFound"


def test_delimiter_lists_prefixes(gcs_client: Any) -> None:
    bucket = gcs_client.create_bucket("folder-bucket")
    for name in ("top.txt", "a/1", "a/2", "b/x/1"):
        bucket.blob(name).upload_from_string(b"x")
    listed = gcs_client.list_blobs("folder-bucket", delimiter="/", page_size=1)
    names = [b.name for b in listed]
    assert names == ["top.txt"]
    assert listed.prefixes == {"a/", "b/"}
