"""This counter's identity towards the marketplace (``client_id``, docs/PROTOCOL.md)."""

from __future__ import annotations

import sqlite3
import uuid

__all__ = ["client_id", "new_client_id"]


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
