"""The state file: records in one SQLite table, WAL mode, one transaction per change.

Opening checks the file before writing a byte to it: anything that is not an empty file, a
fresh database or a state file of a schema this code knows is refused with a `StateError`
naming the file (the CLI prints it in one line, exit 2), and the file is left exactly as it was.
The schema version lives in the file (`PRAGMA user_version`), the file's owner in
`PRAGMA application_id`; `MIGRATIONS[n]` brings a version-n file to n + 1, all in one
transaction, so an interrupted migration leaves the old version intact.

`synchronous=NORMAL` in WAL mode: a commit survives the process being killed at any instant
(`kill -9`); only an operating-system crash or power cut may lose the last commits.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from emulator.core.persist import Record

if sys.platform != "win32":
    import fcntl

PAGE_SIZE = 65_536
WAL_LIMIT = 64 * 1024 * 1024  # the WAL is cut back to this after a checkpoint (big uploads)
APPLICATION_ID = 0x42454D55  # "BEMU": marks a file as a batch-emulator state file


class StateError(Exception):
    """A state file this code cannot use: unreadable, foreign or from a newer version."""


def _v1(db: sqlite3.Connection) -> None:
    db.execute(
        "CREATE TABLE records (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, key TEXT NOT NULL,"
        " value TEXT NOT NULL, data BLOB, UNIQUE (kind, key))"
    )
    db.execute("CREATE INDEX records_kind ON records (kind, id)")


Migration = Callable[[sqlite3.Connection], None]
MIGRATIONS: list[Migration] = [_v1]  # index n: from version n to n + 1 (0 = an empty file)


def current_version() -> int:
    return len(MIGRATIONS)


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


class SqliteStore:
    """A `Store` over one SQLite file. Thread-safe: one connection behind one lock."""

    active = True

    def __init__(self, path: str | Path, *, read_only: bool = False) -> None:
        self.path = Path(path)
        self.read_only = read_only
        version = inspect(self.path)
        self._lock = threading.RLock()
        self._depth = 0
        try:
            self._db = _connect(self.path, "ro" if read_only else "rwc")
            if not read_only:
                if version == 0:  # big pages for big blobs (30 MB uploads): set before any table
                    self._db.execute(f"PRAGMA page_size={PAGE_SIZE}")
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=NORMAL")
                self._db.execute(f"PRAGMA journal_size_limit={WAL_LIMIT}")
        except sqlite3.Error as exc:
            raise StateError(f"{self.path}: cannot open it ({exc})") from None
        if not read_only:
            self._owner = _claim(self.path)
            self._migrate(version)

    def _migrate(self, version: int) -> None:
        if version == current_version():
            return
        try:
            self._db.execute("BEGIN IMMEDIATE")
            for step in MIGRATIONS[version:]:
                step(self._db)
            self._db.execute(f"PRAGMA application_id={APPLICATION_ID}")
            self._db.execute(f"PRAGMA user_version={current_version()}")
            self._db.execute("COMMIT")
        except sqlite3.Error as exc:
            self._db.execute("ROLLBACK")
            raise StateError(f"{self.path}: cannot migrate from schema {version}: {exc}") from None

    # -- writing --------------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self._lock:
            outer = self._depth == 0
            if outer:
                self._db.execute("BEGIN IMMEDIATE")
            self._depth += 1
            try:
                yield
            except BaseException:
                self._depth -= 1
                if outer:
                    self._db.execute("ROLLBACK")
                raise
            self._depth -= 1
            if outer:
                self._db.execute("COMMIT")

    def busy(self) -> bool:
        """Whether another thread is writing now (a big upload's bytes, say): a writer that
        can wait for the next turn (the journal) asks first instead of queueing behind it."""
        if not self._lock.acquire(blocking=False):
            return True
        self._lock.release()
        return False

    def put(self, kind: str, key: str, value: Any, data: bytes | None = None) -> None:
        text = _dumps(value)  # encoded before the lock: other writers need not wait for it
        with self.transaction():
            self._db.execute(
                "INSERT INTO records (kind, key, value, data) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (kind, key) DO UPDATE SET value = excluded.value, "
                "data = excluded.data",
                (kind, key, text, data),
            )

    def delete(self, kind: str, key: str) -> None:
        with self.transaction():
            self._db.execute("DELETE FROM records WHERE kind = ? AND key = ?", (kind, key))

    def clear(self, keep: tuple[str, ...] = ()) -> None:
        marks = ", ".join("?" for _ in keep)
        with self.transaction():
            self._db.execute(f"DELETE FROM records WHERE kind NOT IN ({marks})", keep)

    def drop(self, kind: str) -> None:
        with self.transaction():
            self._db.execute("DELETE FROM records WHERE kind = ?", (kind,))

    def trim(self, kind: str, keep: int) -> None:
        """Keep only the newest `keep` records of `kind` (a bounded log, such as the journal)."""
        with self.transaction():
            self._db.execute(
                "DELETE FROM records WHERE kind = ?1 AND id < (SELECT id FROM records "
                "WHERE kind = ?1 ORDER BY id DESC LIMIT 1 OFFSET ?2)",
                (kind, keep - 1),
            )

    # -- reading --------------------------------------------------------------------------
    def records(self, kind: str | None = None) -> Iterator[Record]:
        """Records in the order they were first put (of one kind, if given)."""
        where, args = ("WHERE kind = ?", (kind,)) if kind is not None else ("", ())
        with self._lock:
            rows = self._db.execute(
                f"SELECT kind, key, value, data FROM records {where} ORDER BY id", args
            ).fetchall()
        for got_kind, key, value, data in rows:
            yield Record(got_kind, key, json.loads(value), data)

    def count(self) -> int:
        with self._lock:
            found: int = self._db.execute("SELECT count(*) FROM records").fetchone()[0]
        return found

    def close(self) -> None:
        with self._lock:
            self._db.close()
            if not self.read_only:
                os.close(self._owner)


def _claim(path: Path) -> int:
    """One writer per file: a second server on it would keep a diverging copy in memory.
    An advisory `flock` (independent of SQLite's own locks), released when the process dies."""
    fd = os.open(path, os.O_RDONLY)
    if sys.platform == "win32":  # no flock: the rule is documented, not enforced
        return fd
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        raise StateError(f"{path}: in use by another batch-emulator server") from None
    return fd


def _connect(path: Path, mode: str) -> sqlite3.Connection:
    uri = f"{path.resolve().as_uri()}?mode={mode}"
    return sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)


def inspect(path: Path) -> int:
    """The schema version of `path` (0: absent, empty or a fresh database), read without
    writing; a `StateError` for a file that is not ours or is newer than this code."""
    wal = path.with_name(path.name + "-wal")
    if not path.exists() or (path.is_file() and path.stat().st_size == 0 and not wal.exists()):
        return 0
    if not path.is_file():
        raise StateError(f"{path}: not a file")
    try:
        db = _connect(path, "ro")
        try:
            app = db.execute("PRAGMA application_id").fetchone()[0]
            version = db.execute("PRAGMA user_version").fetchone()[0]
            tables = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        finally:
            db.close()
    except sqlite3.Error as exc:
        raise StateError(f"{path}: not a readable batch-emulator state file ({exc})") from None
    if app == 0 and tables == 0 and version == 0:
        return 0  # a fresh database: ours to initialise
    if app != APPLICATION_ID:
        raise StateError(f"{path}: not a batch-emulator state file (another program's database)")
    if version > current_version():
        raise StateError(
            f"{path}: written by a newer batch-emulator (schema {version}; this one reads up "
            f"to {current_version()}); upgrade batch-emulator or use another file"
        )
    return int(version)
