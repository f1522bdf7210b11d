"""Property: whatever a client sent comes back from the state file and from a snapshot as it was."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import given, settings, strategies as st

from emulator.config import Timing
from emulator.core.batch import Batch, Item, ItemError
from emulator.core.persist import codec
from emulator.core.persist.sqlite import SqliteStore
from emulator.core.states import Outcome
from emulator.core.timeline import Plan
from emulator.state_cli import _from, _record

scalars = st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=20)
scalars |= st.floats(allow_nan=False, allow_infinity=False)
bodies = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
).map(lambda value: {"v": value})
errors = st.none() | st.builds(
    ItemError, st.integers(400, 599), st.text(max_size=10), st.text(max_size=30)
)
items = st.lists(
    st.builds(
        Item,
        st.text(min_size=1, max_size=16),
        bodies,
        errors,
        st.none() | st.sampled_from(list(Outcome)),
    ),
    max_size=8,
)


def _batch(got: list[Item], extra: dict[str, Any]) -> Batch:
    return Batch(
        id="batch_x",
        dialect="openai",
        provider="openai",
        endpoint="/v1/chat/completions",
        model=None,
        items=got,
        plan=Plan(created_at=1.5, expires_at=86401.5, in_progress_at=2.0),
        timing=Timing.parse("manual"),
        order=list(range(len(got)))[::-1],
        extra=extra,
    )


@settings(max_examples=60, deadline=None)
@given(items, st.dictionaries(st.text(max_size=8), scalars, max_size=3), st.binary(max_size=64))
def test_records_round_trip_through_the_file_and_a_snapshot(
    tmp_path_factory: Any, got: list[Item], extra: dict[str, Any], data: bytes
) -> None:
    batch = _batch(got, extra)
    path: Path = tmp_path_factory.mktemp("codec") / "s.sqlite"
    store = SqliteStore(path)
    store.put(
        "items", batch.id, {"codec": codec.ITEMS_CODEC}, codec.batch_items(batch, {0: {"r": 1}})
    )
    store.put("batch", batch.id, codec.batch_header(batch))
    store.put("file", "f", {"id": "f"}, data)
    records = list(store.records())
    store.close()
    through_snapshot = [_from(json.loads(json.dumps(_record(r)))) for r in records]
    for kept in (records, through_snapshot):
        header, blob, file = kept[1].value, kept[0].data, kept[2].data
        assert blob is not None
        back, replies = codec.batch_from(header, blob)
        assert back.items == batch.items and back.order == batch.order
        assert (back.plan, back.timing, back.extra) == (batch.plan, batch.timing, batch.extra)
        assert replies == {0: {"r": 1}} and file == data


json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)
kinds = st.sampled_from(
    ["batch", "items", "file", "faults", "config", "clock", "ids", "journal", "gone", "other"]
)
hostile_records = st.lists(
    st.fixed_dictionaries({"kind": kinds, "key": st.text(max_size=6), "value": json_values}),
    max_size=4,
)


@settings(max_examples=150, deadline=None)
@given(hostile_records)
def test_a_hostile_snapshot_is_refused_as_a_state_error_or_restores(
    records: list[dict[str, Any]],
) -> None:
    from emulator.core.persist.sqlite import StateError, current_version
    from emulator.state_cli import FORMAT, _check_restores, parse_snapshot

    text = json.dumps({"format": FORMAT, "schema": current_version(), "records": records})
    try:
        _check_restores(parse_snapshot(text, "stdin"))
    except StateError as exc:
        assert str(exc).startswith("stdin: ")
