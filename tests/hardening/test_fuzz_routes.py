"""Hypothesis over every route the server has: any path parameter, query string, header and
body gives a JSON answer in the route's own envelope, and never a 5xx no fault rule asked for.

The routes come from the app's own table (every dialect at every mount, the control plane),
so a route added later is fuzzed too, and so do the query keys and field names drawn: every
one any route was seen to read (`tests/hardening/routetable.py`), besides a few listed here.
Bodies mix valid-looking JSON (known field names, the right nesting) with junk, deep nesting,
non-ASCII numbers and multipart forms. `test_route_table.py` is the systematic counterpart:
every input of every route gets every hostile family.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from emulator.handle import EmulatorHandle
from tests.hardening import routetable
from tests.hardening.envelopes import (
    ANTHROPIC,
    GEMINI,
    OPENAI,
    body_of,
    dialect_of,
    error_message,
)

FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


ROUTES = sorted({(r.method, r.template) for r in routetable.ROUTES})
PROVIDER_ROUTES = [r for r in ROUTES if not r[1].startswith("/_emulator")]
CONTROL_ROUTES = [r for r in ROUTES if r[1].startswith("/_emulator")]
PARAM = re.compile(r"\{([a-z_]+)(?::path)?\}")

NASTY_NUMBERS = st.sampled_from(["²", "٣", "-1", "0", "1", "1_0", " 2", "+3", "9" * 30, "1e3", ""])
printable = st.characters(min_codepoint=32, max_codepoint=255, blacklist_characters="\x7f")
header_text = st.text(printable, max_size=40)
word = st.text(st.characters(min_codepoint=33, max_codepoint=0x2FF), min_size=1, max_size=30)
ids = st.one_of(
    word,
    st.sampled_from(["batch_1", "msgbatch_1", "file-1", "batches/x", "files/x", "b:cancel", ".."]),
)
QUERY_KEYS = [
    "limit",
    "after",
    "before_id",
    "after_id",
    "pageSize",
    "pageToken",
    "page_size",
    "provider",
    "order",
    "purpose",
    "alt",
    "upload_id",
    "key",
    "x-model-provider",
    "status",
    "retry_count",
]


def _read_query_keys() -> list[str]:
    seen = {key for reads in routetable.all_reads().values() for key in reads.query}
    return sorted(seen | set(QUERY_KEYS))


def _read_fields() -> list[str]:
    reads = routetable.all_reads().values()
    seen = {str(path[-1]) for r in reads for path in r.body} | {k for r in reads for k in r.form}
    return sorted((seen - {"[]"}) | set(FIELDS))


# Deferred: the probe runs at the first draw, not when the module is collected.
query_keys = st.deferred(lambda: st.sampled_from(_read_query_keys()))
queries = st.dictionaries(query_keys, st.one_of(NASTY_NUMBERS, word), max_size=4)
HEADER_NAMES = [
    "x-stainless-retry-count",
    "x-goog-api-retry-count",
    "x-goog-upload-command",
    "x-goog-upload-offset",
    "x-goog-upload-header-content-length",
    "x-emulator-timing",
    "x-emulator-scenario",
    "x-model-provider",
    "anthropic-beta",
    "x-goog-upload-file-name",
]
headers = st.dictionaries(
    st.sampled_from(HEADER_NAMES), st.one_of(NASTY_NUMBERS, header_text), max_size=4
)
FIELDS = [
    "input_file_id",
    "endpoint",
    "completion_window",
    "metadata",
    "requests",
    "custom_id",
    "params",
    "batch",
    "inputConfig",
    "input_config",
    "file_name",
    "fileName",
    "model",
    "kind",
    "status",
    "seconds",
    "to",
    "provider",
    "file",
    "operation",
    "path",
    "echo",
    "timing",
    "expires_after",
    "output_expires_after",
    "display_name",
    "key",
    "request",
    "contents",
]
# Lone surrogates (JSON escapes JavaScript emits), CR/LF/NUL and a long string: in bodies only
# (no HTTP client puts them in a header).
HOSTILE_TEXT = st.sampled_from(["\ud800", "a\udc00b", "a\r\nb\x00", "x" * 5_000])
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    word,
    NASTY_NUMBERS,
    HOSTILE_TEXT,
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.deferred(lambda: st.sampled_from(_read_fields())), inner, max_size=4),
    ),
    max_leaves=12,
)


def _deep(n: int) -> bytes:
    return b'{"requests":' + b"[" * n + b"]" * n + b"}"


def _multipart(fields: dict[str, str], data: bytes) -> tuple[bytes, str]:
    out = b""
    for name, value in fields.items():
        out += f'--B\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
    out += b'--B\r\nContent-Disposition: form-data; name="file"; filename="a.jsonl"\r\n\r\n'
    return out + data + b"\r\n--B--\r\n", "multipart/form-data; boundary=B"


bodies = st.one_of(
    st.none(),
    json_values.map(lambda v: (json.dumps(v).encode(), "application/json")),
    st.binary(max_size=64).map(lambda b: (b, "application/json")),
    st.integers(1, 40_000).map(lambda n: (_deep(n), "application/json")),
    st.tuples(
        st.dictionaries(
            st.sampled_from(["purpose", "provider", "expires_after[seconds]"]),
            st.one_of(NASTY_NUMBERS, st.sampled_from(["batch", "openai", "gemini"])),
        ),
        st.one_of(st.binary(max_size=64), json_values.map(lambda v: json.dumps(v).encode())),
    ).map(lambda t: _multipart(*t)),
)


def _raw(value: str) -> bytes:
    """A header value as bytes on the wire: latin-1 when it fits, else UTF-8 (mojibake for the
    server, as from a real client); no surrounding blanks, which HTTP/1.1 itself forbids."""
    value = value.strip(" \t")
    try:
        return value.encode("latin-1")
    except UnicodeEncodeError:
        return value.encode()


@st.composite
def calls(draw: st.DrawFn, table: list[tuple[str, str]]) -> dict[str, Any]:
    method, template = draw(st.sampled_from(table))
    path = PARAM.sub(lambda m: quote(draw(ids), safe=""), template)
    extra = draw(headers)
    auth = draw(st.sampled_from([OPENAI, ANTHROPIC, GEMINI, {}]))
    body = draw(bodies)
    sent: dict[str, Any] = {"headers": {**auth, **extra}}
    if body is not None:
        sent["content"], sent["headers"]["content-type"] = body
    sent["headers"] = {k: _raw(v) for k, v in sent["headers"].items()}
    return {"method": method, "url": path, "params": draw(queries), **sent}


def _check(response: httpx.Response, path: str, sent_headers: dict[str, Any]) -> None:
    status = response.status_code
    if status >= 500:  # Bifrost's own "results not ready" operation error is a real 500
        body = response.json()
        assert body.get("is_bifrost_error") is True and "/results" in path, response.text[:300]
    if not response.content:
        assert status < 400, (status, path)  # e.g. Gemini's upload start: headers only
        return
    media = response.headers.get("content-type", "")
    if status < 400 and not media.startswith("application/json"):
        return  # a file download
    dialect = dialect_of(path, sent_headers)
    body = body_of(response, dialect)
    if status >= 400:
        assert isinstance(error_message(body, dialect), str), body
        if dialect == "anthropic":
            assert body.get("type") == "error", body


@pytest.fixture
def http(batch_emulator: EmulatorHandle) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=batch_emulator.url, timeout=60) as client:
        yield client


@FUZZ
@given(call=calls(PROVIDER_ROUTES))
def test_no_provider_route_answers_5xx(
    batch_emulator: EmulatorHandle, http: httpx.Client, call: dict[str, Any]
) -> None:
    batch_emulator.reset()
    response = http.request(**call)
    _check(response, call["url"], call["headers"])
    statuses = [e.status for e in batch_emulator.requests]
    assert all(s is None or s < 500 or "/results" in call["url"] for s in statuses), statuses


@FUZZ
@given(call=calls(CONTROL_ROUTES))
def test_no_control_route_answers_5xx(
    batch_emulator: EmulatorHandle, http: httpx.Client, call: dict[str, Any]
) -> None:
    try:
        response = http.request(**call)
        assert response.status_code < 500, response.text[:300]
        media = response.headers.get("content-type", "")
        if response.status_code < 400 and not media.startswith("application/json"):
            return  # the dashboard page, its static files, a file or results download
        body = response.json()
        if response.status_code >= 400:
            assert body["error"]["status"] == response.status_code
    finally:
        batch_emulator.reset()  # the fuzzer may have reset, paused or faulted the emulator


@FUZZ
@given(host=header_text, route=st.sampled_from(ROUTES))
def test_any_host_header_is_answered_in_json(
    batch_emulator: EmulatorHandle, http: httpx.Client, host: str, route: tuple[str, str]
) -> None:
    method, template = route
    path = PARAM.sub("x", template)
    response = http.request(method, path, headers={"host": _raw(host), **OPENAI})
    assert response.status_code < 500, response.text[:300]
    if response.status_code >= 400:
        dialect = dialect_of(path, OPENAI)
        assert isinstance(error_message(body_of(response, dialect), dialect), str)
    batch_emulator.reset()
