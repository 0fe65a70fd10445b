"""The shop's stock at the counter: shown quantity = confirmed + pending deltas.

Every change is a ``stock.adjust`` delta (it commutes with online sales made
meanwhile); a physical count becomes the delta between what was counted and
what the counter showed at that moment.
"""

from __future__ import annotations

from typing import Any

from posapp.store import outbox
from posapp.store.db import Store
from sync.protocol import STOCK_REASONS, MutationError

__all__ = ["StockService", "InvalidStockChange"]

_PRODUCT_COLUMNS = (
    "p.sku, p.name, p.price_cents, p.barcode, p.category, p.active,"
    " COALESCE(p.pending_available, p.available) AS available,"
    " p.low_stock_threshold, COALESCE(s.confirmed_qty, 0) AS confirmed_qty,"
    " COALESCE(s.pending_delta, 0) AS pending_delta,"
    " COALESCE(s.confirmed_qty, 0) + COALESCE(s.pending_delta, 0) AS quantity"
)


class InvalidStockChange(ValueError):
    pass


class StockService:
    def __init__(self, store: Store):
        self.store = store

    def products(self, search: str = "", limit: int = 100_000) -> list[dict[str, Any]]:
        where, params = "", ()
        if search:
            where = " WHERE p.name LIKE ? OR p.sku = ? OR p.barcode = ?"
            params = (f"%{search}%", search, search)
        return self.store.query(
            f"SELECT {_PRODUCT_COLUMNS} FROM products p LEFT JOIN stock s ON s.sku = p.sku"
            f"{where} ORDER BY p.name COLLATE NOCASE LIMIT ?",
            (*params, limit),
        )

    def product(self, sku: str) -> dict[str, Any] | None:
        return self.store.query_one(
            f"SELECT {_PRODUCT_COLUMNS} FROM products p LEFT JOIN stock s ON s.sku = p.sku"
            " WHERE p.sku = ?",
            (sku,),
        )

    def by_barcode(self, barcode: str) -> dict[str, Any] | None:
        return self.store.query_one(
            f"SELECT {_PRODUCT_COLUMNS} FROM products p LEFT JOIN stock s ON s.sku = p.sku"
            " WHERE p.barcode = ? OR p.sku = ?",
            (barcode.strip(), barcode.strip()),
        )

    def adjust(self, sku: str, delta: int, reason: str) -> int:
        if reason not in STOCK_REASONS:
            raise InvalidStockChange(f"Motif inconnu : {reason}")
        if delta == 0:
            raise InvalidStockChange("La quantité doit changer.")
        with self.store.transaction() as conn:
            if conn.execute("SELECT 1 FROM products WHERE sku = ?", (sku,)).fetchone() is None:
                raise InvalidStockChange(f"Produit inconnu : {sku}")
            try:
                return outbox.enqueue(
                    conn, "stock.adjust", {"sku": sku, "delta": int(delta), "reason": reason}
                )
            except MutationError as exc:
                raise InvalidStockChange(exc.message) from exc

    def count(self, sku: str, counted: int, seen: int | None = None) -> int | None:
        """Record a physical count as a delta against what the counter showed (``seen``).

        ``seen`` is the quantity shown when the count started; online sales
        arriving during the count are thereby kept rather than erased.
        """
        if counted < 0:
            raise InvalidStockChange("Un comptage ne peut pas être négatif.")
        product = self.product(sku)
        if product is None:
            raise InvalidStockChange(f"Produit inconnu : {sku}")
        base = product["quantity"] if seen is None else seen
        delta = counted - base
        if delta == 0:
            return None
        return self.adjust(sku, delta, "count")

    def set_available(self, sku: str, available: bool) -> int:
        with self.store.transaction() as conn:
            if conn.execute("SELECT 1 FROM products WHERE sku = ?", (sku,)).fetchone() is None:
                raise InvalidStockChange(f"Produit inconnu : {sku}")
            mutation_id = outbox.enqueue(
                conn, "product.set_available", {"sku": sku, "available": bool(available)}
            )
            return mutation_id
