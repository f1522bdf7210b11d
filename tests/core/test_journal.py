"""The journal keeps the newest `limit` calls, in order, however long the server runs."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from emulator.core.journal import Journal, JournalEntry


def _entry(n: int) -> JournalEntry:
    return JournalEntry(
        at=float(n),
        method="GET",
        path=f"/v1/batches/b{n}",
        dialect="openai",
        operation="batches.retrieve",
        status=200,
        retry_count=0,
    )


@settings(max_examples=80, deadline=None)
@given(
    limit=st.integers(min_value=1, max_value=40),
    added=st.integers(min_value=0, max_value=120),
    n=st.integers(min_value=-3, max_value=60),
)
def test_keeps_the_newest_calls_in_order(limit: int, added: int, n: int) -> None:
    journal = Journal(limit=limit)
    for i in range(added):
        journal.add(_entry(i))
    kept = list(range(max(0, added - limit), added))
    assert [e.at for e in journal.entries()] == [float(i) for i in kept]
    assert len(journal) == len(kept)
    wanted = kept[-n:] if n > 0 else []
    assert [e.at for e in journal.tail(n)] == [float(i) for i in wanted]


def test_a_call_begun_before_a_clear_is_not_kept_after_it() -> None:
    journal = Journal(limit=10)
    journal.add(_entry(1))
    generation = journal.generation
    journal.clear()
    journal.add(_entry(2), generation)
    assert journal.entries() == []
    journal.add(_entry(3), journal.generation)
    assert [e.at for e in journal.entries()] == [3.0]


_maybe_text = st.none() | st.text(max_size=8)


@settings(max_examples=60, deadline=None)
@given(
    numbers=st.tuples(st.floats(allow_nan=False), st.floats(allow_nan=False)),
    status=st.none() | st.integers(100, 599),
    retry=st.none() | st.integers(0, 9),
    texts=st.tuples(*[_maybe_text] * 6),
    retry_after=st.none() | st.floats(min_value=0, max_value=1e6),
)
def test_the_quick_constructor_makes_the_same_entry(
    numbers: tuple[float, float],
    status: int | None,
    retry: int | None,
    texts: tuple[str | None, ...],
    retry_after: float | None,
) -> None:
    batch_id, fault, request_id, rule, file_id, state = texts
    values = {
        "at": numbers[0],
        "method": "POST",
        "path": "/v1/files",
        "dialect": "openai",
        "operation": "files.create",
        "status": status,
        "retry_count": retry,
        "batch_id": batch_id,
        "fault": fault,
        "wall": numbers[1],
        "request_id": request_id,
        "rule": rule,
        "file_id": file_id,
        "retry_after": retry_after,
        "state": state,
    }
    quick, plain = JournalEntry.of(**values), JournalEntry(**values)  # type: ignore[arg-type]
    assert quick == plain and hash(quick) == hash(plain) and repr(quick) == repr(plain)
    assert quick.as_dict() == plain.as_dict() == values
