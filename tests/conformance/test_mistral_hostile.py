"""Every input of Mistral's list and upload answers 4xx in Mistral's envelope, never a 5xx
(issue 23 item 8): `metadata` of any JSON type, page numbers in non-ASCII or too many digits,
an upload `expiry` that is huge, negative or not ASCII. Raw HTTP, since the SDK would refuse to
send most of these."""

from __future__ import annotations

import json

import httpx
from hypothesis import HealthCheck, given, settings, strategies as st

from emulator.handle import EmulatorHandle

AUTH = {"authorization": "Bearer m"}
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=8,
)
HOSTILE_TEXT = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["\u00b2", "\u0663", "\uff11", "1\n", "-1", "1e3", "9" * 5000, "0x10", " 1"]),
)
SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _envelope(answer: httpx.Response) -> None:
    assert 400 <= answer.status_code < 500, (answer.status_code, answer.text[:200])
    body = answer.json()
    assert body["object"] == "error" and isinstance(body["message"], str)


@SETTINGS
@given(value=JSON_VALUES)
def test_list_metadata_of_any_json_type(batch_emulator: EmulatorHandle, value: object) -> None:
    url = f"{batch_emulator.mistral_server_url}/v1/batch/jobs"
    answer = httpx.get(url, params={"metadata": json.dumps(value)}, headers=AUTH)
    if isinstance(value, dict):
        assert answer.status_code == 200
    else:
        _envelope(answer)


def test_list_metadata_too_deep_or_not_json(batch_emulator: EmulatorHandle) -> None:
    url = f"{batch_emulator.mistral_server_url}/v1/batch/jobs"
    for value in ["[" * 5_000, "{", "nan", '{"a": 1}x']:
        _envelope(httpx.get(url, params={"metadata": value}, headers=AUTH))


@SETTINGS
@given(page=HOSTILE_TEXT, size=HOSTILE_TEXT, which=st.sampled_from(["batch/jobs", "files"]))
def test_page_and_page_size(
    batch_emulator: EmulatorHandle, page: str, size: str, which: str
) -> None:
    url = f"{batch_emulator.mistral_server_url}/v1/{which}"
    answer = httpx.get(url, params={"page": page, "page_size": size}, headers=AUTH)
    ascii_count = page.isascii() and page.isdigit() and size.isascii() and size.isdigit()
    if ascii_count and len(page) <= 18 and len(size) <= 18 and int(size) >= 1:
        assert answer.status_code == 200
    else:
        _envelope(answer)


@SETTINGS
@given(expiry=HOSTILE_TEXT)
def test_upload_expiry(batch_emulator: EmulatorHandle, expiry: str) -> None:
    answer = httpx.post(
        f"{batch_emulator.mistral_server_url}/v1/files",
        headers=AUTH,
        files={"file": ("b.jsonl", b'{"custom_id": "0", "body": {}}\n')},
        data={"purpose": "batch", "expiry": expiry},
    )
    whole = expiry.isascii() and expiry.isdigit() and len(expiry) < 10
    if whole and 1 <= int(expiry) <= 87_600:
        assert answer.status_code == 200
        assert answer.json()["expires_at"] - answer.json()["created_at"] == int(expiry) * 3600
    elif expiry == "":
        assert answer.status_code == 200 and answer.json()["expires_at"] is None
    else:
        _envelope(answer)


def test_timeout_hours_out_of_range(batch_emulator: EmulatorHandle) -> None:
    """Not a 500 from a float overflow: 10**400 hours is refused like 0 and -1."""
    url = f"{batch_emulator.mistral_server_url}/v1/batch/jobs"
    head = '{"endpoint": "/v1/chat/completions", "model": "mistral-small-latest", '
    head += '"requests": [{"body": {"messages": []}}], "timeout_hours": '
    for hours in ("1" + "0" * 400, "0", "-1", "1e3", "true"):
        _envelope(httpx.post(url, content=head + hours + "}", headers=AUTH))
    ok = httpx.post(url, content=head + "48}", headers=AUTH)
    assert ok.status_code == 200
