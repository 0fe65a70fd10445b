"""Work only one server process does at a time: PostgreSQL transaction-level advisory locks.

Every process runs the sweeper loop (no process is special, any may die), but each
sweep transaction first tries ``pg_try_advisory_xact_lock``: the process that gets it
sweeps, the others skip that round at once instead of queuing behind it, and the lock
goes with the transaction's end (COMMIT, ROLLBACK, or the connection dropped by a
killed process), so a dead sweeper never blocks the next one. Being alone is for
economy; correctness does not rest on it: a sweep re-reads what it changes under the
shops' row locks (``Tx.lock_shop``), so two sweeps could never refuse an order twice.
On SQLite a write transaction already holds the whole file.
"""

from __future__ import annotations

from typing import Any

__all__ = ["SWEEPER_LOCK_KEY", "only_one"]

# "cmp-swep" as a big-endian int64; the migration lock is "comptoir" (schema.py).
SWEEPER_LOCK_KEY = int.from_bytes(b"cmp-swep", "big")


def only_one(tx: Any, key: int = SWEEPER_LOCK_KEY) -> bool:
    """May this write transaction go on? On PostgreSQL, True when it got the advisory
    lock ``key`` (held until it ends), False at once when another transaction holds it."""
    if tx.dialect != "postgresql":
        return True
    (got,) = tx.execute("SELECT pg_try_advisory_xact_lock(?)", (key,)).fetchone()
    return bool(got)
