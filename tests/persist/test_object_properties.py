"""Property: whatever sequence of bucket, object and upload calls (by one or two tenants) the
store acknowledged, a store restored from the state file holds the same: the same buckets per
tenant, the same objects with the same bytes, ETag, generation, content type and metadata, the
same uploads in flight; and its next generation is higher than any it handed out before."""

from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import given, settings, strategies as st

from emulator.core import tenancy
from emulator.core.errors import EmulatorError
from emulator.core.object_records import KINDS
from emulator.core.objects import ObjectStore, StoredObject
from emulator.core.persist import Record
from emulator.core.persist.sqlite import SqliteStore

BUCKETS = ("alpha", "beta")
KEYS = ("a.jsonl", "b/c.txt", "d")
TENANTS = (None, "t_one", "t_two")
UPLOADS = ("u1", "u2")

ops = st.lists(
    st.one_of(
        st.tuples(st.just("bucket"), st.sampled_from(BUCKETS)),
        st.tuples(st.just("drop-bucket"), st.sampled_from(BUCKETS)),
        st.tuples(
            st.just("put"), st.sampled_from(BUCKETS), st.sampled_from(KEYS), st.binary(max_size=64)
        ),
        st.tuples(st.just("delete"), st.sampled_from(BUCKETS), st.sampled_from(KEYS)),
        st.tuples(
            st.just("start"), st.sampled_from(UPLOADS), st.sampled_from(BUCKETS), st.just("m")
        ),
        st.tuples(
            st.just("part"), st.sampled_from(UPLOADS), st.integers(1, 3), st.binary(max_size=32)
        ),
        st.tuples(st.just("complete"), st.sampled_from(UPLOADS)),
        st.tuples(st.just("abort"), st.sampled_from(UPLOADS)),
    ).flatmap(lambda op: st.tuples(st.sampled_from(TENANTS), st.just(op))),
    max_size=30,
)


def apply(store: ObjectStore, op: tuple[Any, ...], now: float) -> Any:
    name, *args = op
    calls = {
        "bucket": lambda: store.create_bucket(args[0], now),
        "drop-bucket": lambda: store.delete_bucket(args[0]),
        "put": lambda: store.put(args[0], args[1], args[2], now=now, metadata={"n": str(now)}),
        "delete": lambda: store.delete(args[0], args[1]),
        "start": lambda: store.start_upload(args[0], args[1], args[2], "text/plain", {}),
        "part": lambda: store.add_part(args[0], args[1], args[2]),
        "complete": lambda: store.complete_upload(args[0], None, now),
        "abort": lambda: store.abort_upload(args[0]),
    }
    with contextlib.suppress(EmulatorError):  # refused: nothing was acknowledged
        return calls[name]()
    return None


def seen(store: ObjectStore) -> dict[Any, Any]:
    """Everything a client of each tenant could read."""
    out: dict[Any, Any] = {}
    for tenant in TENANTS:
        with tenancy.acting_as(tenant):
            for bucket, created in store.buckets():
                listed, _ = store.listing(bucket)
                out[tenant, bucket] = (created, [o.__dict__ for o in listed])
            for upload_id in UPLOADS:
                try:
                    up = store.upload(upload_id)
                except EmulatorError:
                    continue
                out[tenant, upload_id] = (up.bucket, up.key, dict(up.parts), up.size)
    return out


@settings(max_examples=60, deadline=None)
@given(ops)
def test_a_restored_store_holds_what_was_acknowledged(steps: list[tuple[Any, Any]]) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        file = SqliteStore(Path(scratch) / "s.sqlite")
        live = ObjectStore(1024)
        live.sink = file
        setup = [(t, ("bucket", "alpha")) for t in TENANTS]
        setup += [(None, ("start", "u1", "alpha", "m")), ("t_one", ("start", "u2", "alpha", "m"))]
        handed: list[int] = []  # every generation an answer named, deleted objects' too
        for n, (tenant, op) in enumerate(setup + steps):
            with tenancy.acting_as(tenant):
                made = apply(live, op, float(n))
            handed += [made.generation] if isinstance(made, StoredObject) else []
        back = ObjectStore(1024)
        restorers = back.restorers()
        for kind in KINDS:
            restorers[kind]([Record(r.kind, r.key, r.value, r.data) for r in file.records(kind)])
        file.close()
        assert seen(back) == seen(live)
        with tenancy.acting_as("t_new"):
            back.create_bucket("fresh", 0.0)
            fresh = back.put("fresh", "k", b"x", now=0.0)
        assert all(fresh.generation > g for g in handed)  # no generation is handed out twice
