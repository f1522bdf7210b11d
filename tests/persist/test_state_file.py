"""The state file itself: refusals that leave it untouched, migrations, export and import."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import openai
import pytest

from emulator.cli import main
from emulator.core.persist import sqlite as state_sqlite
from emulator.core.persist.sqlite import APPLICATION_ID, SqliteStore, StateError
from tests.persist.serving import start, stop


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _serve_refusal(path: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "emulator", "serve", "--port", "0", "--state", str(path)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    return lines[0]


def _foreign(path: Path) -> None:
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE accounts (id INTEGER)")
    db.execute("INSERT INTO accounts VALUES (1)")
    db.commit()
    db.close()


def _newer(path: Path) -> None:
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA application_id={APPLICATION_ID}")
    db.execute(f"PRAGMA user_version={state_sqlite.current_version() + 1}")
    db.execute("CREATE TABLE records (id INTEGER PRIMARY KEY)")
    db.commit()
    db.close()


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (lambda p: p.write_bytes(b"not a database, just some notes\n" * 40), "not a readable"),
        (_foreign, "not a batch-emulator state file"),
        (_newer, "newer batch-emulator"),
    ],
    ids=["unreadable", "foreign", "newer"],
)
def test_a_file_it_cannot_use_is_one_line_exit_2_and_left_untouched(
    tmp_path: Path, make: object, says: str
) -> None:
    path = tmp_path / "state.sqlite"
    make(path)  # type: ignore[operator]
    before = _digest(path), sorted(p.name for p in tmp_path.iterdir())
    line = _serve_refusal(path)
    assert line.startswith("batch-emulator: ") and str(path) in line and says in line
    assert (_digest(path), sorted(p.name for p in tmp_path.iterdir())) == before


def test_a_directory_is_refused_by_name(tmp_path: Path) -> None:
    line = _serve_refusal(tmp_path)
    assert str(tmp_path) in line


def test_the_environment_variable_names_the_state_file(tmp_path: Path) -> None:
    path = tmp_path / "from-env.sqlite"
    path.write_bytes(b"garbage" * 100)
    done = subprocess.run(
        [sys.executable, "-m", "emulator", "serve", "--port", "0"],
        capture_output=True,
        text=True,
        timeout=30,
        env={**__import__("os").environ, "BATCH_EMULATOR_STATE": str(path)},
    )
    assert done.returncode == 2 and str(path) in done.stderr


def test_schema_version_and_owner_live_in_the_file(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    SqliteStore(path).close()
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == state_sqlite.current_version()
    assert db.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def _v2(db: sqlite3.Connection) -> None:
    db.execute("ALTER TABLE records ADD COLUMN tenant TEXT")
    db.execute("UPDATE records SET tenant = json_extract(value, '$.extra.tenant')")


def test_a_v1_file_migrates_to_v2_keeping_its_records(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "s.sqlite"
    old = SqliteStore(path)  # written by "this version" (v1)
    old.put("batch", "b1", {"id": "b1", "extra": {"tenant": "t_1"}})
    old.put("file", "f1", {"id": "f1"}, b"\x00bytes")
    old.close()
    monkeypatch.setattr(state_sqlite, "MIGRATIONS", [*state_sqlite.MIGRATIONS, _v2])
    store = SqliteStore(path)  # "the next version" opens it
    assert [(r.kind, r.key, r.data) for r in store.records()] == [
        ("batch", "b1", None),
        ("file", "f1", b"\x00bytes"),
    ]
    store.close()
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == 2
    assert db.execute("SELECT tenant FROM records WHERE key = 'b1'").fetchone()[0] == "t_1"


def test_a_failed_migration_leaves_the_old_version_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "s.sqlite"
    old = SqliteStore(path)
    old.put("batch", "b1", {"id": "b1"})
    old.close()

    def broken(db: sqlite3.Connection) -> None:
        db.execute("ALTER TABLE records ADD COLUMN half TEXT")
        db.execute("SELECT * FROM no_such_table")

    monkeypatch.setattr(state_sqlite, "MIGRATIONS", [*state_sqlite.MIGRATIONS, broken])
    with pytest.raises(StateError, match="cannot migrate from schema 1"):
        SqliteStore(path)
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == 1
    columns = [row[1] for row in db.execute("PRAGMA table_info(records)")]
    assert "half" not in columns


def test_a_fresh_v0_file_is_initialised(tmp_path: Path) -> None:
    path = tmp_path / "empty.sqlite"
    path.touch()  # v0: an empty file
    store = SqliteStore(path)
    assert list(store.records()) == []
    store.close()


def _seed_state(path: Path) -> tuple[str, str, bytes]:
    proc, url = start(path, "--timing", "immediate")
    sdk = openai.OpenAI(base_url=f"{url}/v1", api_key="k", max_retries=0)
    line = {
        "custom_id": "a",
        "method": "POST",
        "url": "/v1/chat/completions",
        "body": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]},
    }
    data = (json.dumps(line) + "\n").encode()
    uploaded = sdk.files.create(file=("in.jsonl", data), purpose="batch")
    batch = sdk.batches.create(
        input_file_id=uploaded.id, endpoint="/v1/chat/completions", completion_window="24h"
    )
    output = sdk.files.content(sdk.batches.retrieve(batch.id).output_file_id or "").content
    stop(proc)
    return batch.id, uploaded.id, output


def _cli(argv: list[str], stdin: str = "") -> tuple[int, str, str]:
    done = subprocess.run(
        [sys.executable, "-m", "emulator", *argv],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return done.returncode, done.stdout, done.stderr


def test_export_then_import_gives_the_same_batches_files_and_bytes(tmp_path: Path) -> None:
    source, copy = tmp_path / "a.sqlite", tmp_path / "b.sqlite"
    batch_id, file_id, output = _seed_state(source)
    status, snapshot, _ = _cli(["export", "--state", str(source)])
    assert status == 0
    body = json.loads(snapshot)
    assert body["format"] == "batch-emulator-snapshot"
    assert {"batch", "items", "file", "config", "ids"} <= {r["kind"] for r in body["records"]}
    status, _, err = _cli(["import", "--state", str(copy)], snapshot)
    assert status == 0, err
    proc, url = start(copy)
    sdk = openai.OpenAI(base_url=f"{url}/v1", api_key="k", max_retries=0)
    batch = sdk.batches.retrieve(batch_id)
    assert batch.status == "completed"
    assert sdk.files.content(batch.output_file_id or "").content == output
    assert sdk.files.retrieve(file_id).filename == "in.jsonl"
    stop(proc)
    status, again, _ = _cli(["export", "--state", str(copy)])
    assert json.loads(again)["records"] != []


def test_import_never_overwrites_without_replace_nor_takes_a_bad_snapshot(tmp_path: Path) -> None:
    source = tmp_path / "a.sqlite"
    _seed_state(source)
    _, snapshot, _ = _cli(["export", "--state", str(source)])
    before = _digest(source)
    status, _, err = _cli(["import", "--state", str(source)], snapshot)
    assert status == 2 and "--replace" in err and str(source) in err
    for bad in (
        "{",
        '{"format": "other"}',
        json.dumps(
            {
                **json.loads(snapshot),
                "records": [
                    {"kind": "batch", "key": "x", "value": {}},
                    {"kind": "items", "key": "x", "value": {}},
                ],
            }
        ),
    ):
        status, _, err = _cli(["import", "--state", str(tmp_path / "new.sqlite")], bad)
        assert status == 2 and len(err.strip().splitlines()) == 1, err
    assert _digest(source) == before
    status, _, _ = _cli(["import", "--state", str(source), "--replace"], snapshot)
    assert status == 0


def test_export_of_a_missing_file_is_a_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export", "--state", str(tmp_path / "nope.sqlite")]) == 2
    err = capsys.readouterr().err
    assert "nope.sqlite" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "nope.sqlite").exists()


def test_a_second_server_on_a_file_in_use_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite"
    proc, _ = start(path)
    try:
        line = _serve_refusal(path)
        assert str(path) in line and "in use by another batch-emulator server" in line
        status, snapshot, _ = _cli(["export", "--state", str(path)])  # a reader is welcome
        assert status == 0 and json.loads(snapshot)["format"] == "batch-emulator-snapshot"
    finally:
        stop(proc)
