"""A shop with a long history, written straight into a marketplace database (fast).

One real order placed through the API is the model; ``clone_orders`` copies it with
new ids and numbers, ``per_version`` orders per change version (one transaction of
the server writes them all with one version), as the server would have: the shop's
sequence (``shops.seq``) moves past the last version written.
"""

from __future__ import annotations

import contextlib
from typing import Any

from marketplace.storage import open_database, write_tx

__all__ = ["clone_orders"]


def clone_orders(market: Any, model_order_id: str, count: int, per_version: int = 1) -> None:
    """``market``: an EmbeddedMarketplace (SQLite or PostgreSQL)."""
    with contextlib.closing(open_database(market.database_url)) as db, write_tx(db) as tx:
        order = tx.row("SELECT * FROM orders WHERE id = ?", (model_order_id,))
        assert order is not None
        shop_id = order["shop_id"]
        head = tx.version(shop_id)  # the shop's writer lock, and a version of our own
        top = tx.row("SELECT MAX(number) AS n FROM orders WHERE shop_id = ?", (shop_id,))["n"]
        lines = tx.rows("SELECT * FROM order_lines WHERE order_id = ?", (model_order_id,))
        history = [{k: v for k, v in h.items() if k != "id"} for h in tx.rows(
            "SELECT * FROM order_history WHERE order_id = ?", (model_order_id,))]
        for i in range(count):
            clone = {**order, "id": f"ord_hist{i:07d}", "number": top + 1 + i,
                     "idempotency_key": None, "version": head + 1 + i // per_version}
            _insert(tx, "orders", [clone])
            _insert(tx, "order_lines", [{**line, "order_id": clone["id"]} for line in lines])
            _insert(tx, "order_history", [{**h, "order_id": clone["id"]} for h in history])
        tx.execute("UPDATE shops SET seq = ? WHERE id = ?",
                   (head + 1 + (count - 1) // per_version, shop_id))


def _insert(tx: Any, table: str, rows: list[dict[str, Any]]) -> None:
    if rows:
        columns = list(rows[0])
        tx.executemany(f"INSERT INTO {table} ({', '.join(columns)})"
                       f" VALUES ({', '.join('?' * len(columns))})",
                       [[r[c] for c in columns] for r in rows])
