"""SQLite plumbing shared by both replicas of the sync protocol (shop store, marketplace).

One transaction helper and one SQL-script splitter, so the shop's store and
the reference marketplace follow the same rules:

- ``transaction``: ``BEGIN`` (IMMEDIATE by default: writers queue up front
  instead of failing to upgrade a read lock), ``COMMIT``; on any error a
  ``ROLLBACK`` only if SQLite still has a transaction open (it rolls back by
  itself on some errors, e.g. disk full), and a ROLLBACK that fails never
  hides the error that caused it. A call inside an open transaction joins it.
- ``run_script``: statements one by one (``executescript`` would COMMIT the
  caller's transaction, e.g. a migration's).
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator

__all__ = ["rollback_quietly", "run_script", "split_script", "transaction"]


def rollback_quietly(conn: sqlite3.Connection) -> None:
    """Roll back what is open, if anything; never raise (an error is already on its way)."""
    if conn.in_transaction:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")


@contextlib.contextmanager
def transaction(conn: sqlite3.Connection, begin: str = "BEGIN IMMEDIATE"
                ) -> Iterator[sqlite3.Connection]:
    """One logical change = one transaction; a nested call joins the outer one."""
    if conn.in_transaction:
        yield conn
        return
    conn.execute(begin)
    try:
        yield conn
    except BaseException:
        rollback_quietly(conn)
        raise
    try:
        conn.execute("COMMIT")
    except BaseException:
        rollback_quietly(conn)
        raise


def split_script(script: str) -> list[str]:
    """Complete statements of ``script`` (triggers with inner ``;`` stay whole)."""
    statements: list[str] = []
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            statements.append(statement)
            statement = ""
    if statement.strip() and not _only_comments(statement):
        raise ValueError(f"incomplete SQL statement: {statement!r}")
    return statements


def _only_comments(text: str) -> bool:
    return all(not line.strip() or line.strip().startswith("--") for line in text.splitlines())


def run_script(conn: sqlite3.Connection, script: str) -> None:
    for statement in split_script(script):
        conn.execute(statement)
