"""A shop with a long history, written straight into a marketplace database (fast).

One real order placed through the API is the model; ``clone_orders`` copies it with
new ids and numbers, ``per_version`` orders per change version (one transaction of
the server writes them all with one version), as the server would have.
"""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

__all__ = ["clone_orders"]


def clone_orders(db_path: Path, model_order_id: str, count: int, per_version: int = 1) -> None:
    with contextlib.closing(sqlite3.connect(db_path)) as conn, conn:
        (head,) = conn.execute("SELECT value FROM change_seq WHERE id = 1").fetchone()
        (top,) = conn.execute("SELECT max(number) FROM orders").fetchone()
        order_cols = [r[1] for r in conn.execute("PRAGMA table_info(orders)")]
        line_cols = [r[1] for r in conn.execute("PRAGMA table_info(order_lines)")]
        hist_cols = [r[1] for r in conn.execute("PRAGMA table_info(order_history)")
                     if r[1] != "id"]
        order = dict(zip(order_cols, conn.execute(
            "SELECT * FROM orders WHERE id = ?", (model_order_id,)).fetchone(), strict=True))
        lines = conn.execute("SELECT * FROM order_lines WHERE order_id = ?",
                             (model_order_id,)).fetchall()
        history = conn.execute(f"SELECT {', '.join(hist_cols)} FROM order_history"
                               " WHERE order_id = ?", (model_order_id,)).fetchall()
        for i in range(count):
            clone = {**order, "id": f"ord_hist{i:07d}", "number": top + 1 + i,
                     "idempotency_key": None, "version": head + 1 + i // per_version}
            conn.execute(f"INSERT INTO orders ({', '.join(order_cols)}) VALUES"
                         f" ({', '.join('?' * len(order_cols))})", list(clone.values()))
            oid = line_cols.index("order_id")
            conn.executemany(
                f"INSERT INTO order_lines VALUES ({', '.join('?' * len(line_cols))})",
                [(*line[:oid], clone["id"], *line[oid + 1:]) for line in lines])
            hid = hist_cols.index("order_id")
            conn.executemany(
                f"INSERT INTO order_history ({', '.join(hist_cols)}) VALUES"
                f" ({', '.join('?' * len(hist_cols))})",
                [(*h[:hid], clone["id"], *h[hid + 1:]) for h in history])
        conn.execute("UPDATE change_seq SET value = ? WHERE id = 1",
                     (head + 1 + (count - 1) // per_version,))
