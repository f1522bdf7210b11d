"""Together's upload over raw HTTP, where the wire is the subject.

* The Node SDK's sequence (together-ai `src/lib/upload.ts`, togethercomputer/together-typescript
  5d7f323): `POST /files?file_name&file_type&purpose` with the same fields urlencoded and no
  checksum, answered 302; `PUT <Location>` with `Content-Type: application/octet-stream` and
  `Content-Length`, no credentials; `GET /files/{id}`; never `/preprocess`. A batch created from
  that file runs: Together validates the input during VALIDATING (docs.together.ai batch
  tutorial), so a bad file fails the batch rather than the create.
* The signed PUT (issue 23 item 2): one write per file, only through its own signed URL, never
  over a batch's output or error file, a checksum mismatch changes nothing, streamed against
  the cap (the memory side is measured in test_together_put_memory.py).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from emulator.handle import EmulatorHandle
from tests.providers.conftest import parse_jsonl

MODEL = "meta-llama/Llama-3.3-70B-Instruct-Turbo"
BODY = {"model": MODEL, "messages": [{"role": "user", "content": "hi"}]}
LINES = "".join(json.dumps({"custom_id": f"n{i}", "body": BODY}) + "\n" for i in range(3)).encode()
KEY = {"Authorization": "Bearer tg-node"}


def http(handle: EmulatorHandle) -> httpx.Client:
    return httpx.Client(base_url=handle.together_base_url + "/v1", headers=KEY)


def node_start(client: httpx.Client, name: str = "/tmp/work/batch_input.jsonl") -> httpx.Response:
    """Exactly the Node SDK's first call: the fields in the query string and the body."""
    fields = {"file_name": name, "file_type": "jsonl", "purpose": "batch-api"}
    return client.post(
        "/files",
        params=fields,
        content=httpx.QueryParams(fields).__str__().encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )


def node_put(location: str, data: bytes, **headers: str) -> httpx.Response:
    """The bare `fetch(uploadUrl, {method: 'PUT'})`: no Authorization header."""
    sent = {"Content-Type": "application/octet-stream", "Content-Length": str(len(data))}
    return httpx.put(location, content=data, headers={**sent, **headers})


def node_upload(client: httpx.Client, data: bytes = LINES) -> dict[str, Any]:
    started = node_start(client)
    assert started.status_code == 302, started.text
    assert node_put(started.headers["location"], data).status_code == 200
    got = client.get(f"/files/{started.headers['x-together-file-id']}")
    assert got.status_code == 200
    body: dict[str, Any] = got.json()
    return body


def test_node_sdk_sequence_reaches_a_completed_batch(batch_emulator: EmulatorHandle) -> None:
    with http(batch_emulator) as client:
        uploaded = node_upload(client)
        assert (uploaded["Processed"], uploaded["FileType"], uploaded["LineCount"]) == (
            True,
            "jsonl",
            3,
        )
        assert uploaded["bytes"] == len(LINES) and uploaded["purpose"] == "batch-api"
        created = client.post(
            "/batches", json={"endpoint": "/v1/chat/completions", "input_file_id": uploaded["id"]}
        )
        assert created.status_code == 201, created.text
        job = created.json()["job"]
        batch_emulator.advance(hours=1)
        done = client.get(f"/batches/{job['id']}").json()
        assert done["status"] == "COMPLETED" and done["error"] is None
        output = parse_jsonl(client.get(f"/files/{done['output_file_id']}/content").content)
        assert sorted(line["custom_id"] for line in output) == ["n0", "n1", "n2"]
    operations = [e.operation for e in batch_emulator.requests]
    assert "files.preprocess" not in operations


def test_node_sequence_with_a_bad_file_fails_in_validation(batch_emulator: EmulatorHandle) -> None:
    """No preprocess step to refuse it, so the batch takes it and VALIDATING fails it."""
    with http(batch_emulator) as client:
        uploaded = node_upload(client, b"this is not json\n")
        created = client.post(
            "/batches", json={"endpoint": "/v1/chat/completions", "input_file_id": uploaded["id"]}
        )
        assert created.status_code == 201
        assert created.json()["job"]["status"] == "VALIDATING"
        batch_emulator.advance(hours=1)
        done = client.get(f"/batches/{created.json()['job']['id']}").json()
        assert done["status"] == "FAILED" and done["error"]
        assert done["output_file_id"] is None


def test_a_file_whose_bytes_never_arrived_cannot_start_a_batch(
    batch_emulator: EmulatorHandle,
) -> None:
    with http(batch_emulator) as client:
        file_id = node_start(client).headers["x-together-file-id"]
        assert client.get(f"/files/{file_id}").json()["Processed"] is False
        refused = client.post(
            "/batches", json={"endpoint": "/v1/chat/completions", "input_file_id": file_id}
        )
        assert refused.status_code == 400
        assert refused.json()["error"]["message"] == f"File {file_id} has not been uploaded."
        assert client.get("/batches").json() == []


# -- the signed PUT -------------------------------------------------------------------------
def content(client: httpx.Client, file_id: str) -> bytes:
    return client.get(f"/files/{file_id}/content").content


def test_a_second_put_never_overwrites(batch_emulator: EmulatorHandle) -> None:
    with http(batch_emulator) as client:
        started = node_start(client)
        location, file_id = started.headers["location"], started.headers["x-together-file-id"]
        assert node_put(location, LINES).status_code == 200
        again = node_put(location, b'{"custom_id": "evil"}\n')
        assert again.status_code == 409
        assert "already been uploaded" in again.json()["error"]["message"]
        assert content(client, file_id) == LINES


def test_a_used_input_is_not_overwritten(batch_emulator: EmulatorHandle) -> None:
    with http(batch_emulator) as client:
        started = node_start(client)
        location, file_id = started.headers["location"], started.headers["x-together-file-id"]
        assert node_put(location, LINES).status_code == 200
        client.post("/batches", json={"endpoint": "/v1/chat/completions", "input_file_id": file_id})
        assert node_put(location, b"{}\n").status_code == 409
        assert content(client, file_id) == LINES


def test_result_files_cannot_be_written(batch_emulator: EmulatorHandle) -> None:
    """Output and error files have no signed URL: any PUT to them is refused, content kept."""
    with http(batch_emulator) as client:
        uploaded = node_upload(client)
        job = client.post(
            "/batches", json={"endpoint": "/v1/chat/completions", "input_file_id": uploaded["id"]}
        ).json()["job"]
        batch_emulator.advance(hours=1)
        done = client.get(f"/batches/{job['id']}").json()
        base = batch_emulator.together_base_url + "/v1/files"
        for file_id in (done["output_file_id"], done["error_file_id"]):
            before = content(client, file_id)
            for suffix in ("", "?signature=", "?signature=guess"):
                put = node_put(f"{base}/{file_id}/upload{suffix}", b'{"poisoned": true}\n')
                assert put.status_code == 403, (file_id, suffix, put.text)
            assert content(client, file_id) == before


def test_the_signature_binds_the_url_to_one_file(batch_emulator: EmulatorHandle) -> None:
    """Another key's pending file: its id alone, or this key's signature on it, is not enough."""
    with http(batch_emulator) as client:
        mine = node_start(client)
    with httpx.Client(
        base_url=batch_emulator.together_base_url + "/v1",
        headers={"Authorization": "Bearer tg-other"},
    ) as other:
        theirs = node_start(other)
        their_id = theirs.headers["x-together-file-id"]
        my_signature = httpx.URL(mine.headers["location"]).params["signature"]
        forged = httpx.URL(theirs.headers["location"]).copy_set_param("signature", my_signature)
        assert node_put(str(forged), LINES).status_code == 403
        bare = httpx.URL(theirs.headers["location"]).copy_remove_param("signature")
        assert node_put(str(bare), LINES).status_code == 403
        path = str(bare)
        for odd in ("%C3%A9", "%ED%A0%80", "%FF", "x" * 10_000, "a&signature=b"):  # no 500
            assert node_put(f"{path}?signature={odd}", LINES).status_code == 403, odd
        # their own URL sent with my key as credentials: refused as well
        put = node_put(theirs.headers["location"], LINES, Authorization="Bearer tg-node")
        assert put.status_code == 403
        assert other.get(f"/files/{their_id}").json()["Processed"] is False
        assert node_put(theirs.headers["location"], LINES).status_code == 200


def test_a_checksum_mismatch_changes_nothing(batch_emulator: EmulatorHandle) -> None:
    """The Python SDKs send a sha256 with step 1; wrong bytes leave the file pending and
    empty, and the same URL then takes the right bytes."""
    with http(batch_emulator) as client:
        started = client.post(
            "/files",
            data={
                "purpose": "batch-api",
                "file_name": "x.jsonl",
                "file_type": "jsonl",
                "checksum": hashlib.sha256(LINES).hexdigest(),
            },
        )
        location, file_id = started.headers["location"], started.headers["x-together-file-id"]
        wrong = node_put(location, LINES + b"\n")
        assert wrong.status_code == 400 and "Checksum" in wrong.json()["error"]["message"]
        after = client.get(f"/files/{file_id}").json()
        assert (after["Processed"], after["bytes"], after["LineCount"]) == (False, 0, 0)
        assert node_put(location, LINES).status_code == 200
        assert content(client, file_id) == LINES


def _chunks(total: int, piece: int = 65_536) -> Iterator[bytes]:
    sent = 0
    while sent < total:
        yield b"x" * min(piece, total - sent)
        sent += piece


@pytest.mark.batch_emulator(max_file_bytes=100_000)
def test_the_put_is_capped_while_it_streams(batch_emulator: EmulatorHandle) -> None:
    """Over the cap: 413 whether the size is declared or the body is chunked; the file stays
    pending and empty, and the URL still takes a body within the cap."""
    with http(batch_emulator) as client:
        started = node_start(client)
        location, file_id = started.headers["location"], started.headers["x-together-file-id"]
        declared = node_put(location, b"x" * 100_001)
        assert declared.status_code == 413
        chunked = httpx.put(location, content=_chunks(1_000_000))
        assert chunked.status_code == 413
        assert client.get(f"/files/{file_id}").json()["bytes"] == 0
        assert node_put(location, LINES).status_code == 200


def test_small_form_posts_answer_once_a_big_file_exists(batch_emulator: EmulatorHandle) -> None:
    """Regression: once any stored file passed the offload rule's 512 KB, the rule read every
    small POST body to look for that file's id, and a form parser reading the body again
    through its capped wrapper waited forever (Together's upload start, OpenAI's upload)."""
    with http(batch_emulator) as client:
        big = node_start(client)
        assert node_put(big.headers["location"], LINES * 4_000).status_code == 200  # ~600 KB
        assert node_start(client).status_code == 302
    openai = httpx.post(
        batch_emulator.url + "/v1/files",
        headers={"Authorization": "Bearer sk-test"},
        files={"file": ("small.jsonl", LINES)},
        data={"purpose": "batch"},
        timeout=10,
    )
    assert openai.status_code == 200


def test_the_reference_one_call_upload_feeds_a_batch(batch_emulator: EmulatorHandle) -> None:
    """`POST /files/upload` with the bytes in a multipart form answers the file object, as the
    API reference shows (docs.together.ai/reference/upload-file)."""
    with http(batch_emulator) as client:
        made = client.post(
            "/files/upload",
            data={"purpose": "batch-api", "file_name": "batch_input.jsonl"},
            files={"file": ("batch_input.jsonl", LINES)},
        )
        assert made.status_code == 200, made.text
        body = made.json()
        assert (body["Processed"], body["FileType"], body["LineCount"], body["bytes"]) == (
            True,
            "jsonl",
            3,
            len(LINES),
        )
        assert content(client, body["id"]) == LINES
        job = client.post(
            "/batches", json={"endpoint": "/v1/chat/completions", "input_file_id": body["id"]}
        ).json()["job"]
        batch_emulator.advance(hours=1)
        assert client.get(f"/batches/{job['id']}").json()["status"] == "COMPLETED"
        missing = client.post("/files/upload", data={"purpose": "batch-api", "file_name": "x"})
        assert missing.status_code == 400
