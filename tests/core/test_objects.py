"""The core object store against a plain dict model (hypothesis): whatever sequence of puts
and deletes, a get answers the last bytes put, a paged listing under a prefix reassembles the
model's sorted keys, and a multipart upload joins its parts in part-number order."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings, strategies as st

from emulator.core.errors import EmulatorError
from emulator.core.objects import ObjectStore

KEYS = st.text(alphabet="ab/", min_size=1, max_size=4)
OPS = st.lists(
    st.tuples(st.sampled_from(["put", "delete"]), KEYS, st.binary(max_size=8)), max_size=40
)


@settings(max_examples=150, deadline=None)
@given(ops=OPS, prefix=st.text(alphabet="ab/", max_size=2), page=st.integers(1, 5))
def test_store_matches_a_dict(ops: list[tuple[str, str, bytes]], prefix: str, page: int) -> None:
    store, model = ObjectStore(max_object_bytes=1024), {}
    store.create_bucket("bucket", 0.0)
    for op, key, data in ops:
        if op == "put":
            stored = store.put("bucket", key, data, now=1.0)
            assert stored.etag == hashlib.md5(data).hexdigest()
            model[key] = data
        else:
            assert store.delete("bucket", key) == (key in model)
            model.pop(key, None)
    for key, data in model.items():
        assert store.get("bucket", key).data == data
    listed, after = [], ""
    while True:
        found, more = store.listing("bucket", prefix, after, page)
        listed += [o.key for o in found]
        if not more:
            break
        after = found[-1].key
    assert listed == sorted(k for k in model if k.startswith(prefix))


@settings(max_examples=100, deadline=None)
@given(parts=st.dictionaries(st.integers(1, 10_000), st.binary(max_size=16), min_size=1))
def test_multipart_joins_parts_in_number_order(parts: dict[int, bytes]) -> None:
    store = ObjectStore(max_object_bytes=1 << 20)
    store.create_bucket("bucket", 0.0)
    store.start_upload("u1", "bucket", "k", "application/octet-stream", {})
    for number, data in parts.items():
        store.add_part("u1", number, data)
    numbers = sorted(parts)
    stored = store.complete_upload("u1", numbers, 2.0)
    assert stored.data == b"".join(parts[n] for n in numbers)
    assert stored.etag.endswith(f"-{len(parts)}")
    with pytest.raises(EmulatorError):
        store.upload("u1")  # completed uploads are gone


def test_sizes_are_bounded() -> None:
    store = ObjectStore(max_object_bytes=10)
    store.create_bucket("bucket", 0.0)
    with pytest.raises(EmulatorError) as caught:
        store.put("bucket", "k", b"x" * 11, now=0.0)
    assert caught.value.status == 413
    store.start_upload("u", "bucket", "k", "t", {})
    store.add_part("u", 1, b"x" * 6)
    with pytest.raises(EmulatorError):
        store.add_part("u", 2, b"x" * 6)  # the parts together would pass the cap


@settings(max_examples=150, deadline=None)
@given(
    keys=st.sets(st.text(alphabet="ab/", min_size=1, max_size=5), max_size=25),
    prefix=st.text(alphabet="ab/", max_size=2),
    page=st.integers(1, 4),
)
def test_folded_listing_pages_to_the_model(keys: set[str], prefix: str, page: int) -> None:
    """Paging a delimiter listing gives each object with no `/` after the prefix once, and each
    folder (`prefix` + up to the first `/` after it) once: S3's CommonPrefixes rule."""
    store = ObjectStore(max_object_bytes=16)
    store.create_bucket("bucket", 0.0)
    for key in keys:
        store.put("bucket", key, b"x", now=0.0)
    under = sorted(k for k in keys if k.startswith(prefix))
    want_objects = [k for k in under if "/" not in k[len(prefix) :]]
    want_folders = sorted(
        {k[: k.index("/", len(prefix)) + 1] for k in under if "/" in k[len(prefix) :]}
    )
    objects, folders, after = [], [], ""
    for _ in range(100):
        found, seen, last = store.folders("bucket", prefix, "/", after, page)
        assert len(found) + len(seen) <= page
        objects += [o.key for o in found]
        folders += seen
        if last is None:
            break
        after = last
    assert objects == want_objects
    assert folders == want_folders


def test_parts_in_flight_count_toward_the_store_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    from emulator.core import objects

    monkeypatch.setattr(objects, "MAX_STORE_BYTES", 20)
    store = ObjectStore(max_object_bytes=16)
    store.create_bucket("bucket", 0.0)
    store.put("bucket", "held", b"x" * 8, now=0.0)
    store.start_upload("u", "bucket", "k", "t", {})
    store.add_part("u", 1, b"y" * 8)
    with pytest.raises(EmulatorError) as caught:
        store.add_part("u", 2, b"z" * 8)  # 8 stored + 8 in flight + 8 more > 20
    assert caught.value.facts["store"] == "SlowDown"
    store.abort_upload("u")
    store.put("bucket", "more", b"w" * 12, now=0.0)  # the aborted parts no longer count
