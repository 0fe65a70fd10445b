"""The stock ledger as the shop reads it: movements, newest first, and balances.

The rows are written by ``posapp.store.ledger`` in the transactions that
cause them (a counter change, a pull); this module only reads them.
"""

from __future__ import annotations

from typing import Any

from posapp.store.ledger import RETURN_REASONS, SOURCES, Discrepancy, check

__all__ = ["SOURCES", "RETURN_REASONS", "Discrepancy", "LedgerService", "check"]


class LedgerService:
    """What the shop reads: movements, newest first, and per-product balances."""

    def __init__(self, store: Any):
        self.store = store

    def movements(self, sku: str | None = None, *, since: str | None = None,
                  limit: int = 500) -> list[dict[str, Any]]:
        where, params = ["1"], []
        if sku is not None:
            where.append("sku = ?")
            params.append(sku)
        if since is not None:
            where.append("at >= ?")
            params.append(since)
        return self.store.query(
            "SELECT id, sku, delta, reason, source, counter_id, mutation_id, order_id, line_no,"
            f" price_cents, at, confirmed FROM stock_ledger WHERE {' AND '.join(where)}"
            " ORDER BY at DESC, id DESC LIMIT ?", (*params, limit))

    def balance(self, sku: str) -> dict[str, int]:
        row = self.store.query_one(
            "SELECT COALESCE(SUM(delta) FILTER (WHERE confirmed = 1), 0) AS confirmed,"
            " COALESCE(SUM(delta) FILTER (WHERE confirmed = 0), 0) AS pending"
            " FROM stock_ledger WHERE sku = ?", (sku,))
        assert row is not None
        return {**row, "quantity": row["confirmed"] + row["pending"]}

    def check(self) -> list[Discrepancy]:
        return check(self.store.conn)
