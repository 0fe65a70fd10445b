"""What an anonymous customer may see and take, and no more.

- The public catalogue tells availability ("available", "few_left", "sold_out"),
  not the exact stock or the shop's alert threshold.
- Reading or cancelling an order needs the order's secret, returned once at
  creation (and again on an idempotent replay): an order id alone, which shows
  in links and logs, reads nobody's name, phone or address. A wrong secret is
  answered exactly like an unknown order.
- Caps keep one customer from draining a shop: units per order, and orders and
  units a customer (same phone number) may hold open at one shop.
"""

from __future__ import annotations

import hmac
import re
import secrets
from dataclasses import dataclass
from typing import Any

from marketplace.errors import ApiError
from marketplace.storage import Database, Prepared, prepared, read_tx

__all__ = ["AVAILABILITY", "OrderCaps", "availability", "customer_key", "new_order_secret",
           "held_query", "check_caps", "check_secret"]

AVAILABILITY = ("available", "few_left", "sold_out")
_OPEN = ("new", "accepted", "ready")


@dataclass(frozen=True)
class OrderCaps:
    max_units_per_order: int = 50
    max_open_orders_per_customer: int = 5
    max_open_units_per_customer: int = 100


def availability(product: dict[str, Any]) -> str:
    """What the public catalogue says instead of the quantity."""
    if not (product["active"] and product["available"]) or product["stock"] <= 0:
        return "sold_out"
    if product["stock"] <= product["low_stock_threshold"]:
        return "few_left"
    return "available"


def customer_key(phone: str) -> str:
    """One customer = one phone number, however written: "+33 6 01…" and "06 01…" match."""
    digits = re.sub(r"\D", "", phone)
    return digits[-9:] if len(digits) >= 9 else digits or phone.strip().lower()


def held_query(shop_id: str, phone: str) -> tuple[Prepared, tuple[str, ...]]:
    """The statement reading what the customer holds open at the shop (``check_caps``)."""
    return _HELD, (shop_id, customer_key(phone))


_HELD = prepared("SELECT COUNT(DISTINCT o.id) AS orders,"
                 " CAST(COALESCE(SUM(l.qty), 0) AS BIGINT) AS units"
                 " FROM orders o JOIN order_lines l ON l.order_id = o.id"
                 f" WHERE o.shop_id = ? AND o.customer_key = ? AND o.status IN {_OPEN}")


def check_caps(held: dict[str, Any], units: int, caps: OrderCaps) -> None:
    """409 unless an order of ``units`` fits the caps, with ``held`` (``held_query``'s row,
    read under the shop's lock) already open."""
    if units > caps.max_units_per_order:
        raise ApiError(409, "order_too_large",
                       f"Au plus {caps.max_units_per_order} articles par commande "
                       f"({units} demandés).", field="lines")
    if (held["orders"] >= caps.max_open_orders_per_customer
            or held["units"] + units > caps.max_open_units_per_customer):
        raise ApiError(409, "customer_limit",
                       "Vous avez déjà des commandes en cours dans cette boutique : attendez "
                       "qu’elles soient prêtes avant d’en passer une autre.")


def new_order_secret() -> str:
    """A new order's secret, written with the order (its holder alone reads or cancels it)."""
    return secrets.token_urlsafe(24)


def check_secret(db: Database, shop_id: str, order_id: str, given: str) -> None:
    """404 unknown_order unless ``given`` is this order's secret (no oracle for ids)."""
    with read_tx(db) as tx:
        if tx.row("SELECT 1 AS x FROM shops WHERE id = ?", (shop_id,)) is None:
            raise ApiError(404, "unknown_shop", f"Boutique inconnue : {shop_id}")
        found = tx.row("SELECT customer_secret FROM orders WHERE id = ? AND shop_id = ?",
                       (order_id, shop_id))
    stored = (found or {}).get("customer_secret") or ""
    if not (stored and given and hmac.compare_digest(
            stored.encode(), given.encode("utf-8", "surrogateescape"))):
        raise ApiError(404, "unknown_order", f"Commande inconnue : {order_id}")
