"""Together against what the real service printed and documented (fixtures/recorded/together/):
the batch objects of a cookbook run (ids, times, user_id, error_file_id on every COMPLETED
batch), its output lines, the API reference's file object, the Node SDK's upload sequence and
the CLI's whoami ids. Compared by shape (keys, JSON types, null vs set) and by format where the
recording fixes one; values only where they are deterministic facts."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

import httpx
import pytest

from emulator.handle import EmulatorHandle
from tests.conformance.recorded import load, nulls, shape

UUID4 = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
FILE_ID = re.compile(r"file-" + UUID4.pattern)
USER_ID = re.compile(r"[0-9a-f]{24}")
LINE_ID = re.compile(r"br_[A-Za-z0-9_-]{43}")
TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")
MODEL = "meta-llama/Llama-3.3-70B-Instruct-Turbo"
AUTH = {"Authorization": "Bearer tg-recorded"}
RECORDED = load("together/cookbook_batches.json")


def lines(n: int) -> bytes:
    body = {"model": MODEL, "messages": [{"role": "user", "content": "hi"}]}
    return "".join(
        json.dumps({"custom_id": f"r{i}", "body": body}) + "\n" for i in range(n)
    ).encode()


def client(handle: EmulatorHandle) -> httpx.Client:
    return httpx.Client(base_url=handle.together_base_url + "/v1", headers=AUTH)


def upload(http: httpx.Client, data: bytes) -> dict[str, Any]:
    """The Node SDK's sequence, replayed from the recording (no preprocess)."""
    first, put, get = load("together/node_sdk_upload.json")["entries"]
    fields = {**first["query"], "file_name": "/work/batch_input.jsonl"}
    started = http.post(
        first["path"],
        params=fields,
        data=fields,
        headers={"Content-Type": first["headers"]["Content-Type"]},
    )
    assert started.status_code == first["expects"]["status"]
    assert all(name in started.headers for name in first["expects"]["headers"])
    sent = httpx.put(
        started.headers["location"],
        content=data,
        headers={"Content-Type": put["headers"]["Content-Type"], "Content-Length": str(len(data))},
    )
    assert sent.status_code == put["expects"]["status"]
    got = http.get(
        get["path"].format(**{"x-together-file-id": started.headers["x-together-file-id"]})
    )
    assert got.status_code == get["expects"]["status"]
    body: dict[str, Any] = got.json()
    return body


def create(http: httpx.Client, file_id: str) -> dict[str, Any]:
    made = http.post(
        "/batches", json={"endpoint": "/v1/chat/completions", "input_file_id": file_id}
    )
    assert made.status_code == 201
    job: dict[str, Any] = made.json()["job"]
    return job


def recorded(status: str) -> list[dict[str, Any]]:
    return [b for b in RECORDED["list_batches"]["body"] if b["status"] == status]


def test_file_object_has_the_reference_keys(batch_emulator: EmulatorHandle) -> None:
    want = load("together/api_reference.json")["file_object"]["body"]
    with client(batch_emulator) as http:
        got = upload(http, lines(3))
    assert shape({k: got[k] for k in want}) == shape(want)
    assert (got["Processed"], got["FileType"], got["LineCount"], got["object"]) == (
        True,
        "jsonl",
        3,
        "file",
    )
    assert FILE_ID.fullmatch(got["id"]) and FILE_ID.fullmatch(RECORDED["upload"]["file_id"])


def test_completed_batch_matches_the_recorded_ones(batch_emulator: EmulatorHandle) -> None:
    """Every COMPLETED batch recorded (three) carries an error_file_id; so does a batch here
    with no failed request, and its error file is empty."""
    with client(batch_emulator) as http:
        job = create(http, upload(http, lines(3))["id"])
        batch_emulator.advance(hours=1)
        got = http.get(f"/batches/{job['id']}").json()
        for want in recorded("COMPLETED"):
            assert shape(got) == shape(want) and nulls(got) == nulls(want) == {"error"}
        assert (
            got["error_file_id"]
            and http.get(f"/files/{got['error_file_id']}/content").content == b""
        )
        for key in ("id",):
            assert UUID4.fullmatch(got[key]) and all(
                UUID4.fullmatch(b[key]) for b in recorded("COMPLETED")
            )
        for key in ("input_file_id", "output_file_id", "error_file_id"):
            assert FILE_ID.fullmatch(got[key]), key
        assert USER_ID.fullmatch(got["user_id"]) and USER_ID.fullmatch(
            recorded("COMPLETED")[0]["user_id"]
        )
        for key in ("created_at", "job_deadline", "completed_at"):
            assert TIME.fullmatch(got[key]) and TIME.fullmatch(recorded("COMPLETED")[0][key]), key
        assert (got["progress"], got["status"]) == (100.0, "COMPLETED")


@pytest.mark.batch_emulator(timing="manual")
def test_in_progress_batch_has_no_file_ids_yet(batch_emulator: EmulatorHandle) -> None:
    want = recorded("IN_PROGRESS")[0]
    with client(batch_emulator) as http:
        job = create(http, upload(http, lines(2))["id"])
        batch_emulator.transition(job["id"], "in_progress")
        got = http.get(f"/batches/{job['id']}").json()
    assert got["status"] == "IN_PROGRESS"
    assert shape(got) == shape(want) and nulls(got) == nulls(want)


def test_job_deadline_is_a_day_after_creation(batch_emulator: EmulatorHandle) -> None:
    """Recorded: 24 h less a few microseconds (the deadline is stamped first); here exactly."""
    for want in RECORDED["list_batches"]["body"]:
        span = _at(want["job_deadline"]) - _at(want["created_at"])
        assert 86_399.99 < span.total_seconds() <= 86_400
    with client(batch_emulator) as http:
        job = create(http, upload(http, lines(1))["id"])
    assert (_at(job["job_deadline"]) - _at(job["created_at"])).total_seconds() == 86_400


def test_one_key_one_user_id(batch_emulator: EmulatorHandle) -> None:
    """Recorded: four batches of one account share one user_id."""
    assert len({b["user_id"] for b in RECORDED["list_batches"]["body"]}) == 1
    with client(batch_emulator) as http:
        file_id = upload(http, lines(1))["id"]
        users = {create(http, file_id)["user_id"] for _ in range(2)}
    with httpx.Client(
        base_url=batch_emulator.together_base_url + "/v1", headers={"Authorization": "Bearer other"}
    ) as other:
        theirs = create(other, upload(other, lines(1))["id"])["user_id"]
    assert len(users) == 1 and theirs not in users


def test_output_lines_are_shaped_as_recorded(batch_emulator: EmulatorHandle) -> None:
    want = RECORDED["output_file"]
    assert all(LINE_ID.fullmatch(i) for i in want["line_ids"])
    with client(batch_emulator) as http:
        job = create(http, upload(http, lines(3))["id"])
        batch_emulator.advance(hours=1)
        done = http.get(f"/batches/{job['id']}").json()
        output = http.get(f"/files/{done['output_file_id']}/content").content.splitlines()
    for raw in output:
        line = json.loads(raw)
        assert list(line) == want["columns"]
        assert list(line["response"]) == want["response_keys"]
        assert LINE_ID.fullmatch(line["id"]) and line["response"]["status_code"] == 200


def test_failures_go_to_the_error_file_only(batch_emulator: EmulatorHandle) -> None:
    """Docs: one output line per successful request, each failure in the error file."""
    with client(batch_emulator) as http:
        file_id = upload(http, lines(6))["id"]
        made = http.post(
            "/batches",
            json={"endpoint": "/v1/chat/completions", "input_file_id": file_id},
            headers={"x-emulator-scenario": "errors:0.5"},
        )
        batch_emulator.advance(hours=1)
        done = http.get(f"/batches/{made.json()['job']['id']}").json()
        good = http.get(f"/files/{done['output_file_id']}/content").content.splitlines()
        bad = http.get(f"/files/{done['error_file_id']}/content").content.splitlines()
    assert done["status"] == "COMPLETED" and (len(good), len(bad)) == (3, 3)
    ids = [json.loads(x)["custom_id"] for x in good + bad]
    assert sorted(ids) == [f"r{i}" for i in range(6)]
    assert all(json.loads(x)["response"]["status_code"] >= 400 for x in bad)


def test_whoami_ids_are_shaped_as_the_cli_guide_prints(batch_emulator: EmulatorHandle) -> None:
    want = load("together/api_reference.json")["whoami"]["cli_json"]
    with client(batch_emulator) as http:
        got = httpx.get(batch_emulator.together_base_url + "/v3/whoami", headers=AUTH).json()
        again = http.get("/whoami").json()
    assert got == again and got["type"] == "project_api_key"
    flat = {
        "api_key_id": got["api_key"]["id"],
        "organization_id": got["organization"]["id"],
        "project_id": got["project"]["id"],
    }
    for key, value in flat.items():
        prefix = want[key].split("_")[0] + "_"
        assert value.startswith(prefix) and len(value) == len(want[key]), (key, value)
    assert set(got["project"]) == {"id", "name", "slug"}


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))
