"""Each request shape that once answered 500 (issue 13), now a 4xx in the provider's envelope.

Raw HTTP on purpose: no SDK sends these bodies, headers or numbers, but a fuzzer, a proxy or a
buggy client does. Every case also checks the journal: the call is recorded with its 4xx.
"""

from __future__ import annotations

import base64
import json
import logging
import socket
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from emulator.handle import EmulatorHandle
from tests.hardening.envelopes import ANTHROPIC, GEMINI, JSON, OPENAI, assert_envelope

DEEP = b"[" * 100_000 + b"]" * 100_000
DEEP_OBJECT = b'{"a":' * 3_000 + b"1" + b"}" * 3_000
CHAT = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}
# A non-ASCII digit: `'²'.isdigit()` is True, `int('²')` raises.
SUPERSCRIPT_TWO = "²"


@pytest.fixture
def http(batch_emulator: EmulatorHandle) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=batch_emulator.url, timeout=30) as client:
        yield client


def _multipart(*parts: tuple[str, str | None, bytes]) -> tuple[bytes, dict[str, str]]:
    out = b""
    for name, filename, data in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        out += f"--B\r\nContent-Disposition: {disposition}\r\n\r\n".encode() + data + b"\r\n"
    return out + b"--B--\r\n", {"content-type": "multipart/form-data; boundary=B"}


TWO_FILES = _multipart(
    ("purpose", None, b"batch"), ("file", "a.jsonl", b"{}\n"), ("file", "b.jsonl", b"{}\n")
)
BAD_BOUNDARY = (b"--B\r\nContent-Disposition: form-data\r\n\r\nno end", TWO_FILES[1])
BOUNDARYLESS = (b"garbage", {"content-type": "multipart/form-data"})


@pytest.mark.parametrize(
    "path,auth,dialect",
    [
        ("/v1/files", OPENAI, "openai"),
        ("/bifrost/openai/v1/files", OPENAI, "openai"),
        ("/bifrost/v1/files?provider=openai", {}, "bifrost"),
    ],
)
@pytest.mark.parametrize(
    "form", [TWO_FILES, BAD_BOUNDARY, BOUNDARYLESS], ids=["2files", "cut", "nob"]
)
def test_malformed_multipart_is_a_400(
    http: httpx.Client,
    path: str,
    auth: dict[str, str],
    dialect: str,
    form: tuple[bytes, dict[str, str]],
) -> None:
    body, headers = form
    assert_envelope(http.post(path, content=body, headers={**auth, **headers}), dialect)


@pytest.mark.parametrize(
    "path,headers,dialect",
    [
        ("/v1/batches?limit=%C2%B2", OPENAI, "openai"),
        ("/v1/files?limit=%D9%A3", OPENAI, "openai"),  # Arabic-Indic three: int() reads it
        ("/v1/messages/batches?limit=%D9%A3", ANTHROPIC, "anthropic"),
        ("/v1beta/batches?pageSize=%C2%B2", GEMINI, "gemini"),
        ("/v1beta/files?pageSize=%C2%B2", GEMINI, "gemini"),
        ("/bifrost/v1/batches?provider=openai&limit=%C2%B2", {}, "bifrost"),
        ("/bifrost/v1/files?provider=openai&limit=%C2%B2", {}, "bifrost"),
        ("/v1beta/batches?pageToken=%C3%A9", GEMINI, "gemini"),
        ("/v1beta/files?pageToken=%C3%A9%00", GEMINI, "gemini"),
        ("/v1/batches?limit=" + "9" * 5000, OPENAI, "openai"),
    ],
)
def test_numbers_and_tokens_are_read_by_the_ascii_rule(
    http: httpx.Client, path: str, headers: dict[str, str], dialect: str
) -> None:
    assert_envelope(http.get(path, headers=headers), dialect)


@pytest.mark.parametrize(
    "path,headers",
    [
        ("/v1/batches", OPENAI),
        ("/v1/messages/batches", ANTHROPIC),
        ("/v1beta/batches", GEMINI),
        ("/bifrost/v1/batches?provider=openai", {}),
    ],
)
@pytest.mark.parametrize("header", ["x-stainless-retry-count", "x-goog-api-retry-count"])
def test_a_non_ascii_retry_count_is_ignored_not_a_crash(
    batch_emulator: EmulatorHandle,
    http: httpx.Client,
    path: str,
    headers: dict[str, str],
    header: str,
) -> None:
    response = http.get(path, headers={**headers, header: SUPERSCRIPT_TWO.encode("latin-1")})
    assert response.status_code == 200
    [entry] = batch_emulator.requests
    assert entry.status == 200 and entry.retry_count is None


JSON_ROUTES = [
    ("POST", "/v1/batches", OPENAI, "openai"),
    ("POST", "/v1/batches/batch_x/cancel", OPENAI, "openai"),
    ("POST", "/v1/messages/batches", ANTHROPIC, "anthropic"),
    ("POST", "/v1beta/models/gemini-2.5-flash:batchGenerateContent", GEMINI, "gemini"),
    ("POST", "/v1/models/gemini-2.5-flash:batchGenerateContent", GEMINI, "gemini"),
    ("POST", "/upload/v1beta/files", {**GEMINI, "x-goog-upload-command": "start"}, "gemini"),
    ("POST", "/bifrost/v1/batches", {}, "bifrost"),
    ("POST", "/bifrost/v1/batches?provider=anthropic", {}, "bifrost"),
    ("POST", "/bifrost/openai/v1/batches", OPENAI, "openai"),
    ("POST", "/bifrost/openai/v1/batches/batch_x/cancel", OPENAI, "openai"),
    ("POST", "/bifrost/anthropic/v1/messages/batches", ANTHROPIC, "anthropic"),
    (
        "POST",
        "/bifrost/genai/v1beta/models/gemini-2.5-flash:batchGenerateContent",
        GEMINI,
        "gemini",
    ),
    ("POST", "/_emulator/faults", JSON, "control"),
    ("POST", "/_emulator/clock/advance", JSON, "control"),
    ("PATCH", "/_emulator/config", JSON, "control"),
    ("POST", "/_emulator/batches/b/transition", JSON, "control"),
]


@pytest.mark.parametrize("method,path,headers,dialect", JSON_ROUTES)
@pytest.mark.parametrize("body", [DEEP, DEEP_OBJECT], ids=["array", "object"])
def test_deeply_nested_json_is_a_400(
    http: httpx.Client,
    method: str,
    path: str,
    headers: dict[str, str],
    dialect: str,
    body: bytes,
) -> None:
    if "bifrost/anthropic" in path or "bifrost/genai" in path:
        headers = {**headers, "x-model-provider": path.split("/")[2].replace("genai", "gemini")}
    response = http.request(method, path, content=body, headers=headers)
    assert_envelope(response, dialect)


def _deep_line() -> bytes:
    return b'{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":' + (
        b"[" * 5_000 + b"]" * 5_000 + b"}\n"
    )


def test_an_upload_whose_first_line_is_deep_is_refused(http: httpx.Client) -> None:
    body, headers = _multipart(("purpose", None, b"batch"), ("file", "a.jsonl", _deep_line()))
    response = http.post("/v1/files", content=body, headers={**OPENAI, **headers})
    assert "first line is not valid JSON" in assert_envelope(response, "openai")["error"]["message"]


def test_a_deep_line_in_a_batch_input_is_that_line_s_error(
    batch_emulator: EmulatorHandle, http: httpx.Client
) -> None:
    good = json.dumps(
        {"custom_id": "ok", "method": "POST", "url": "/v1/chat/completions", "body": CHAT}
    )
    deep = (
        b'{"custom_id":"deep","method":"POST","url":"/v1/chat/completions","body":{"model":'
        b'"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"x":'
        + b"[" * 500
        + b"]" * 500
        + b"}}\n"
    )
    body, headers = _multipart(
        ("purpose", None, b"batch"), ("file", "a.jsonl", good.encode() + b"\n" + deep)
    )
    file_id = http.post("/v1/files", content=body, headers={**OPENAI, **headers}).json()["id"]
    create = {
        "input_file_id": file_id,
        "endpoint": "/v1/chat/completions",
        "completion_window": "24h",
    }
    batch = http.post("/v1/batches", json=create, headers=OPENAI)
    assert batch.status_code == 200
    batch_emulator.advance(hours=1)
    done = http.get(f"/v1/batches/{batch.json()['id']}", headers=OPENAI)
    assert done.status_code == 200 and done.json()["status"] == "failed"
    assert done.json()["errors"]["data"][0]["line"] == 2


def test_a_gemini_file_batch_with_a_deep_line_reports_the_line(
    batch_emulator: EmulatorHandle, http: httpx.Client
) -> None:
    start = http.post(
        "/upload/v1beta/files",
        json={"file": {"displayName": "in"}},
        headers={**GEMINI, "x-goog-upload-command": "start"},
    )
    url = start.headers["x-goog-upload-url"]
    line = b'{"key":"a","request":' + b'{"x":' * 2_000 + b"1" + b"}" * 2_001 + b"\n"
    finished = http.post(
        url,
        content=line,
        headers={"x-goog-upload-command": "upload, finalize", "x-goog-upload-offset": "0"},
    )
    name = finished.json()["file"]["name"]
    created = http.post(
        "/v1beta/models/gemini-2.5-flash:batchGenerateContent",
        json={"batch": {"inputConfig": {"fileName": name}}},
        headers=GEMINI,
    )
    assert created.status_code < 500, created.text
    batch_emulator.advance(hours=1)
    got = http.get(f"/v1beta/{created.json()['name']}", headers=GEMINI)
    assert got.status_code == 200 and "Line 1" in json.dumps(got.json())


def test_a_deep_bifrost_cursor_is_just_an_unknown_cursor(http: httpx.Client) -> None:
    cursor = base64.urlsafe_b64encode(b"[" * 2_000 + b"]" * 2_000).decode()
    response = http.get(f"/bifrost/v1/batches?provider=openai&after={cursor}")
    assert response.status_code < 500
    assert response.json()["data"] == []


@pytest.mark.parametrize("seconds", [1e12, 1e20, 10**400, "NaN", "Infinity", -1, True, "60"])
def test_an_absurd_clock_advance_is_refused_and_the_clock_does_not_move(
    http: httpx.Client, seconds: Any
) -> None:
    before = http.get("/_emulator/clock").json()["now"]
    raw = seconds if isinstance(seconds, str) and seconds[0].isalpha() else json.dumps(seconds)
    response = http.post("/_emulator/clock/advance", content=f'{{"seconds": {raw}}}', headers=JSON)
    assert_envelope(response, "control")
    after = http.get("/_emulator/clock")
    assert after.status_code == 200 and after.json()["now"] - before < 5  # wall time only
    assert http.post("/_emulator/clock/advance", json={"seconds": 3600}).status_code == 200


def test_error_messages_do_not_echo_a_big_value(http: httpx.Client) -> None:
    big = "x" * 500_000
    for spec in ({"status": big}, {"kind": big}, {"bogus_field": 1, big[:300_000]: 2}):
        response = http.post("/_emulator/faults", json=spec)
        assert_envelope(response, "control")
        assert len(response.content) < 5_000
    refused = http.post(
        "/v1/batches", json={**CHAT, "metadata": {"k": big[:400_000]}}, headers=OPENAI
    )
    assert_envelope(refused, "openai")
    assert len(refused.content) < 5_000


def test_a_client_that_hangs_up_mid_upload_is_journalled_as_a_hang_up(
    batch_emulator: EmulatorHandle, caplog: pytest.LogCaptureFixture
) -> None:
    host, port = batch_emulator.url.removeprefix("http://").split(":")
    head = (
        f"POST /v1/files HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Bearer k\r\n"
        "Content-Type: multipart/form-data; boundary=B\r\nContent-Length: 10000000\r\n\r\n"
        '--B\r\nContent-Disposition: form-data; name="file"; filename="a.jsonl"\r\n\r\n'
    )
    with caplog.at_level(logging.ERROR):
        with socket.create_connection((host, int(port))) as sock:
            sock.sendall(head.encode() + b"x" * 65_536)  # then hang up, 9.9 MB short
        entries = _until(lambda: batch_emulator.requests)
    assert [(e.operation, e.status) for e in entries] == [("files.create", 499)]
    assert not [r for r in caplog.records if r.name.startswith("emulator")], caplog.text


def _until(check: Any, timeout: float = 10.0) -> Any:
    """Wait for the server thread to notice a socket event (real time, not emulator state)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.01)
    raise AssertionError("the server did not get there in time")


# A lone surrogate as JavaScript's JSON.stringify emits it: valid JSON, invalid Unicode.
LONE = '"\\ud800"'
SURROGATE_CREATES = [
    (
        "/v1/batches",
        OPENAI,
        "openai",
        '{"input_file_id":"f","endpoint":"/v1/chat/completions",'
        '"completion_window":"24h","metadata":{"k":%s}}',
        "/v1/batches",
    ),
    (
        "/openai/batches?api-version=2024-10-21",
        OPENAI,
        "azure",
        '{"input_file_id":%s,"endpoint":"/chat/completions","completion_window":"24h"}',
        "/openai/batches?api-version=2024-10-21",
    ),
    (
        "/groq/openai/v1/batches",
        OPENAI,
        "openai",
        '{"input_file_id":"f","endpoint":'
        '"/v1/chat/completions","completion_window":"24h","metadata":{%s:"v"}}',
        "/groq/openai/v1/batches",
    ),
    (
        "/v1beta/models/gemini-2.5-flash:batchGenerateContent",
        GEMINI,
        "gemini",
        '{"batch":{"displayName":%s,"inputConfig":{"requests":{"requests":[{"request":'
        '{"contents":[{"parts":[{"text":"hi"}]}]}}]}}}}',
        "/v1beta/batches",
    ),
    (
        "/mistral/v1/batch/jobs",
        OPENAI,
        "mistral",
        '{"input_files":["f"],"endpoint":'
        '"/v1/chat/completions","model":"mistral-small-latest","metadata":{"k":%s}}',
        "/mistral/v1/batch/jobs",
    ),
    (
        "/v1/messages/batches",
        ANTHROPIC,
        "anthropic",
        '{"requests":[{"custom_id":%s,"params":'
        '{"model":"claude-3-5-haiku-latest","max_tokens":5,"messages":[]}}]}',
        "/v1/messages/batches",
    ),
    (
        "/bifrost/v1/batches?provider=anthropic",
        {},
        "bifrost",
        '{"model":"m","requests":[{"custom_id":"a","params":{"model":%s}}]}',
        "/bifrost/v1/batches?provider=anthropic",
    ),
]


@pytest.mark.parametrize("path,headers,dialect,body,listing", SURROGATE_CREATES)
@pytest.mark.parametrize("raw", [False, True], ids=["escape", "utf8-bytes"])
def test_a_lone_surrogate_anywhere_in_a_create_is_a_400_and_nothing_is_stored(
    batch_emulator: EmulatorHandle,
    http: httpx.Client,
    path: str,
    headers: dict[str, str],
    dialect: str,
    body: str,
    listing: str,
    raw: bool,
) -> None:
    """Issue 23: these answered 500 after storing the batch, and every later list 500."""
    sent = (body % LONE).encode()
    if raw:  # the same code point as the bytes a careless encoder writes (json.loads reads them)
        sent = (body % '"\ud800"').encode("utf-8", "surrogatepass")
    response = http.post(path, content=sent, headers={**headers, **JSON})
    assert 400 <= response.status_code < 500, response.text[:300]
    if dialect not in ("azure", "mistral"):  # their envelopes: the route-table test checks
        assert_envelope(response, dialect)
    assert batch_emulator.batches == []
    assert http.get(listing, headers=headers).status_code == 200


@pytest.mark.parametrize(
    "path,body",
    [
        ("/_emulator/reset", '{"namespace":%s}'),
        ("/_emulator/faults", '{"kind":"http","status":429,"message":%s}'),
        ("/_emulator/faults", '{"kind":"http","status":429,"batch_id":%s}'),
    ],
)
def test_a_lone_surrogate_in_the_control_plane_is_a_400_and_breaks_nothing(
    http: httpx.Client, path: str, body: str
) -> None:
    """Issue 23: a reset namespace broke every provider route, a fault message the list."""
    response = http.post(path, content=(body % LONE).encode(), headers=JSON)
    assert "surrogate" in assert_envelope(response, "control")["error"]["message"]
    assert http.get("/_emulator/faults").json()["data"] == []
    assert http.get("/v1/batches", headers=OPENAI).status_code == 200
    assert http.get("/_emulator/health").status_code == 200


@pytest.mark.parametrize(
    "where,mime",
    [
        ("body", "text/plain\r\nx-injected: 1"),
        ("body", "text/plain\nx"),
        ("body", "text/\x00plain"),
        ("body", "tëxt/plain"),
        ("body", "t" * 256),
        ("header", "tëxt/plain"),  # a header can carry latin-1, not line breaks (h11 refuses)
        ("header", ""),
    ],
)
def test_an_upload_mime_type_that_cannot_be_a_header_is_refused_at_upload(
    batch_emulator: EmulatorHandle, http: httpx.Client, where: str, mime: str
) -> None:
    """Issue 23: it was stored, and the dashboard's download of the file then hung up."""
    headers: dict[str, Any] = {**GEMINI, "x-goog-upload-command": "start"}
    meta: dict[str, Any] = {"displayName": "in"}
    if where == "body":
        meta["mimeType"] = mime
    else:
        headers["x-goog-upload-header-content-type"] = mime.encode("latin-1")
    response = http.post("/upload/v1beta/files", json={"file": meta}, headers=headers)
    assert "MIME" in assert_envelope(response, "gemini")["error"]["message"]
    assert "x-goog-upload-url" not in response.headers
    assert http.get("/v1beta/files", headers=GEMINI).json() == {"files": []}


def test_every_download_is_inert(batch_emulator: EmulatorHandle, http: httpx.Client) -> None:
    """`X-Content-Type-Options: nosniff` on provider downloads and the dashboard's."""
    body, form = _multipart(("purpose", None, b"batch"), ("file", "a.jsonl", b"{}\n"))
    file_id = http.post("/v1/files", content=body, headers={**OPENAI, **form}).json()["id"]
    start = http.post(
        "/upload/v1beta/files",
        json={"file": {"displayName": "page", "mimeType": "text/html"}},
        headers={**GEMINI, "x-goog-upload-command": "start"},
    )
    done = http.post(
        start.headers["x-goog-upload-url"],
        content=b"<script>alert(1)</script>",
        headers={"x-goog-upload-command": "upload, finalize", "x-goog-upload-offset": "0"},
    )
    html_id = done.json()["file"]["name"].removeprefix("files/")
    for url, headers in [
        (f"/v1/files/{file_id}/content", OPENAI),
        (f"/_emulator/dashboard/files/{file_id}", {}),
        (f"/_emulator/dashboard/files/{html_id}", {}),
    ]:
        response = http.get(url, headers=headers)
        assert response.status_code == 200, (url, response.text[:200])
        assert response.headers["x-content-type-options"] == "nosniff", url
    assert "attachment" in response.headers["content-disposition"]
