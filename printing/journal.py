"""The print journal: the `print_jobs` table and every state change made to it.

Single source of the table's DDL: the shop's migration calls `ensure_schema`.
Each function is one statement, hence one transaction in autocommit mode; the
insert helpers run inside the caller's transaction when there is one.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

# One write transaction on an autocommit connection from `connect` (the project's one helper).
from sync.sqlite_tx import transaction

__all__ = [
    "JOB_KINDS",
    "JOB_STATES",
    "PRINT_JOBS_DDL",
    "JobRow",
    "connect",
    "ensure_schema",
    "get_job",
    "insert_job",
    "jobs_for_order",
    "jobs_in_state",
    "mark_failed",
    "mark_interrupted_uncertain",
    "mark_printed",
    "mark_printing",
    "next_queued",
    "requeue",
    "requeue_unconfirmed",
    "resolve_uncertain",
    "transaction",
    "utc_now",
    "withdraw_queued",
]

JOB_KINDS = ("order", "kitchen", "reprint", "test", "z_report", "cancellation")
JOB_STATES = ("queued", "printing", "printed", "failed", "uncertain", "withdrawn")

PRINT_JOBS_DDL = """
CREATE TABLE IF NOT EXISTS print_jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    job_key TEXT UNIQUE NOT NULL,
    kind TEXT NOT NULL,          -- 'order','kitchen','reprint','test','z_report'
    order_id TEXT,
    copies INTEGER NOT NULL DEFAULT 1,
    document TEXT NOT NULL,      -- JSON of the ticket document
    state TEXT NOT NULL,         -- 'queued','printing','printed','failed','uncertain'
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    created_at TEXT NOT NULL,
    started_at TEXT,
    printed_at TEXT
)
"""
_INDEXES = (
    "CREATE INDEX IF NOT EXISTS print_jobs_state ON print_jobs (state, id)",
    "CREATE INDEX IF NOT EXISTS print_jobs_order ON print_jobs (order_id)",
)


@dataclass(frozen=True, slots=True)
class JobRow:
    id: int
    job_key: str
    kind: str
    order_id: str | None
    copies: int
    document: str
    state: str
    attempts: int
    last_error: str | None
    created_at: str
    started_at: str | None
    printed_at: str | None


_COLUMNS = ", ".join(JobRow.__slots__)


def utc_now() -> str:
    """Protocol style: 2026-11-23T12:00:00.000Z."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def connect(db_path: str | Path) -> sqlite3.Connection:
    """A connection for one thread: autocommit, WAL, waits for writers instead of failing."""
    conn = sqlite3.connect(db_path, timeout=10, isolation_level=None, check_same_thread=True)
    conn.execute("PRAGMA busy_timeout = 10000")
    conn.execute("PRAGMA journal_mode = WAL")
    return conn


def ensure_schema(conn: sqlite3.Connection) -> None:
    """Create print_jobs if missing. Plain execute (not executescript, which commits)."""
    conn.execute(PRINT_JOBS_DDL)
    for statement in _INDEXES:
        conn.execute(statement)


def _row(cursor: sqlite3.Cursor) -> JobRow | None:
    row = cursor.fetchone()
    return JobRow(*row) if row else None


def insert_job(
    conn: sqlite3.Connection,
    job_key: str,
    kind: str,
    document_json: str,
    order_id: str | None = None,
    copies: int = 1,
) -> int | None:
    """INSERT OR IGNORE on job_key: the id of the new job, None if that key already exists."""
    if kind not in JOB_KINDS:
        raise ValueError(f"unknown job kind {kind!r}")
    cursor = conn.execute(
        "INSERT OR IGNORE INTO print_jobs (job_key, kind, order_id, copies, document, state, created_at)"
        " VALUES (?, ?, ?, ?, ?, 'queued', ?)",
        (job_key, kind, order_id, copies, document_json, utc_now()),
    )
    return cursor.lastrowid if cursor.rowcount == 1 else None


def get_job(conn: sqlite3.Connection, job_id: int) -> JobRow | None:
    return _row(conn.execute(f"SELECT {_COLUMNS} FROM print_jobs WHERE id = ?", (job_id,)))


def next_queued(conn: sqlite3.Connection) -> JobRow | None:
    """Oldest first: tickets come out in the order the orders arrived."""
    return _row(
        conn.execute(
            f"SELECT {_COLUMNS} FROM print_jobs WHERE state = 'queued' ORDER BY id LIMIT 1"
        )
    )


def jobs_in_state(conn: sqlite3.Connection, *states: str) -> list[JobRow]:
    marks = ", ".join("?" * len(states))
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM print_jobs WHERE state IN ({marks}) ORDER BY id", states
    )
    return [JobRow(*row) for row in rows]


def jobs_for_order(conn: sqlite3.Connection, order_id: str) -> list[JobRow]:
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM print_jobs WHERE order_id = ? ORDER BY id", (order_id,)
    )
    return [JobRow(*row) for row in rows]


def _update(conn: sqlite3.Connection, sql: str, params: tuple[object, ...]) -> bool:
    return conn.execute(sql, params).rowcount == 1


def mark_printing(conn: sqlite3.Connection, job_id: int) -> bool:
    """queued → printing, just before the first byte leaves; False if it was not queued."""
    return _update(
        conn,
        "UPDATE print_jobs SET state = 'printing', started_at = ?, attempts = attempts + 1"
        " WHERE id = ? AND state = 'queued'",
        (utc_now(), job_id),
    )


def mark_printed(conn: sqlite3.Connection, job_id: int, note: str | None = None) -> bool:
    return _update(
        conn,
        "UPDATE print_jobs SET state = 'printed', printed_at = ?, last_error = ?"
        " WHERE id = ? AND state IN ('printing', 'uncertain')",
        (utc_now(), note, job_id),
    )


def requeue(conn: sqlite3.Connection, job_id: int, error: str, count_attempt: bool) -> bool:
    """Back to queued after a failed try; `count_attempt` when no byte was sent yet
    (mark_printing already counted the attempts that sent bytes)."""
    return _update(
        conn,
        "UPDATE print_jobs SET state = 'queued', last_error = ?, attempts = attempts + ?"
        " WHERE id = ? AND state IN ('queued', 'printing', 'uncertain')",
        (error, int(count_attempt), job_id),
    )


def requeue_unconfirmed(
    conn: sqlite3.Connection, job_id: int, document_json: str, error: str
) -> bool:
    """printing → queued with a new document (the DUPLICATA copy): the printer took every
    byte of the last try without confirming it, so what prints next must say it may be
    a second copy."""
    return _update(
        conn,
        "UPDATE print_jobs SET state = 'queued', document = ?, last_error = ?"
        " WHERE id = ? AND state = 'printing'",
        (document_json, error, job_id),
    )


def mark_failed(conn: sqlite3.Connection, job_id: int, error: str) -> bool:
    """For jobs that can never print (unreadable document): retrying would not help."""
    return _update(
        conn,
        "UPDATE print_jobs SET state = 'failed', last_error = ? WHERE id = ?",
        (error, job_id),
    )


def withdraw_queued(
    conn: sqlite3.Connection, order_id: str, kinds: tuple[str, ...]
) -> list[JobRow]:
    """queued → withdrawn: the order was cancelled before its tickets reached the paper.

    Runs in the caller's transaction; the queue only takes 'queued' jobs and
    ``mark_printing`` checks that state, so a withdrawn job never prints. Returns the
    jobs withdrawn, as they were (``started_at`` set: an earlier try sent some bytes).
    """
    marks = ", ".join("?" * len(kinds))
    where = f"order_id = ? AND state = 'queued' AND kind IN ({marks})"
    rows = [JobRow(*row) for row in conn.execute(
        f"SELECT {_COLUMNS} FROM print_jobs WHERE {where} ORDER BY id", (order_id, *kinds))]
    conn.execute(f"UPDATE print_jobs SET state = 'withdrawn', last_error = 'order withdrawn'"
                 f" WHERE {where}", (order_id, *kinds))
    return rows


def mark_interrupted_uncertain(conn: sqlite3.Connection) -> list[int]:
    """At start-up: a job still 'printing' was cut by a crash; the paper may or may not
    have it, so only the shopkeeper can tell. One transaction for the whole sweep."""
    with transaction(conn):
        ids = [r[0] for r in conn.execute("SELECT id FROM print_jobs WHERE state = 'printing'")]
        conn.execute(
            "UPDATE print_jobs SET state = 'uncertain',"
            " last_error = 'interrupted while printing (application stopped)'"
            " WHERE state = 'printing'"
        )
    return ids


def resolve_uncertain(conn: sqlite3.Connection, job_id: int, reprint: bool) -> bool:
    """The shopkeeper's answer: print it again (queued) or it did come out (printed).

    A ticket whose order was withdrawn meanwhile (its cancellation slip exists) is
    withdrawn instead of printed again: it would come out after the "do not prepare".
    """
    if reprint and conn.execute(
        "SELECT 1 FROM print_jobs AS slip JOIN print_jobs AS job"
        " ON slip.order_id = job.order_id AND slip.kind = 'cancellation'"
        " WHERE job.id = ? AND job.kind != 'cancellation'", (job_id,)).fetchone():
        return _update(
            conn,
            "UPDATE print_jobs SET state = 'withdrawn', last_error = 'order withdrawn'"
            " WHERE id = ? AND state = 'uncertain'",
            (job_id,),
        )
    if reprint:
        return _update(
            conn,
            "UPDATE print_jobs SET state = 'queued', last_error = 'reprint asked by shopkeeper'"
            " WHERE id = ? AND state = 'uncertain'",
            (job_id,),
        )
    return _update(
        conn,
        "UPDATE print_jobs SET state = 'printed', printed_at = ?,"
        " last_error = 'confirmed printed by shopkeeper' WHERE id = ? AND state = 'uncertain'",
        (utc_now(), job_id),
    )
