"""Orders at the counter: what the board shows and what the shopkeeper decides.

Decisions (accept, reject, ready, collected) are written as outbox mutations
with their optimistic effect in one transaction; the marketplace confirms or
refuses them later. Reads return plain dicts with the *shown* status:
the pending one when a decision is still on its way, else the confirmed one.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from posapp.store import outbox
from posapp.store.db import Store
from sync.protocol import MutationError, order_transition_allowed, to_iso, utcnow_iso

__all__ = ["OrdersService", "BOARD_COLUMNS", "InvalidAction"]

# Board column → shown statuses.
BOARD_COLUMNS: dict[str, tuple[str, ...]] = {
    "new": ("new",),
    "preparing": ("accepted",),
    "ready": ("ready",),
    "done": ("completed", "rejected", "cancelled"),
}

_ORDER_COLUMNS = (
    "o.id, o.number, o.status AS confirmed_status, COALESCE(o.pending_status, o.status) AS status,"
    " o.pending_status IS NOT NULL AS pending, o.channel, o.customer_name, o.customer_phone,"
    " o.customer_address, o.note, o.allergens, o.total_cents, o.paid, o.pickup_slot,"
    " COALESCE(o.pending_ready_by, o.ready_by) AS ready_by, o.reject_reason, o.created_at,"
    " o.updated_at, o.received_at, o.acknowledged_at,"
    " (SELECT COALESCE(SUM(qty), 0) FROM order_lines l WHERE l.order_id = o.id) AS item_count"
)


class InvalidAction(ValueError):
    """A decision that makes no sense for the order as the counter sees it."""


class OrdersService:
    def __init__(self, store: Store):
        self.store = store

    # -- reads ---------------------------------------------------------------
    def board(self, *, since: str | None = None) -> dict[str, list[dict[str, Any]]]:
        """Open orders by column, plus orders finished since ``since`` (default: today UTC)."""
        since = since or dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT00:00:00.000Z")
        rows = self.store.query(
            f"SELECT {_ORDER_COLUMNS} FROM orders o"
            " WHERE COALESCE(o.pending_status, o.status) IN ('new', 'accepted', 'ready')"
            "    OR o.updated_at >= ? OR o.received_at >= ?"
            " ORDER BY o.created_at",
            (since, since),
        )
        board: dict[str, list[dict[str, Any]]] = {col: [] for col in BOARD_COLUMNS}
        for row in rows:
            for col, statuses in BOARD_COLUMNS.items():
                if row["status"] in statuses:
                    board[col].append(row)
        return board

    def get(self, order_id: str) -> dict[str, Any] | None:
        order = self.store.query_one(
            f"SELECT {_ORDER_COLUMNS} FROM orders o WHERE o.id = ?", (order_id,)
        )
        if order is None:
            return None
        order["lines"] = [
            {**line, "options": json.loads(line["options"])}
            for line in self.store.query(
                "SELECT sku, name, qty, unit_price_cents, options FROM order_lines"
                " WHERE order_id = ? ORDER BY position",
                (order_id,),
            )
        ]
        order["history"] = self.store.query(
            "SELECT status, at, by FROM order_history WHERE order_id = ? ORDER BY seq", (order_id,)
        )
        return order

    def unacknowledged(self) -> list[dict[str, Any]]:
        return self.store.query(
            f"SELECT {_ORDER_COLUMNS} FROM orders o WHERE o.acknowledged_at IS NULL"
            " AND COALESCE(o.pending_status, o.status) = 'new' ORDER BY o.created_at"
        )

    def refused_unseen(self) -> list[dict[str, Any]]:
        return self.store.query(
            "SELECT id, name, args, code, message, refused_at FROM refused_mutations"
            " WHERE seen = 0 ORDER BY id"
        )

    def mark_refusals_seen(self) -> None:
        with self.store.transaction() as conn:
            conn.execute("UPDATE refused_mutations SET seen = 1 WHERE seen = 0")

    # -- decisions -------------------------------------------------------------
    def acknowledge(self, order_id: str) -> None:
        """Someone at the counter has seen this order: its alert stops."""
        with self.store.transaction() as conn:
            conn.execute(
                "UPDATE orders SET acknowledged_at = ? WHERE id = ? AND acknowledged_at IS NULL",
                (utcnow_iso(), order_id),
            )

    def acknowledge_all(self) -> None:
        with self.store.transaction() as conn:
            conn.execute(
                "UPDATE orders SET acknowledged_at = ? WHERE acknowledged_at IS NULL",
                (utcnow_iso(),),
            )

    def accept(self, order_id: str, ready_in_minutes: int | None = None,
               ready_by: dt.datetime | None = None) -> int:
        if ready_by is None:
            ready_by = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=ready_in_minutes or 15)
        return self._decide(order_id, "order.accept", "accepted", {"ready_by": to_iso(ready_by)})

    def reject(self, order_id: str, reason: str) -> int:
        return self._decide(order_id, "order.reject", "rejected", {"reason": reason})

    def mark_ready(self, order_id: str) -> int:
        return self._decide(order_id, "order.ready", "ready", {})

    def mark_collected(self, order_id: str) -> int:
        return self._decide(order_id, "order.collected", "completed", {})

    def _decide(self, order_id: str, name: str, target: str, args: dict[str, Any]) -> int:
        with self.store.transaction() as conn:
            row = conn.execute(
                "SELECT COALESCE(pending_status, status) FROM orders WHERE id = ?", (order_id,)
            ).fetchone()
            if row is None:
                raise InvalidAction(f"Commande inconnue : {order_id}")
            if not order_transition_allowed(row[0], target):
                raise InvalidAction(f"Impossible de passer de « {row[0]} » à « {target} ».")
            try:
                mutation_id = outbox.enqueue(conn, name, {"order_id": order_id, **args})
            except MutationError as exc:
                raise InvalidAction(exc.message) from exc
            conn.execute(
                "UPDATE orders SET acknowledged_at = COALESCE(acknowledged_at, ?) WHERE id = ?",
                (utcnow_iso(), order_id),
            )
        return mutation_id

    # -- added for the UI's history tab ---------------------------------------------------
    def search(self, text: str = "", limit: int = 200) -> list[dict[str, Any]]:
        """Past and current orders, newest first, by number, customer name or phone."""
        text = text.strip()
        where, params = "", ()
        if text:
            digits = "".join(ch for ch in text if ch.isdigit())
            where = (" WHERE o.customer_name LIKE ? OR o.customer_phone LIKE ?"
                     " OR CAST(o.number AS TEXT) = ?")
            params = (f"%{text}%", f"%{digits or text}%", text.lstrip("#nN°º "))
        return self.store.query(
            f"SELECT {_ORDER_COLUMNS} FROM orders o{where} ORDER BY o.created_at DESC LIMIT ?",
            (*params, limit),
        )
