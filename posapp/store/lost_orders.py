"""Orders lost without the shop's answer, kept until someone at the counter saw them.

Written by ``ShopReplica.apply_pull`` in the pull's own transaction, read and
acknowledged by the window (through ``OrdersService``): the banner comes back
after a crash or a restart until its OK button is pressed.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import Any

__all__ = ["TIMEOUT", "CANCELLED", "acknowledge", "record", "unseen"]

TIMEOUT = "timeout"  # refused by the marketplace: nobody answered in time
CANCELLED = "cancelled"  # cancelled by the customer


def record(conn: sqlite3.Connection, orders: Iterable[dict[str, Any]], why: str,
           now: str) -> None:
    """In the caller's transaction; an order already recorded for that reason is not again."""
    conn.executemany(
        "INSERT OR IGNORE INTO lost_orders (order_id, why, number, customer, lost_at)"
        " VALUES (?, ?, ?, ?, ?)",
        [(o["id"], why, o.get("number"), o.get("customer_name") or "", now) for o in orders])


def unseen(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    rows = conn.execute(
        "SELECT order_id, why, number, customer FROM lost_orders WHERE seen_at IS NULL"
        " ORDER BY lost_at, rowid").fetchall()
    return [{"id": r[0], "why": r[1], "number": r[2], "customer": r[3]} for r in rows]


def acknowledge(conn: sqlite3.Connection, keys: Iterable[tuple[str, str]], now: str) -> None:
    """Seen: exactly the (order id, why) listed, not one lost since the banner was drawn."""
    conn.executemany(
        "UPDATE lost_orders SET seen_at = ? WHERE order_id = ? AND why = ? AND seen_at IS NULL",
        [(now, order_id, why) for order_id, why in keys])
