"""Fault values and the fault book, without HTTP: refusals, seeding, item selection."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, strategies as st

from emulator import BatchFault, Emulator, HttpFault, ItemFault
from emulator.core.batch import ItemError
from emulator.core.faults import FaultBook, FaultError, as_spec, parse_fault


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"status": 600}, "between 400 and 599"),
        ({"status": 302}, "between 400 and 599"),
        ({"status": "429"}, "status must be int"),
        ({"times": 0}, "times must be at least 1"),
        ({"probability": 1.5}, "probability must be between 0 and 1"),
        ({"path": "("}, "not a valid regular expression"),
        ({"method": "FETCH"}, "method must be one of"),
        ({"drop": True, "status": 503}, "cannot apply"),
        ({"drop": True, "retry_after": 1}, "cannot apply"),
        ({"truncate": 1.0}, "truncate must be between"),
        ({"latency": 1.0, "message": "slow"}, "need an error status"),
    ],
)
def test_http_faults_that_cannot_apply_are_refused(fields: dict[str, Any], words: str) -> None:
    with pytest.raises(FaultError, match=words):
        HttpFault(**fields)


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"dialect": "gemini", "retry_after_ms": 1}, "google-genai never reads"),
        ({"dialect": "openai", "google_status": "UNAVAILABLE"}, "Gemini/Vertex-only"),
        ({"dialect": "gemini", "google_status": "SLOW"}, "not a status gemini sends"),
    ],
)
def test_provider_options_a_dialect_cannot_honour_are_refused_when_added(
    fields: dict[str, Any], words: str
) -> None:
    """What a provider's SDK reads is its profile's business, so the emulator checks it."""
    with pytest.raises(FaultError, match=words):
        Emulator().add_fault(HttpFault(**fields))


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({}, "needs an effect"),
        ({"fail_message": "x"}, "need fail_code"),
        ({"expire_at_progress": 2.0}, "between 0 and 1"),
        ({"fail_code": "x", "stall": True}, "stands alone"),
    ],
)
def test_batch_faults_that_cannot_apply_are_refused(fields: dict[str, Any], words: str) -> None:
    with pytest.raises(FaultError, match=words):
        BatchFault(**fields)


def test_item_fault_refusals() -> None:
    with pytest.raises(FaultError, match="outcome must be one of"):
        ItemFault(outcome="lost")  # type: ignore[arg-type]
    with pytest.raises(FaultError, match=r"path\.to\.key=value"):
        ItemFault(match="model")


def test_a_bare_http_fault_is_a_500_and_latency_alone_is_only_slow() -> None:
    assert HttpFault().status == 500
    assert HttpFault(latency=0.1).status is None
    assert HttpFault(latency=0.1, status=503).status == 503


def test_the_book_refuses_unknown_operations_and_dialects() -> None:
    book = Emulator().faults
    with pytest.raises(FaultError, match=r"unknown operation 'batches\.creat'.*batches\.create"):
        book.add(HttpFault(operation="batches.creat"))
    with pytest.raises(FaultError, match="unknown dialect 'cohere'"):
        book.add(HttpFault(dialect="cohere"))
    with pytest.raises(FaultError, match="for dialect 'openai'"):
        book.add(HttpFault(dialect="openai", operation="messages.batches.create"))
    assert book.describe() == []


def test_parse_fault_names_the_valid_fields() -> None:
    with pytest.raises(FaultError, match=r"unknown http fault field.*statuz.*valid: status"):
        parse_fault({"kind": "http", "statuz": 429})
    with pytest.raises(FaultError, match="unknown fault kind"):
        parse_fault({"kind": "network"})


@pytest.mark.parametrize(
    "fault",
    [
        HttpFault(status=500, latency=0.2, operation="files.list"),
        HttpFault.truncated(0.25),
        HttpFault.dropped(times=2),
        ItemFault(outcome="expired", custom_id="a.*"),
        BatchFault(cancel_delay=5.0),
    ],
)
def test_spec_round_trip(fault: Any) -> None:
    assert parse_fault(as_spec(fault)) == fault


def fired(book: FaultBook, calls: int) -> list[bool]:
    return [
        book.take_http("openai", "files.list", "GET", "/v1/files", None) is not None
        for _ in range(calls)
    ]


@given(seed=st.integers(0, 2**32), probability=st.floats(0.0, 1.0))
def test_probability_draws_depend_only_on_the_seed(seed: int, probability: float) -> None:
    books = [FaultBook(seed=seed) for _ in range(2)]
    for book in books:
        book.add(HttpFault(probability=probability))
    assert fired(books[0], 30) == fired(books[1], 30)


def test_times_and_after_bound_a_rule() -> None:
    book = FaultBook()
    rule = book.add(HttpFault(status=503, times=2, after=1))
    assert fired(book, 5) == [False, True, True, False, False]
    assert book.stats(rule)["seen"] == 5 and book.stats(rule)["consumed"] == 2
    assert book.unconsumed() == []


def test_item_rules_select_by_pattern_body_and_outcome() -> None:
    book = FaultBook(seed=1)
    book.add(ItemFault(custom_id="bad-.*", status=400, error_type="invalid_request_error"))
    book.add(ItemFault(outcome="expired", match="messages.0.content=late"))
    book.add(ItemFault(outcome="canceled", contains="CANCEL-ME"))
    late = {"messages": [{"role": "user", "content": "late"}]}
    stop = {"messages": [{"role": "user", "content": "please CANCEL-ME"}]}
    bad = book.plan_item("b", "bad-1", {})
    assert bad is not None and bad.error == ItemError(
        400, "invalid_request_error", ItemFault().message
    )
    expired = book.plan_item("b", "ok-1", late)
    canceled = book.plan_item("b", "ok-2", stop)
    assert expired is not None and (expired.outcome, expired.error) == ("expired", None)
    assert canceled is not None and canceled.outcome == "canceled"
    assert book.plan_item("b", "ok-3", {"messages": []}) is None
    assert book.item_error("b", "ok-1", late) is None  # expired is not an error


def test_item_rate_is_seeded_per_batch_and_custom_id() -> None:
    def chosen(seed: int) -> list[str]:
        book = FaultBook(seed=seed)
        book.add(ItemFault(rate=0.3))
        ids = [f"r{i}" for i in range(200)]
        return [c for c in ids if book.plan_item("batch_x", c, {}) is not None]

    assert chosen(3) == chosen(3)
    assert chosen(3) != chosen(4)
    assert 30 <= len(chosen(3)) <= 90  # 200 draws at 0.3


def test_item_rule_scoped_to_a_dialect_needs_the_dialect() -> None:
    book = FaultBook()
    book.add(ItemFault(dialect="anthropic"))
    assert book.plan_item("b", "x", {}, dialect="openai") is None
    assert book.plan_item("b", "x", {}, dialect="anthropic") is not None


def test_using_and_keyword_rules() -> None:
    book = Emulator().faults
    with book.using(kind="http", status=429, operation="batches.create") as rule:
        assert [r["id"] for r in book.describe()] == [rule]
    assert book.describe() == []
    with pytest.raises(FaultError, match="either a fault value or keyword"):
        book.add(HttpFault(), status=500)
