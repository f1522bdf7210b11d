"""One page-size rule in the core (`paging.page_limit`), worded by each dialect its own way."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from emulator.handle import EmulatorHandle


@pytest.fixture
def http(batch_emulator: EmulatorHandle) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=batch_emulator.url, timeout=10) as client:
        yield client


OPENAI = {"authorization": "Bearer sk-test"}
ANTHROPIC = {"x-api-key": "test"}
GOOGLE = {"x-goog-api-key": "test"}


@pytest.mark.parametrize(
    ("path", "headers", "raw", "message"),
    [
        ("/v1/batches", OPENAI, "x", "Invalid 'limit': expected an integer, but got 'x' instead."),
        (
            "/v1/batches",
            OPENAI,
            "101",
            "Invalid 'limit': integer out of range. Expected a value between 1 and 100, "
            "but got 101 instead.",
        ),
        ("/v1/batches", OPENAI, "\u00b2", "Invalid 'limit': expected an integer, but got"),
        (
            "/v1/messages/batches",
            ANTHROPIC,
            "0",
            "limit: Input should be greater than or equal to 1",
        ),
        (
            "/v1/messages/batches",
            ANTHROPIC,
            "1001",
            "limit: Input should be less than or equal to 1000",
        ),
        (
            "/bifrost/v1/batches",
            {"x-model-provider": "openai"},
            "0",
            "invalid limit parameter: '0'",
        ),
    ],
)
def test_a_bad_limit_is_refused_in_each_providers_words(http, path, headers, raw, message):
    answer = http.get(path, params={"limit": raw}, headers=headers)
    assert answer.status_code == 400
    assert answer.json()["error"]["message"].startswith(message)


def test_gemini_page_size_follows_googles_rule(http, batch_emulator):
    bad = http.get("/v1beta/batches", params={"pageSize": "-1"}, headers=GOOGLE)
    assert bad.status_code == 400
    assert bad.json()["error"] == {
        "code": 400,
        "message": "page_size must not be negative.",
        "status": "INVALID_ARGUMENT",
    }
    word = http.get("/v1beta/batches", params={"pageSize": "ten"}, headers=GOOGLE)
    assert word.json()["error"]["message"] == "Invalid value at 'page_size' (TYPE_INT32), \"ten\""
    # 0 means the default and a size above the maximum is brought down, not refused.
    for size in ("0", "5000"):
        assert http.get("/v1beta/batches", params={"pageSize": size}, headers=GOOGLE).is_success
