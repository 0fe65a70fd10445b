"""The marketplace's database access: SQLite (default) or PostgreSQL, one query path.

API (what route code, the sweeper and operator helpers use; keep it stable)::

    url = database_url("market.db")              # a path, sqlite:///…, postgresql://…
    store = Store(url)                           # pool (server); store.run(fn, *args)
    await store.run_on_loop(fn, *args)           # PostgreSQL: the same, on the event loop
    db = open_database(url)                      # one migrated connection (CLI, tests)
    with write_tx(db) as tx:                     # or read_tx(db): one consistent snapshot
        tx.lock_shop(shop_id)                    # FIRST, before any check-then-insert
        found = tx.row("SELECT … WHERE id = ?", (x,))
        tx.execute("UPDATE … SET version = ? …", (tx.version(shop_id), …))
        tx.on_commit(lambda: …)                  # after COMMIT succeeded (this thread)
    db.close()

``Tx``: ``now`` (ISO time of the transaction), ``dialect`` ("sqlite" | "postgresql"),
``rows``/``row``/``execute``/``executemany`` (``?`` placeholders, portable SQL only),
``batch(statements, version_of=None, last=False)`` (several statements, one round trip;
a read's last one with its COMMIT),
``version(shop_id)``, ``lock_shop(shop_id, columns=None)`` (with ``columns``: the shop's
row, read with the lock), ``savepoint(name)``, ``touched_shops``, ``touch(shop_id)``,
``changed_shops``, ``on_commit(fn)``, ``before_commit(fn)``, ``with_commit(sql, params)``
(a last statement sent with the COMMIT).
``Backend.before_commit_hooks`` run in every write transaction just before its COMMIT
(``hook(tx)``; on PostgreSQL ``listener.send_wakeups`` NOTIFYs ``tx.changed_shops``, in the
COMMIT's round trip).

The change sequence is per shop: ``tx.version(shop_id)`` bumps ``shops.seq`` with
``UPDATE shops SET seq = seq + 1 WHERE id = ? RETURNING seq`` inside the writing
transaction (once per shop per transaction) and every row of the shop the transaction
changes is stamped with that value. A pull reads ``shops.seq`` as its cursor in the
same snapshot as the rows. That is right only if a shop's writers commit in the order
of their stamps, which each backend guarantees its own way:

- SQLite: one writer at a time for the whole file (``_WRITE_LOCK`` in this process,
  ``BEGIN IMMEDIATE`` against other processes). Reads are snapshots (WAL).
- PostgreSQL: the UPDATE takes the shop row's lock until COMMIT, so the next writer of
  that shop gets the next value only once the previous one committed (its UPDATE
  waits on the lock, then re-reads the committed row). Different shops never wait for
  each other. Writers run in READ COMMITTED; reads in ``REPEATABLE READ READ ONLY``
  (one snapshot: cursor, entities and ``last_mutation_id`` agree).

  Rule for writers on PostgreSQL: a transaction that checks something of a shop and
  then writes depending on it (a push's replay check, an order's idempotency key, its
  number, stock, caps; a status change) calls ``tx.lock_shop(shop_id)`` (or
  ``tx.version(shop_id)``) BEFORE its first check: the check then sees everything the
  shop's previous writer committed, and no other writer of the shop can slip in
  between. A transaction touching several shops locks them in sorted order (no
  deadlock). On SQLite ``lock_shop`` costs nothing: the writer already holds the file.

Queries are plain SQL strings with ``?`` placeholders, the same text on both backends
(portable SQL: ``ON CONFLICT``, ``COALESCE``, 0/1 integers for booleans, ISO-8601 UTC
text for times, explicit NULL ordering, ``CAST(SUM(…) AS BIGINT)``). For psycopg the
placeholders are rewritten once per statement text (``to_pyformat``) and values are
bound client-side (``ClientCursor``), so an untyped ``? IS NULL`` works as on SQLite.
Client-side binding also lets ``batch`` send several statements (and the BEGIN, and a
read's COMMIT) as one simple query: one round trip. The hot paths' statements are
``Prepared`` (PREPAREd once per connection, then EXECUTEd): PostgreSQL plans them once
instead of at every run. SQLite keeps its raw ``sqlite3`` connections and pool (the
fastest path, measured in bench/bench_sync.py); PostgreSQL goes through a SQLAlchemy
engine's pool (a restarted server is reconnected to by itself: ``Store.run``). The
schema and its migrations are SQLAlchemy/Alembic (schema.py, migrations/).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import logging
import queue
import sqlite3
import threading
import weakref
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from sync.protocol import utcnow_iso
from sync.sqlite_tx import rollback_quietly, transaction

__all__ = ["Backend", "Database", "Prepared", "Statement", "prepared", "Store", "Tx", "connect",
           "database_url", "open_database", "read_tx", "write_tx", "rows", "row", "to_pyformat",
           "is_postgresql_url", "sqlite_path", "unavailable", "pg_engine", "PgTimeouts", "PG_KEEPALIVES"]

log = logging.getLogger(__name__)
BUSY_TIMEOUT_MS = 10_000
PG_CONNECT_TIMEOUT_S = 10
# TCP keepalives and libpq's tcp_user_timeout (ms: unacknowledged data) on every PostgreSQL
# connection, the listener's included: a server that vanished without closing the socket
# (host down, network blackholed) becomes an error within seconds, not TCP's ~15 minutes.
PG_KEEPALIVES: dict[str, int] = {"keepalives": 1, "keepalives_idle": 10,
                                 "keepalives_interval": 5, "keepalives_count": 3,
                                 "tcp_user_timeout": 15_000}
T = TypeVar("T")


# -- URLs ------------------------------------------------------------------------------------------

def database_url(value: str | Path) -> str:
    """A path (SQLite file) or URL, as the URL the rest of the code uses.

    ``postgresql://`` and ``postgres://`` (what operators write) become
    ``postgresql+psycopg://`` (the driver this server ships with)."""
    text = str(value)
    if "://" not in text:
        return "sqlite:///" + str(Path(text).expanduser().absolute())
    scheme, rest = text.split("://", 1)
    if scheme in ("postgresql", "postgres", "postgresql+psycopg"):
        return "postgresql+psycopg://" + rest
    if scheme == "sqlite":
        return text
    raise ValueError(f"base de données non prise en charge : {scheme}:// "
                     "(un fichier SQLite ou postgresql://…)")


def is_postgresql_url(url: str) -> bool:
    return url.startswith("postgresql")


def sqlite_path(url: str) -> Path:
    """The file of a ``sqlite:///`` URL."""
    assert url.startswith("sqlite:///"), url
    return Path(url[len("sqlite:///"):])


@functools.lru_cache(maxsize=4096)
def to_pyformat(sql: str) -> str:
    """``?`` placeholders as psycopg's ``%s`` (and a literal ``%`` as ``%%``), leaving
    ``?`` inside quoted literals, quoted names and ``--`` comments alone.

    Raises ValueError on what this scanner does not understand (a ``/* */`` comment, a
    ``$$`` dollar quote, an ``E'…'`` string with backslash escapes): a ``?`` inside one
    would silently become a parameter. Portable SQL needs none of them."""
    out: list[str] = []
    quote = ""
    comment = False
    previous = before = ""
    for ch in sql:
        if comment:
            comment = ch != "\n"
            out.append("%%" if ch == "%" else ch)
        elif quote:
            quote = "" if ch == quote else quote
            out.append("%%" if ch == "%" else ch)
        elif ch == "*" and previous == "/":
            raise ValueError(f"to_pyformat: /* */ comments are not supported: {sql!r}")
        elif ch == "$" and previous == "$":
            raise ValueError(f"to_pyformat: $$ dollar quotes are not supported: {sql!r}")
        elif ch == "'" and previous in ("e", "E") and not (before.isalnum() or before == "_"):
            raise ValueError(f"to_pyformat: E'' escape strings are not supported: {sql!r}")
        elif ch in "'\"":
            quote = ch
            out.append(ch)
        elif ch == "-" and previous == "-":
            comment = True
            out.append(ch)
        elif ch == "?":
            out.append("%s")
        elif ch == "%":
            out.append("%%")
        else:
            out.append(ch)
        previous, before = ch, previous
    return "".join(out)


# -- backends and connections ------------------------------------------------------------------

@dataclass(frozen=True)
class PgTimeouts:
    """Server-side bounds of every pooled PostgreSQL connection (seconds; 0 = none).

    Without them one held row lock (a stuck writer, an operator's open psql transaction)
    parks every request of that shop on its lock, each holding a worker thread and a pooled
    connection, until the pool is exhausted and unrelated shops hang too. The errors they
    raise (LockNotAvailable, QueryCanceled, IdleInTransactionSessionTimeout) are
    ``unavailable``: the client gets the retryable 503. Long-polls hold no transaction
    while they wait, so none of these cut them."""

    lock_s: float = 5.0             # waiting for a row lock (one shop's writers queue)
    statement_s: float = 30.0       # any one statement
    idle_in_transaction_s: float = 60.0  # a transaction left open between statements

    def options(self) -> str:
        """libpq's ``options``: ``-c name=value`` for each bound, in milliseconds."""
        bounds = {"lock_timeout": self.lock_s, "statement_timeout": self.statement_s,
                  "idle_in_transaction_session_timeout": self.idle_in_transaction_s}
        return " ".join(f"-c {name}={round(seconds * 1000)}" for name, seconds in bounds.items())


class Backend:
    """One database (URL): its dialect, and for PostgreSQL the SQLAlchemy engine and pool.

    ``before_commit_hooks``: ``hook(tx)`` run inside every write transaction just before
    its COMMIT (an error there rolls the transaction back)."""

    def __init__(self, url: str, *, pool_size: int = 10, max_overflow: int = 10,
                 timeouts: PgTimeouts | None = None):
        self.url = database_url(url)
        self.dialect = "postgresql" if is_postgresql_url(self.url) else "sqlite"
        self.before_commit_hooks: list[Callable[[Tx], None]] = []
        self.engine: Any = None
        if self.dialect == "postgresql":
            from marketplace.listener import send_wakeups

            # No reset when a connection comes back: every checkout here is given back by
            # _release_pg, which has rolled back what was left open (or dropped the
            # connection), so the pool's own ROLLBACK would only spend CPU.
            self.engine = pg_engine(self.url, timeouts or PgTimeouts(), pool_size=pool_size,
                                    max_overflow=max_overflow, pool_reset_on_return=None)
            # Every process's long-polls hear every commit, operator commands' included.
            self.before_commit_hooks.append(send_wakeups)

    @property
    def is_postgresql(self) -> bool:
        return self.dialect == "postgresql"

    def dispose(self) -> None:
        if self.engine is not None:
            self.engine.dispose()


def pg_engine(url: str, timeouts: PgTimeouts | None = None, **pool: Any) -> Any:
    """A SQLAlchemy engine for psycopg 3: autocommit connections (transactions are begun
    explicitly, like SQLite's), client-side binding, server-side ``timeouts`` and TCP
    keepalives. No pre-ping (a round trip per checkout): ``Store.run`` runs again, on the
    next connection, a call whose first statement found its connection dead."""
    import psycopg
    from sqlalchemy import create_engine, event

    engine = create_engine(database_url(url),
                           connect_args={"autocommit": True,
                                         "cursor_factory": psycopg.ClientCursor,
                                         # A ClientCursor never prepares (``Prepared`` does,
                                         # here), yet psycopg kept count of every query text
                                         # in its prepare cache and checked every result.
                                         "prepare_threshold": None,
                                         "connect_timeout": PG_CONNECT_TIMEOUT_S,
                                         "options": (timeouts or PgTimeouts()).options(),
                                         **PG_KEEPALIVES},
                           **pool)

    @event.listens_for(engine, "do_connect")
    def _loop_aware(dialect: Any, record: Any, cargs: Any, cparams: Any) -> Any:
        return _loop_connection_class().connect(*cargs, **cparams)

    return engine


# psycopg's own (connection._WAIT_INTERVAL): a wait for the server wakes up this often to see
# whether it was interrupted.
WAIT_INTERVAL_S = 0.1
# The greenlets running ``Store.run_on_loop``'s calls: there a connection waits the loop's way.
_LOOP_CALLS: weakref.WeakSet[Any] = weakref.WeakSet()


def in_loop_call() -> bool:
    """This code runs in a call of ``Store.run_on_loop`` (a greenlet on the event loop)."""
    import greenlet

    return greenlet.getcurrent() in _LOOP_CALLS


def _as_loop_call(fn: Callable[..., T], *args: Any) -> T:
    import greenlet

    _LOOP_CALLS.add(greenlet.getcurrent())
    return fn(*args)


@functools.cache
def _loop_connection_class() -> type:
    """psycopg's ``Connection`` whose waits for the server are the event loop's when it is
    used from ``Store.run_on_loop`` (a greenlet on the loop's thread), and the usual
    blocking waits anywhere else (a worker thread, the CLI). Only the waiting changes:
    every statement, cursor and transaction is psycopg's own sync code."""
    import anyio.to_thread
    import psycopg
    from psycopg import waiting
    from sqlalchemy.util import await_

    class LoopAwareConnection(psycopg.Connection):  # type: ignore[type-arg]
        @classmethod
        def connect(cls, *args: Any, **kwargs: Any) -> Any:
            connect = functools.partial(super().connect, *args, **kwargs)
            if not in_loop_call():
                return connect()
            # Opening one blocks (name lookup, up to the connect timeout): in a worker
            # thread, wherever the pool decides to (a checkout may reconnect a record).
            return await_(anyio.to_thread.run_sync(connect))

        def wait(self, gen: Any, interval: float = WAIT_INTERVAL_S,
                 timeout: float | None = None) -> Any:
            if not in_loop_call():
                return super().wait(gen, interval, timeout)
            # (wait_async's own default interval, 0, would wake the loop at every turn.)
            # Unlike the sync wait, no cancel request is sent to the server when the call is
            # interrupted (its caller's cancellation never reaches it: run_on_loop).
            return await_(waiting.wait_async(gen, self.pgconn.socket, interval, timeout))

    return LoopAwareConnection


class Database:
    """One connection of a backend, used by one thread at a time; ``conn`` is the DBAPI
    connection (``sqlite3.Connection`` or ``psycopg.Connection``)."""

    def __init__(self, backend: Backend, conn: Any, release: Callable[[], None] | None = None):
        self.backend = backend
        self.conn = conn
        self._release = release
        # PostgreSQL: a statement got its answer on this connection, or one that commits by
        # itself was sent (autocommit): a call that failed after that is never run again
        self.answered = False

    @property
    def dialect(self) -> str:
        return self.backend.dialect

    @property
    def is_postgresql(self) -> bool:
        return self.backend.dialect == "postgresql"

    def close(self) -> None:
        release, self._release = self._release, None
        if release is not None:
            release()


def _sqlite_connect(path: str | Path) -> sqlite3.Connection:
    """A connection usable from any (one at a time) thread; WAL is set by ``open_database``."""
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    # NORMAL in WAL mode: a committed transaction survives a crash of the process (SIGKILL);
    # only an OS crash/power loss can lose the last commits.
    conn.execute("PRAGMA synchronous = NORMAL")
    return conn


def connect(url: str | Path) -> Database:
    """One connection (not migrated), for one thread at a time: the caller closes it.
    (A PostgreSQL one comes from its own one-connection engine, disposed of at close.)"""
    backend = Backend(str(url), pool_size=1, max_overflow=0)
    if backend.is_postgresql:
        proxied = backend.engine.raw_connection()

        def release() -> None:
            _release_pg(proxied)
            backend.dispose()
        return Database(backend, proxied.driver_connection, release)
    conn = _sqlite_connect(sqlite_path(backend.url))
    return Database(backend, conn, conn.close)


def _release_pg(proxied: Any) -> None:
    """Give a pooled connection back: rolled back if a transaction is left open, dropped
    if the server went away (the pool opens a new one next time)."""
    conn = proxied.driver_connection
    dead = conn is None or conn.closed  # psycopg: a broken connection is closed too
    if not dead and conn.info.transaction_status != 0:
        try:
            conn.rollback()
        except Exception:  # gone, or left mid-query ("connection socket closed")
            dead = True
        else:
            dead = conn.info.transaction_status != 0
    if dead or conn.closed:
        proxied.invalidate()  # closed and dropped: the pool's own reset would log an error
    proxied.close()


def open_database(url: str | Path) -> Database:
    """Open (creating if needed) the marketplace database, migrated; ``close()`` it."""
    from marketplace.schema import migrate

    migrate(url)
    return connect(url)


def rows(conn: Any, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
    """Rows of a query on a ``sqlite3`` connection, as dicts."""
    cursor = conn.execute(sql, params)
    keys = [d[0] for d in cursor.description]
    return [dict(zip(keys, values, strict=True)) for values in cursor.fetchall()]


def row(conn: Any, sql: str, params: Sequence[Any] = ()) -> dict[str, Any] | None:
    found = rows(conn, sql, params)
    return found[0] if found else None


def unavailable(exc: BaseException) -> bool:
    """PostgreSQL could not be reached, or gave this transaction up (connection lost, server
    restarting, pool exhausted, deadlock, serialisation failure, a ``PgTimeouts`` bound
    reached: lock, statement, idle transaction; a prepared plan made stale by a migration):
    the request may be retried as it is. (SQLite's errors are left alone: a missing table
    is a bug, not a pause.)"""
    try:
        import psycopg
        from sqlalchemy import exc as sa_exc
    except ImportError:  # pragma: no cover - both are dependencies
        return False
    return isinstance(exc, (psycopg.OperationalError, sa_exc.OperationalError,
                            sa_exc.TimeoutError, psycopg.errors.IdleInTransactionSessionTimeout)
                      ) or _stale_plan(exc)


def _connection_lost(conn: Any, exc: BaseException) -> bool:
    """``exc`` says the connection itself failed: libpq marked it closed, or psycopg raised
    an error of its own, without SQLSTATE (its socket found hung up before libpq read the
    server's goodbye: "connection socket closed", the connection still looking open). Not
    a refusal PostgreSQL answered (a lock or statement timeout, a deadlock: a SQLSTATE).
    Whether the statements ran is not told here: ``Database.answered`` is."""
    import psycopg

    return unavailable(exc) and (conn.closed or (isinstance(exc, psycopg.OperationalError)
                                                 and exc.sqlstate is None))


def _stale_plan(exc: BaseException) -> bool:
    """A Prepared statement whose result columns changed under it (a column's type changed
    by another process's migration): refused once, prepared again by the next trip. Told
    by the function that raised it, not by its (translated) message."""
    import psycopg

    return (isinstance(exc, psycopg.errors.FeatureNotSupported)
            and exc.diag.source_function == "RevalidateCachedQuery")


# -- transactions ------------------------------------------------------------------------------

class Prepared:
    """A statement of a hot path that PostgreSQL plans once per connection (``PREPARE``, then
    ``EXECUTE``), instead of at every run (planning was about half of PostgreSQL's CPU per
    order). Same ``?`` text as any statement; each parameter's type must follow from the
    SQL (a column it is compared with or written to, a cast): never a bare ``? IS NULL``.
    SQLite runs the text as it is. (Needs session-level statements: a PgBouncer in front
    must pool by session.)"""

    __slots__ = ("sql", "name", "arity", "prepare")

    def __init__(self, sql: str):
        self.sql = sql
        self.name = "comptoir_" + hashlib.blake2s(sql.encode(), digest_size=8).hexdigest()
        # ``?`` as $1, $2…: to_pyformat's %s, a literal % being %% there
        numbered, self.arity = [], 0
        for part in to_pyformat(sql).split("%%"):
            pieces = part.split("%s")
            for piece in pieces[1:]:
                self.arity += 1
                pieces[0] += f"${self.arity}" + piece
            numbered.append(pieces[0])
        self.prepare = f"PREPARE {self.name} AS " + "%".join(numbered)

    def __repr__(self) -> str:
        return f"Prepared({self.sql!r})"


Statement = str | Prepared


@functools.lru_cache(maxsize=1024)
def prepared(sql: str) -> Prepared:
    """The ``Prepared`` statement of this text (one object per text)."""
    return Prepared(sql)


def _text(sql: Statement) -> str:
    return sql.sql if isinstance(sql, Prepared) else sql


_BUMP_SEQ = prepared("UPDATE shops SET seq = seq + 1 WHERE id = ? RETURNING seq")


def _dicts(cursor: Any) -> list[dict[str, Any]]:
    """A cursor's current result as dicts; ``[]`` for a result without rows (a write)."""
    result = getattr(cursor, "pgresult", False)
    if result is False:  # sqlite3
        if cursor.description is None:
            return []
        keys = [d[0] for d in cursor.description]
        return [dict(zip(keys, values, strict=True)) for values in cursor.fetchall()]
    # psycopg: its own dict_row names the columns from the result once. ``description``
    # makes a Column object per column, with type lookups, each time it is read (twice per
    # result here): measured, a third of the instructions of placing an order and pulling it.
    from psycopg import pq
    from psycopg.rows import dict_row

    if result is None or result.status != pq.ExecStatus.TUPLES_OK:
        return []
    cursor.row_factory = dict_row
    return cursor.fetchall()


# The Prepared statements each PostgreSQL session (its libpq connection) holds, or None
# when unsure: a round trip carrying them failed (its PREPAREs may or may not have run, and
# PREPARE outlives a rollback), and the next one starts with DEALLOCATE ALL.
_PREPARED: weakref.WeakKeyDictionary[Any, set[str] | None] = weakref.WeakKeyDictionary()
_IN_ERROR = 3  # psycopg.pq.TransactionStatus.INERROR: a failed transaction not rolled back


def _bound(conn: Any, statements: Sequence[tuple[Statement, Sequence[Any]]]
           ) -> tuple[list[str], list[str]]:
    """PostgreSQL statements with their values bound client-side, to send as one simple
    query (several statements, one round trip), and the PREPAREs to send before them."""
    held = _PREPARED.get(conn.pgconn, set())
    if conn.info.transaction_status == _IN_ERROR:
        # Only a ROLLBACK (TO SAVEPOINT) runs now; a PREPARE or DEALLOCATE would be refused
        # and hide the error being handled. The next trip in a live transaction does them.
        prepares: list[str] = []
        held = None
    elif held is None:
        prepares, held = ["DEALLOCATE ALL"], set()
    else:
        prepares = []
    texts = []
    with conn.cursor() as cursor:
        for sql, params in statements:
            if isinstance(sql, Prepared):
                if held is not None and sql.name not in held:
                    held = held | {sql.name}
                    prepares.append(sql.prepare)
                marks = ", ".join(["%s"] * sql.arity)
                texts.append(cursor.mogrify(f"EXECUTE {sql.name}({marks})", tuple(params))
                             if sql.arity else f"EXECUTE {sql.name}")
            else:
                texts.append(cursor.mogrify(to_pyformat(sql), tuple(params)) if params else sql)
    return texts, prepares


def _prepared_sure(conn: Any, prepares: list[str]) -> None:
    """The round trip that sent ``prepares`` succeeded: the connection holds them."""
    if prepares:
        earlier = _PREPARED.get(conn.pgconn)
        held = set() if prepares[0] == "DEALLOCATE ALL" else set(earlier or ())
        held |= {text.split()[1] for text in prepares if text.startswith("PREPARE ")}
        _PREPARED[conn.pgconn] = held


def _prepared_unsure(conn: Any, statements: Sequence[tuple[Statement, Sequence[Any]]]) -> None:
    """A round trip with ``statements`` failed: if it had Prepared ones, which of their
    PREPAREs ran is unknown (and a statement prepared before a migration may no longer
    run: "cached plan must not change result type"), so start again from none."""
    if any(isinstance(sql, Prepared) for sql, _ in statements):
        _PREPARED[conn.pgconn] = None


class Tx:
    """One open transaction: its connection, its time, its (lazily taken) shop versions."""

    def __init__(self, db: Database, write: bool):
        self.db = db
        self.conn = db.conn
        self.dialect = db.dialect
        self.write = write
        self.now = utcnow_iso()
        self._pg = db.is_postgresql
        # PostgreSQL: the BEGIN not sent yet (it goes with the first statement).
        self._begin: str | None = None
        self._versions: dict[str, int] = {}
        self._locked: set[str] = set()
        self._touched: set[str] = set()
        self._before: list[Callable[[], None]] = []
        self._after: list[Callable[[], None]] = []
        self._with_commit: list[tuple[Statement, tuple[Any, ...]]] = []
        self._ended = False  # PostgreSQL: committed by ``batch(last=True)``

    # -- queries --
    def execute(self, sql: Statement, params: Sequence[Any] = ()) -> Any:
        """Run one statement; the DBAPI cursor (``fetchone``, ``fetchall``, ``rowcount``)."""
        self._check_open()
        if not self._pg:
            return self.conn.execute(_text(sql), params)
        return self._send([(sql, params)])

    def _send(self, statements: Sequence[tuple[Statement, Sequence[Any]]],
              last: bool = False) -> Any:
        """PostgreSQL: ``statements`` in one round trip (one simple query, values bound
        client-side), preceded by the BEGIN not sent yet (first: a PREPARE would start the
        transaction) and the PREPAREs this connection lacks, followed by COMMIT if ``last``;
        the cursor at the first statement's result."""
        texts, prepares = _bound(self.conn, statements)
        begin, self._begin = self._begin, None
        try:
            cursor = self.conn.execute("; ".join([*([begin] if begin else []), *prepares,
                                                  *texts, *(["COMMIT"] if last else [])]))
        except BaseException:
            _prepared_unsure(self.conn, statements)
            raise
        _prepared_sure(self.conn, prepares)
        self.db.answered = True
        for _ in range(len(prepares) + (1 if begin else 0)):  # to the statements' results
            cursor.nextset()
        return cursor

    def executemany(self, sql: str, seq: Sequence[Sequence[Any]]) -> None:
        self._check_open()
        if self._pg:
            if self._begin is not None:
                self.conn.execute(self._begin)
                self._begin = None
                self.db.answered = True
            with self.conn.cursor() as cursor:
                cursor.executemany(to_pyformat(sql), [tuple(p) for p in seq])
        else:
            self.conn.executemany(sql, seq)

    def rows(self, sql: Statement, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        return _dicts(self.execute(sql, params))

    def _check_open(self) -> None:
        if self._ended:  # PostgreSQL would run it alone, outside this snapshot
            raise RuntimeError("statement after batch(last=True)")

    def batch(self, statements: Sequence[tuple[Statement, Sequence[Any]]], *,
              version_of: str | None = None, last: bool = False) -> list[list[dict[str, Any]]]:
        """Each statement's rows (``[]`` for a write), in order; on PostgreSQL all of them in
        one round trip (one simple query). With ``version_of``, the shop's version
        (``version()``) is taken in the same trip, after them. ``last`` (a read only): the
        transaction's last statements, its COMMIT sent with them (no statement may follow)."""
        bump = version_of is not None and version_of not in self._versions
        if last and self.write:
            raise RuntimeError("batch(last=True) in a write transaction (its hooks run at COMMIT)")
        self._check_open()
        self._ended = last
        if not self._pg:
            found = []
            for sql, params in statements:
                cursor = self.conn.execute(_text(sql), params)
                found.append(_dicts(cursor))
            if version_of is not None:
                self.version(version_of)
            return found
        if bump and not self.write:
            raise RuntimeError("version() in a read transaction")
        sent = [*statements, *([(_BUMP_SEQ, (version_of,))] if bump else [])]
        cursor = self._send(sent, last)
        found = []
        for index in range(len(sent)):
            if index:
                cursor.nextset()
            found.append(_dicts(cursor))
        if bump:
            assert version_of is not None
            self._took_version(version_of, found.pop())
        return found

    def row(self, sql: Statement, params: Sequence[Any] = ()) -> dict[str, Any] | None:
        found = self.rows(sql, params)
        return found[0] if found else None

    # -- the per-shop change sequence --
    def version(self, shop_id: str) -> int:
        """The shop's change-sequence value stamped on everything of the shop this
        transaction changes (taken once; on PostgreSQL it holds the shop's row lock)."""
        value = self._versions.get(shop_id)
        if value is None:
            if not self.write:
                raise RuntimeError("version() in a read transaction")
            value = self._took_version(shop_id, self.rows(_BUMP_SEQ, (shop_id,)))
        return value

    def _took_version(self, shop_id: str, bumped: list[dict[str, Any]]) -> int:
        if not bumped:
            raise LookupError(f"unknown shop {shop_id!r}")
        value = self._versions[shop_id] = int(bumped[0]["seq"])
        self._locked.add(shop_id)
        return value

    def lock_shop(self, shop_id: str, columns: str | None = None) -> dict[str, Any] | None:
        """Serialise this transaction after the shop's other writers (see the module doc).
        Call it before the first check a write depends on; an unknown shop is not an error
        here (the caller's own check says so).

        ``columns`` (of ``shops s``): the shop's row read with the lock, in the same
        statement (None for an unknown shop). Read under the lock, the row is the latest
        committed; a subquery in ``columns`` is not (on PostgreSQL it sees the statement's
        snapshot, taken before the lock was granted): keep checks of other tables, which
        the shop's previous writer may have changed, in statements of their own."""
        if not self.write:
            raise RuntimeError("lock_shop() in a read transaction")
        lock = self._pg and shop_id not in self._locked
        if columns is None and not lock:
            return None
        # NO KEY UPDATE: the lock ``version()``'s UPDATE takes, so the shop's writers
        # queue behind each other, while the KEY SHARE lock that inserting a row which
        # references the shop takes (a device, a pairing code) does not wait on it, and
        # cannot deadlock with it.
        found = self.row(prepared(f"SELECT {columns or '1 AS x'} FROM shops s WHERE s.id = ?"
                                  + (" FOR NO KEY UPDATE OF s" if lock else "")), (shop_id,))
        if lock:
            self._locked.add(shop_id)
        return found if columns is not None else None

    @property
    def touched_shops(self) -> frozenset[str]:
        """The shops whose sequence this transaction bumped (their pulls will see a change)."""
        return frozenset(self._versions)

    def touch(self, shop_id: str) -> None:
        """The shop's pulls change without a new version (a client's last mutation id moved
        for a refused mutation): its long-polls must still be woken."""
        self._touched.add(shop_id)

    @property
    def changed_shops(self) -> frozenset[str]:
        """The shops whose waiting long-polls this transaction's COMMIT must wake."""
        return frozenset(self._versions) | self._touched

    @contextlib.contextmanager
    def savepoint(self, name: str = "sp") -> Iterator[None]:
        """A part of the transaction undone on error (the error goes on): the shop
        versions and locks it took are forgotten with it."""
        versions, locked = dict(self._versions), set(self._locked)
        self.execute(f"SAVEPOINT {name}")
        try:
            yield
        except BaseException:
            self.execute(f"ROLLBACK TO SAVEPOINT {name}")
            self.execute(f"RELEASE SAVEPOINT {name}")
            self._versions, self._locked = versions, locked
            raise
        self.execute(f"RELEASE SAVEPOINT {name}")

    # -- hooks --
    def before_commit(self, fn: Callable[[], None]) -> None:
        """Run ``fn()`` inside this transaction, just before COMMIT."""
        self._before.append(fn)

    def with_commit(self, sql: Statement, params: Sequence[Any] = ()) -> None:
        """A last statement of this transaction whose result nobody reads: on PostgreSQL
        sent in the same round trip as COMMIT (an error still rolls everything back)."""
        if self._pg:
            self._with_commit.append((sql, tuple(params)))
        else:
            self.execute(sql, params)

    def on_commit(self, fn: Callable[[], None]) -> None:
        """Run ``fn()`` once COMMIT succeeded (in this thread; errors are logged)."""
        self._after.append(fn)

    def _run_before_commit(self) -> None:
        for fn in self._before:
            fn()
        for hook in self.db.backend.before_commit_hooks:
            hook(self)

    def _run_after_commit(self) -> None:
        for fn in self._after:
            try:
                fn()
            except Exception:  # committed: the caller must not believe otherwise
                log.exception("on_commit callback failed")


# One writer at a time, queued here rather than in SQLite: a writer that finds the database
# locked sleeps in SQLite's busy handler (naps of up to 100 ms), while a lock wakes the next
# writer as soon as the previous one commits. Other processes on the same file still meet
# SQLite's busy timeout. (PostgreSQL: per-shop row locks instead, see the module doc.)
_WRITE_LOCK = threading.Lock()

_PG_BEGIN_WRITE = "BEGIN"
_PG_BEGIN_READ = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"


@contextlib.contextmanager
def _pg_transaction(db: Database, write: bool) -> Iterator[Tx]:
    conn = db.conn
    if conn.info.transaction_status != 0:
        raise RuntimeError("a transaction is already open on this connection")
    tx = Tx(db, write)
    tx._begin = _PG_BEGIN_WRITE if write else _PG_BEGIN_READ
    try:
        yield tx
        if write:
            tx._run_before_commit()
    except BaseException:
        if not conn.closed and conn.info.transaction_status != 0:
            with contextlib.suppress(Exception):  # never hide the error on its way
                conn.rollback()
        raise
    try:
        if tx._ended:  # committed with its last statements
            pass
        elif tx._begin is None:  # else no statement ran: no transaction was opened
            _pg_commit(conn, tx._with_commit)
        else:  # no transaction was opened: alone, each in autocommit
            db.answered = True  # each may commit as soon as it is sent: never run it twice
            for sql, params in tx._with_commit:
                conn.execute(to_pyformat(_text(sql)) if params else _text(sql), params or None)
    except BaseException:
        if not conn.closed:
            with contextlib.suppress(Exception):
                conn.rollback()
        raise
    tx._run_after_commit()


def _pg_commit(conn: Any, last: list[tuple[Statement, tuple[Any, ...]]]) -> None:
    """COMMIT, after ``last`` statements sent in the same round trip (client-side binding:
    one simple query)."""
    if not last:
        conn.execute("COMMIT")
        return
    texts, prepares = _bound(conn, last)
    try:
        conn.execute("; ".join([*prepares, *texts, "COMMIT"]))
    except BaseException:
        _prepared_unsure(conn, last)
        raise
    _prepared_sure(conn, prepares)


@contextlib.contextmanager
def _sqlite_transaction(db: Database, write: bool) -> Iterator[Tx]:
    with contextlib.ExitStack() as stack:
        if write:
            stack.enter_context(_WRITE_LOCK)
        with transaction(db.conn, "BEGIN IMMEDIATE" if write else "BEGIN"):
            tx = Tx(db, write)
            yield tx
            if write:
                tx._run_before_commit()
    tx._run_after_commit()


def write_tx(db: Database) -> contextlib.AbstractContextManager[Tx]:
    """A writing transaction (see the module doc for the locking rules)."""
    return _pg_transaction(db, True) if db.is_postgresql else _sqlite_transaction(db, True)


def read_tx(db: Database) -> contextlib.AbstractContextManager[Tx]:
    """A read snapshot: every SELECT inside sees the same committed state."""
    return _pg_transaction(db, False) if db.is_postgresql else _sqlite_transaction(db, False)


# -- the pool the server's calls share ---------------------------------------------------------------

class Store:
    """Connections for the server's calls: ``run(fn, *args)`` calls ``fn(db, *args)`` (in a
    worker thread), ``run_on_loop`` the same on the event loop (PostgreSQL).

    SQLite: a queue of idle ``sqlite3`` connections (no connection per thread forever).
    PostgreSQL: the SQLAlchemy pool (a dead connection is dropped, not reused: ``_run_pg``)."""

    def __init__(self, url: str | Path, *, pool_size: int = 10, max_overflow: int = 10,
                 timeouts: PgTimeouts | None = None, thread_share: int = 0):
        """``thread_share``: how many of the pool's connections threads may hold at once
        (PostgreSQL, with ``run_on_loop``): the loop's calls use the rest (at least 1)."""
        self.backend = Backend(str(url), pool_size=pool_size, max_overflow=max_overflow,
                               timeouts=timeouts)
        self._pool_limit = pool_size + max_overflow
        self.loop_share = max(1, self._pool_limit - thread_share)
        self._slots_loop: asyncio.AbstractEventLoop | None = None
        self._loop_slots = asyncio.Semaphore(self.loop_share)
        self._warming = asyncio.Lock()
        self._warm = False
        self.url = self.backend.url
        self._idle: queue.SimpleQueue[Database] = queue.SimpleQueue()
        self._closed = False
        self._loop_calls: set[asyncio.Future[Any]] = set()  # run_on_loop's, running

    @property
    def dialect(self) -> str:
        return self.backend.dialect

    @property
    def pool_limit(self) -> int | None:
        """How many connections calls may hold at once (PostgreSQL), or None (SQLite)."""
        return self._pool_limit if self.backend.is_postgresql else None

    def run(self, fn: Callable[..., T], *args: Any) -> T:
        """Call ``fn(db, *args)`` with a pooled connection (blocking: use from a worker thread)."""
        if self.backend.is_postgresql:
            return self._run_pg(fn, *args)
        try:
            db = self._idle.get_nowait()
        except queue.Empty:
            db = Database(self.backend, _sqlite_connect(sqlite_path(self.url)))
        try:
            return fn(db, *args)
        except BaseException:
            rollback_quietly(db.conn)  # never hand a half-done transaction to the next caller
            raise
        finally:
            if self._closed:
                db.conn.close()
            else:
                self._idle.put(db)

    def _run_pg(self, fn: Callable[..., T], *args: Any) -> T:
        # A pooled connection whose server went away meanwhile (a restart, an idle cut)
        # fails on its first statement, before anything ran or was committed: then the same
        # call runs again on the next connection, as long as each one it gets is found dead
        # that way (after a restart, every idle connection of the pool is: at most the
        # pool's size, then a new one). What pre-ping did, without its round trip on every
        # checkout. A failure after a statement was answered goes to the caller: a 503.
        for attempt in range(self._pool_limit + 1):
            proxied = self.backend.engine.raw_connection()
            db = Database(self.backend, proxied.driver_connection)
            try:
                return fn(db, *args)
            except Exception as exc:
                if (attempt == self._pool_limit or db.answered
                        or not _connection_lost(db.conn, exc)):
                    raise
                if attempt == 0:
                    log.info("pooled connection found closed, trying the next one: %s",
                             (str(exc).strip().splitlines() or [""])[0])
            finally:
                _release_pg(proxied)
        raise AssertionError("unreachable")

    async def run_on_loop(self, fn: Callable[..., T], *args: Any,
                          limiter: Any = None) -> T:
        """PostgreSQL: ``run(fn, *args)`` on the event loop's own thread, in a greenlet
        (SQLAlchemy's bridge): each wait for the server suspends it and the loop goes on.
        ``limiter`` (an anyio CapacityLimiter, or None): held for the whole call.

        Why not a worker thread: after each round trip a thread must get Python's
        interpreter lock back from the loop, and a loop that never idles (a busy server)
        hands it over only every switch interval (5 ms), several times per statement, while
        the call holds its shop's lock, its connection and its thread
        (bench/bench_loop_calls.py). ``fn`` must not block otherwise, nor run long in
        Python: it runs on the loop (the console's reports, the shop search stay on
        threads).

        The loop never waits for the pool: at most ``loop_share`` calls hold a connection
        at once (the rest of the pool is the threads'), the others wait their turn here.

        Cancelled, the caller stops waiting at once. A call still queued (for ``limiter``
        or its share) is dropped; one that started goes on to its end by itself, holding
        both until then. A cancellation thrown into psycopg mid-call
        comes out as another error (a pipeline's "cannot exit pipeline mode while busy"),
        which a loop catching errors (the sweeper) would take for a failed round and go
        on with, the cancellation lost."""
        if not self.backend.is_postgresql:
            raise RuntimeError("run_on_loop: PostgreSQL only (SQLite's calls block)")
        started: list[bool] = []
        call = asyncio.ensure_future(self._loop_call(started, limiter, fn, *args))
        self._loop_calls.add(call)
        call.add_done_callback(self._loop_calls.discard)
        try:
            return await asyncio.shield(call)
        except asyncio.CancelledError:
            if not started:  # still queued for its turn: dropped, as a thread's call is
                call.cancel()
            raise

    async def _loop_call(self, started: list[bool], limiter: Any, fn: Callable[..., T],
                         *args: Any) -> T:
        from sqlalchemy.util import greenlet_spawn

        loop = asyncio.get_running_loop()
        if self._slots_loop is not loop:  # made in the loop that uses them (each serving)
            self._slots_loop = loop
            self._loop_slots, self._warming = asyncio.Semaphore(self.loop_share), asyncio.Lock()
        async with contextlib.AsyncExitStack() as held:
            if limiter is not None:
                await held.enter_async_context(limiter)
            await held.enter_async_context(self._loop_slots)
            if not self._warm:
                await self._warm_up()
            started.append(True)
            return await greenlet_spawn(_as_loop_call, self._run_pg, fn, *args)

    async def _warm_up(self) -> None:
        """The pool's first connection, opened in a thread: SQLAlchemy initialises the
        dialect on it (queries) under a thread lock, which a loop call suspended there
        would hold while another one, on the same thread, waited for it."""
        async with self._warming:
            if not self._warm:
                import anyio.to_thread

                await anyio.to_thread.run_sync(lambda: self.backend.engine.raw_connection()
                                               .close())
                self._warm = True

    async def loop_calls_done(self) -> None:
        """Wait for the calls that go on after their caller was cancelled
        (``run_on_loop``): a stopping server lets them end before it closes the pool."""
        if self._loop_calls:
            await asyncio.wait(set(self._loop_calls))

    def close(self) -> None:
        """Close idle connections; connections in use are closed when they come back."""
        self._closed = True
        self.backend.dispose()
        while True:
            try:
                self._idle.get_nowait().conn.close()
            except queue.Empty:
                return
