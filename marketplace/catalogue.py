"""Products of a shop, and the demo shop's French catalogue."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from marketplace.customer_access import availability
from marketplace.errors import ApiError
from marketplace.opening_hours import load_hours, open_at, pickup_slots, shop_zone
from marketplace.storage import Database, Tx, read_tx

__all__ = [
    "DEMO_SHOP_ID",
    "DEMO_SHOP",
    "DEMO_PRODUCTS",
    "ean13",
    "add_product",
    "product_to_wire",
    "customer_catalogue",
]

DEMO_SHOP_ID = "shop_demo_zoe"  # fixed, so seeding the demo twice reuses the same shop
DEMO_SHOP = {"name": "Boulangerie Zoé", "address": "8 place du Marché-Gayot, 67000 Strasbourg"}


def ean13(first12: str) -> str:
    """Append the EAN-13 check digit (weights 1,3,1,3… from the left)."""
    if len(first12) != 12 or not first12.isdigit():
        raise ValueError("an EAN-13 needs 12 digits before its check digit")
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
    return first12 + str((10 - total % 10) % 10)


def _demo(sku: str, name: str, price: int, category: str, stock: int, threshold: int,
          n: int) -> dict[str, Any]:
    return {"sku": sku, "name": name, "price_cents": price, "category": category, "stock": stock,
            "low_stock_threshold": threshold, "barcode": ean13(f"376012345{n:03d}")}


# "376" is France's GS1 prefix; the rest is made up.
DEMO_PRODUCTS: tuple[dict[str, Any], ...] = (
    _demo("CROIS", "Croissant", 120, "Viennoiserie", 48, 10, 1),
    _demo("PAC", "Pain au chocolat", 135, "Viennoiserie", 40, 10, 2),
    _demo("CHAUS", "Chausson aux pommes", 180, "Viennoiserie", 18, 5, 3),
    _demo("BAGT", "Baguette tradition", 130, "Pain", 80, 15, 4),
    _demo("CAMP", "Pain de campagne", 390, "Pain", 14, 4, 5),
    _demo("ECL", "Éclair café", 290, "Pâtisserie", 16, 4, 6),
    _demo("TARTP", "Tarte aux pommes (6 parts)", 1850, "Pâtisserie", 6, 2, 7),
    _demo("CREMB", "Crème brûlée", 380, "Pâtisserie", 12, 3, 8),
    _demo("FLAN", "Flan pâtissier", 320, "Pâtisserie", 10, 3, 9),
    _demo("BUCHE", "Bûche pâtissière", 3200, "Pâtisserie", 4, 2, 10),
    _demo("FINAN", "Financier aux amandes", 160, "Pâtisserie", 24, 6, 11),
    _demo("PATEC", "Pâté en croûte (tranche)", 690, "Traiteur", 12, 3, 12),
    _demo("QUICHE", "Quiche lorraine", 450, "Traiteur", 10, 3, 13),
    _demo("KOUGL", "Kougelhopf", 1250, "Spécialités", 5, 2, 14),
)


def add_product(tx: Tx, shop_id: str, product: Mapping[str, Any], *, replace: bool = True) -> bool:
    """Insert (or, with ``replace``, update the description of) a product; its stock is set
    only when it is new, through a ledger row, so the ledger always adds up to the stock."""
    tx.lock_shop(shop_id)  # the existence check holds until the product is committed
    exists = tx.row("SELECT 1 AS x FROM products WHERE shop_id = ? AND sku = ?",
                    (shop_id, product["sku"])) is not None
    if exists and not replace:
        return False
    values = (
        product["name"], int(product["price_cents"]), product.get("barcode"),
        product.get("category"), int(bool(product.get("active", True))),
        int(bool(product.get("available", True))), int(product.get("low_stock_threshold", 0)),
        tx.version(shop_id), shop_id, product["sku"],
    )
    if exists:
        tx.execute("UPDATE products SET name = ?, price_cents = ?, barcode = ?, category = ?,"
                   " active = ?, available = ?, low_stock_threshold = ?, version = ?"
                   " WHERE shop_id = ? AND sku = ?", values)
        return True
    stock = int(product.get("stock", 0))
    tx.execute("INSERT INTO products (name, price_cents, barcode, category, active, available,"
               " low_stock_threshold, version, shop_id, sku, stock)"
               " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", (*values, stock))
    if stock:
        tx.execute("INSERT INTO stock_movements (shop_id, sku, delta, reason, source, at)"
                   " VALUES (?, ?, ?, 'initial_stock', 'catalogue', ?)",
                   (shop_id, product["sku"], stock, tx.now))
    return True


def product_to_wire(product: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "sku": product["sku"],
        "name": product["name"],
        "price_cents": product["price_cents"],
        "barcode": product["barcode"],
        "category": product["category"],
        "active": bool(product["active"]),
        "available": bool(product["available"]),
        "low_stock_threshold": product["low_stock_threshold"],
        "stock": product["stock"],
    }


def customer_catalogue(db: Database, shop_id: str) -> dict[str, Any]:
    """What a customer may order: the shop (its hours and the pickup slots they allow now)
    and its active products."""
    with read_tx(db) as tx:
        shop = tx.row("SELECT * FROM shops WHERE id = ?", (shop_id,))
        if shop is None:
            raise ApiError(404, "unknown_shop", f"Boutique inconnue : {shop_id}")
        products = tx.rows("SELECT * FROM products WHERE shop_id = ? AND active = 1"
                           # NULL categories first on both backends (SQLite's default)
                           " ORDER BY CASE WHEN category IS NULL THEN 0 ELSE 1 END, category,"
                           " name", (shop_id,))
    hours, zone = load_hours(shop["opening_hours"]), shop_zone(shop["time_zone"])
    now = dt.datetime.now(dt.UTC)
    return {
        "shop": {"id": shop["id"], "name": shop["name"], "address": shop["address"],
                 "paused": bool(shop["paused"]), "time_zone": zone.key,
                 "opening_hours": hours, "open_now": open_at(hours, zone, now) if hours else None},
        "pickup_slots": pickup_slots(hours, zone, now) if hours else [],
        # Availability, not quantities nor thresholds (customer_access.py).
        "products": [{"sku": p["sku"], "name": p["name"], "price_cents": p["price_cents"],
                      "category": p["category"], "availability": availability(p)}
                     for p in products],
    }
