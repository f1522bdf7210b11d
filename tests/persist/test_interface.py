"""The storage interface another owner of state (an object store, say) plugs into."""

from __future__ import annotations

from pathlib import Path

from emulator import Emulator
from emulator.core.persist import NULL, Record
from emulator.core.persist.durable import Durable
from emulator.core.persist.sqlite import SqliteStore
from emulator.state_cli import _from, snapshot


def test_an_owner_of_new_kinds_writes_through_the_sink_and_restores_its_records(
    tmp_path: Path,
) -> None:
    path = tmp_path / "s.sqlite"
    first = Emulator()
    assert first.service.sink is NULL and not first.service.sink.active  # the default
    store = SqliteStore(path)
    durable = Durable(first.service, store)
    durable.restore(first.config)
    durable.attach()
    sink = first.service.sink
    with sink.transaction():  # e.g. a bucket and an object put by one request
        sink.put("bucket", "b", {"name": "b", "created": 1.0})
        sink.put("object", "b/k", {"content_type": "application/jsonl"}, b"\x00\x01bytes")
    sink.put("object", "b/gone", {}, b"x")
    sink.delete("object", "b/gone")
    exported = snapshot(store)
    store.close()

    got: dict[str, list[Record]] = {}
    second = Emulator()
    second.service.restorers["bucket"] = lambda records: got.setdefault("bucket", records)
    second.service.restorers["object"] = lambda records: got.setdefault("object", records)
    again = SqliteStore(path)
    Durable(second.service, again).restore(second.config)
    again.close()
    assert got == {
        "bucket": [Record("bucket", "b", {"name": "b", "created": 1.0})],
        "object": [
            Record("object", "b/k", {"content_type": "application/jsonl"}, b"\x00\x01bytes")
        ],
    }
    objects = [_from(r) for r in exported["records"] if r["kind"] == "object"]
    assert objects == got["object"]  # a snapshot carries any kind, bytes included
