"""Plain data builders shared by the tests (wire-format orders, products, pulls)."""

from __future__ import annotations

from typing import Any


def wire_order(order_id: str = "ord_1", number: int = 1, status: str = "new", **over: Any) -> dict:
    order = {
        "id": order_id,
        "number": number,
        "status": status,
        "channel": "collect",
        "customer_name": "Zoé Lefèvre",
        "customer_phone": "0601020304",
        "customer_address": None,
        "lines": [
            {"sku": "ECL", "name": "Éclair café", "qty": 2, "unit_price_cents": 250,
             "options": ["bien frais"]},
        ],
        "total_cents": 500,
        "note": "Sonnez deux fois",
        "allergens": "",
        "paid": True,
        "pickup_slot": None,
        "ready_by": None,
        "reject_reason": None,
        "created_at": "2026-11-23T10:00:00.000Z",
        "updated_at": "2026-11-23T10:00:00.000Z",
        "history": [{"status": "new", "at": "2026-11-23T10:00:00.000Z", "by": "customer"}],
    }
    order.update(over)
    return order


def wire_product(sku: str = "ECL", stock: int = 10, **over: Any) -> dict:
    product = {
        "sku": sku,
        "name": "Éclair café",
        "price_cents": 250,
        "barcode": "3760000000012",
        "category": "Pâtisserie",
        "active": True,
        "available": True,
        "low_stock_threshold": 2,
        "stock": stock,
    }
    product.update(over)
    return product


def pull(cursor: int = 1, last_mutation_id: int = 0, orders=(), products=()) -> dict:
    return {
        "cursor": cursor,
        "last_mutation_id": last_mutation_id,
        "shop": {"id": "shop_1", "name": "Boulangerie Zoé", "paused": False, "address": ""},
        "orders": list(orders),
        "products": list(products),
    }
