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
