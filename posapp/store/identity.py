"""This counter's identity towards the marketplace (``client_id``, docs/PROTOCOL.md), and
the store's generation: a replica opened before a restore or a move to another shop
never applies an answer to the store that replaced it (a long-poll that outlived
``SyncEngine.stop``)."""

from __future__ import annotations

import sqlite3
import uuid

__all__ = ["StaleAnswer", "check_generation", "client_id", "generation", "new_client_id",
           "new_generation"]


def new_client_id() -> str:
    return "c_" + uuid.uuid4().hex


def client_id(conn: sqlite3.Connection) -> str:
    """The counter's client id, created on first use; call inside the caller's transaction."""
    row = conn.execute("SELECT value FROM sync_state WHERE key = 'client_id'").fetchone()
    if row and row[0]:
        return str(row[0])
    cid = new_client_id()
    conn.execute("INSERT OR REPLACE INTO sync_state (key, value) VALUES ('client_id', ?)", (cid,))
    return cid


class StaleAnswer(RuntimeError):
    """A sync answer asked for a store that has since been replaced: never applied."""


def generation(conn: sqlite3.Connection) -> str:
    """Changes when the store's content is replaced (a restore, a move to another shop)."""
    row = conn.execute("SELECT value FROM sync_state WHERE key = 'store_generation'").fetchone()
    return str(row[0]) if row and row[0] else ""


def new_generation(conn: sqlite3.Connection) -> None:
    """Call in the transaction that replaces the content; replicas opened before are stale."""
    conn.execute("INSERT OR REPLACE INTO sync_state (key, value) VALUES ('store_generation', ?)",
                 (uuid.uuid4().hex,))


def check_generation(conn: sqlite3.Connection, expected: str) -> None:
    if generation(conn) != expected:
        raise StaleAnswer("answer asked before the store was replaced (restore, new shop):"
                          " discarded")
