"""SQLite access: connections, a small pool for the threadpool, transactions, change sequence.

Every shop-visible change stamps the rows it touches with the next value of a
global change sequence (``change_seq``), bumped at most once per transaction.
Writers are serialised by ``BEGIN IMMEDIATE`` (never a read lock upgraded to a
write one, which SQLite would refuse with "database is locked"), so a reader's
snapshot always holds every row stamped up to the sequence value it reads:
that value is the pull cursor.
"""

from __future__ import annotations

import queue
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlite_utils import Database

from marketplace.schema import migrate
from sync.protocol import utcnow_iso
from sync.sqlite_tx import rollback_quietly, transaction

__all__ = ["Tx", "Store", "connect", "open_database", "read_tx", "write_tx", "rows", "row"]

BUSY_TIMEOUT_MS = 10_000
T = TypeVar("T")


def connect(path: str | Path) -> Database:
    """A connection usable from any (one at a time) thread; WAL is set by ``open_database``."""
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    # NORMAL in WAL mode: a committed transaction survives a crash of the process (SIGKILL);
    # only an OS crash/power loss can lose the last commits.
    conn.execute("PRAGMA synchronous = NORMAL")
    return Database(conn)


def open_database(path: str | Path) -> Database:
    """Open (creating if needed) the marketplace database, in WAL mode, fully migrated."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    db = connect(path)
    db.enable_wal()
    migrate(db)
    return db


def rows(conn: sqlite3.Connection, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
    cursor = conn.execute(sql, params)
    keys = [d[0] for d in cursor.description]
    return [dict(zip(keys, values, strict=True)) for values in cursor.fetchall()]


def row(conn: sqlite3.Connection, sql: str, params: Sequence[Any] = ()) -> dict[str, Any] | None:
    found = rows(conn, sql, params)
    return found[0] if found else None


class Tx:
    """One open transaction: its connection, its time, its (lazily taken) change version."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        self.now = utcnow_iso()
        self._version: int | None = None

    def version(self) -> int:
        """The change-sequence value stamped on everything this transaction changes."""
        if self._version is None:
            (self._version,) = self.conn.execute(
                "UPDATE change_seq SET value = value + 1 WHERE id = 1 RETURNING value"
            ).fetchone()
        return self._version

    def forget_version(self) -> None:
        """Call after ROLLBACK TO a savepoint taken before ``version()``."""
        self._version = None

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        return rows(self.conn, sql, params)

    def row(self, sql: str, params: Sequence[Any] = ()) -> dict[str, Any] | None:
        return row(self.conn, sql, params)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        return self.conn.execute(sql, params)


@contextmanager
def _transaction(db: Database, begin: str) -> Iterator[Tx]:
    with transaction(db.conn, begin) as conn:  # the shop's store follows the same rules
        yield Tx(conn)


# One writer at a time, queued here rather than in SQLite: a writer that finds the database
# locked sleeps in SQLite's busy handler (naps of up to 100 ms), while a lock wakes the next
# writer as soon as the previous one commits. Other processes on the same file still meet
# SQLite's busy timeout.
_WRITE_LOCK = threading.Lock()


@contextmanager
def write_tx(db: Database) -> Iterator[Tx]:
    with _WRITE_LOCK, _transaction(db, "BEGIN IMMEDIATE") as tx:
        yield tx


def read_tx(db: Database) -> Any:
    """A read snapshot: every SELECT inside sees the same committed state."""
    return _transaction(db, "BEGIN")


class Store:
    """A pool of connections for the request threadpool (no connection per thread forever)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._idle: queue.SimpleQueue[Database] = queue.SimpleQueue()
        self._closed = False

    def run(self, fn: Callable[..., T], *args: Any) -> T:
        """Call ``fn(db, *args)`` with a pooled connection (blocking: use from a worker thread)."""
        try:
            db = self._idle.get_nowait()
        except queue.Empty:
            db = connect(self.path)
        try:
            return fn(db, *args)
        except BaseException:
            rollback_quietly(db.conn)  # never hand a half-done transaction to the next caller
            raise
        finally:
            if self._closed:
                db.close()
            else:
                self._idle.put(db)

    def close(self) -> None:
        """Close idle connections; connections in use are closed when they come back."""
        self._closed = True
        while True:
            try:
                self._idle.get_nowait().close()
            except queue.Empty:
                return
