"""Walking a listing page by page visits every item exactly once, in order, both ways."""

from __future__ import annotations

from hypothesis import given, strategies as st

from emulator.core.paging import window

LISTINGS = st.lists(st.text("abcdef", min_size=1, max_size=4), unique=True, max_size=30)


@given(items=LISTINGS, limit=st.integers(1, 7))
def test_forward_walk_visits_every_item_once(items: list[str], limit: int) -> None:
    seen: list[str] = []
    after = None
    for _ in range(len(items) + 1):
        page, more = window(items, items, limit=limit, after=after)
        seen += page
        if not more:
            break
        after = page[-1]
    assert seen == items


@given(items=LISTINGS.filter(bool), limit=st.integers(1, 7))
def test_backward_walk_from_the_end_visits_every_item_once(items: list[str], limit: int) -> None:
    seen = [items[-1]]
    before = items[-1]
    for _ in range(len(items) + 1):
        page, more = window(items, items, limit=limit, before=before)
        seen = page + seen
        if not more:
            break
        before = page[0]
    assert seen == items


@given(items=LISTINGS, limit=st.integers(1, 7))
def test_an_unknown_cursor_gives_an_empty_page(items: list[str], limit: int) -> None:
    assert window(items, items, limit=limit, after="zzzzz") == ([], False)
    assert window(items, items, limit=limit, before="zzzzz") == ([], False)
