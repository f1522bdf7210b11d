"""The state file on the command line: `serve --state/--isolate-keys`, `export`, `import`.

`export` writes a state file as one portable JSON snapshot (the file to attach to a bug report,
or to check in as a fixture); `import` makes a state file from one. Both refuse, in one line
naming the file (exit 2), a file they cannot use, and neither ever overwrites a file that is not
a state file: `import` into a state file that holds anything needs `--replace`.
"""

from __future__ import annotations

import argparse
import atexit
import base64
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any, TextIO

from starlette.types import ASGIApp

from emulator.api import Emulator
from emulator.core.persist import Record, codec
from emulator.core.persist.durable import Durable
from emulator.core.persist.sqlite import SqliteStore, StateError, current_version
from emulator.state import ENV, Checkpointing, open_state
from emulator.tenants import IsolateKeys

FORMAT = "batch-emulator-snapshot"


def add_serve_options(serve: Any) -> None:
    serve.add_argument(
        "--state",
        default=os.environ.get(ENV) or None,
        metavar="PATH",
        help=f"keep every batch, file, fault rule and id in this SQLite file, written before "
        f"each answer, restored at start (default: ${ENV}, else in memory only)",
    )
    serve.add_argument(
        "--isolate-keys",
        action="store_true",
        help="each API key is a tenant: it sees only its own batches and files",
    )


def wrap(emulator: Emulator, app: ASGIApp, args: argparse.Namespace) -> ASGIApp:
    """The app with the state file and key isolation asked for (unchanged without them)."""
    if args.isolate_keys:
        app = IsolateKeys(app, emulator.service)
    if args.state:
        durable, restored = open_state(emulator, args.state)
        print(
            f"batch-emulator: state {args.state}: {restored.batches} batches, "
            f"{restored.files} files restored",
            file=sys.stderr,
            flush=True,
        )
        app = Checkpointing(app, durable)
        atexit.register(close, app)  # after uvicorn stops on Ctrl-C or SIGTERM
    return app


def close(app: ASGIApp) -> None:
    """After the server stops cleanly: the journal's last entries too."""
    if isinstance(app, Checkpointing):
        app.durable.checkpoint(force=True)
        app.durable.store.close()


def add_export(sub: Any) -> None:
    export = sub.add_parser("export", help="print a state file as a portable JSON snapshot")
    export.add_argument("--state", required=True, metavar="PATH", help="the state file")
    export.set_defaults(run=run_export)


def add_import(sub: Any) -> None:
    imp = sub.add_parser("import", help="make a state file from a JSON snapshot on stdin")
    imp.add_argument("--state", required=True, metavar="PATH", help="the state file to write")
    imp.add_argument(
        "--replace", action="store_true", help="replace what a non-empty state file holds"
    )
    imp.set_defaults(run=run_import)


def snapshot(store: SqliteStore) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "schema": current_version(),
        "records": [_record(r) for r in store.records()],
    }


def _record(record: Record) -> dict[str, Any]:
    if record.kind == "items" and record.data is not None:  # marshal inside, JSON outside
        return {"kind": "items", "key": record.key, "value": codec.items_json(record.data)}
    out = {"kind": record.kind, "key": record.key, "value": record.value}
    if record.data is not None:
        out["data_b64"] = base64.b64encode(record.data).decode("ascii")
    return out


def run_export(args: argparse.Namespace, out: TextIO = sys.stdout) -> int:
    path = Path(args.state)
    if not path.is_file():
        raise StateError(f"{path}: no such state file")
    store = SqliteStore(path, read_only=True)
    try:
        json.dump(snapshot(store), out, ensure_ascii=False, separators=(",", ":"))
    finally:
        store.close()
    out.write("\n")
    return 0


def parse_snapshot(text: str, where: str) -> list[Record]:
    """The records of a snapshot; a `StateError` for anything that is not one."""
    try:
        data = json.loads(text)
        if data.get("format") != FORMAT:
            raise ValueError(f"not a {FORMAT} (format: {data.get('format')!r})")
        if data.get("schema") != current_version():
            got, known = data.get("schema"), current_version()
            raise ValueError(f"schema {got!r}; this version reads {known}")
        return [_from(r) for r in data["records"]]
    except (ValueError, KeyError, TypeError, AttributeError, EOFError) as exc:
        raise StateError(f"{where}: not a usable snapshot ({exc})") from None


def _from(raw: dict[str, Any]) -> Record:
    data = raw.get("data_b64")
    blob = None if data is None else base64.b64decode(data, validate=True)
    if raw["kind"] == "items":
        return Record(
            "items", str(raw["key"]), {"codec": codec.ITEMS_CODEC}, codec.items_blob(raw["value"])
        )
    return Record(str(raw["kind"]), str(raw["key"]), raw["value"], blob)


def _write(store: SqliteStore, records: list[Record]) -> None:
    with store.transaction():
        store.clear()
        for r in records:
            store.put(r.kind, r.key, r.value, r.data)


def _check_restores(records: list[Record]) -> None:
    """Restore the snapshot into a scratch emulator first: a bad one never reaches the file."""
    with tempfile.TemporaryDirectory() as scratch:
        store = SqliteStore(Path(scratch) / "check.sqlite")
        try:
            _write(store, records)
            Durable(Emulator().service, store).restore(Emulator().config)
        except (KeyError, TypeError, ValueError, EOFError, AttributeError) as exc:
            raise StateError(f"stdin: a record could not be read back ({exc})") from None
        finally:
            store.close()


def run_import(args: argparse.Namespace, given: TextIO = sys.stdin) -> int:
    records = parse_snapshot(given.read(), "stdin")
    _check_restores(records)
    if Path(args.state).is_file() and not args.replace:
        existing = SqliteStore(args.state, read_only=True)  # looked at, never written
        try:
            if existing.count():
                raise StateError(f"{args.state}: already holds state; pass --replace to replace it")
        finally:
            existing.close()
    store = SqliteStore(args.state)
    try:
        _write(store, records)
    finally:
        store.close()
    print(f"batch-emulator: imported {len(records)} records into {args.state}", file=sys.stderr)
    return 0
