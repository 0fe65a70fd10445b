"""Typed, tolerant views of the protocol's ORDER dict and of the shop's identity.

A ticket must print even when optional fields are missing or null, so every
field except the order id has a default. Whatever is in the database, each
free-text field is clipped here (characters and lines) and the layout caps its
printed lines again, so no order prints more than a bounded length of paper
(bound stated in printing/README.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .fr_format import parse_utc

__all__ = ["FIELD_LIMITS", "MAX_ORDER_LINES", "MAX_OPTIONS", "OrderLineView", "OrderView",
           "ShopInfo", "clip"]

# (characters, lines) kept from each free-text field before layout.
FIELD_LIMITS: dict[str, tuple[int, int]] = {
    "note": (500, 8),
    "allergens": (300, 6),
    "address": (200, 4),
    "name": (80, 2),  # customer name, item name, option, shop name
    "phone": (30, 1),
}
MAX_ORDER_LINES = 30  # item lines printed; more are summed up in one line
MAX_OPTIONS = 4  # options printed per item line
_MORE = " [...]"


def clip(value: object, field: str) -> str:
    """At most FIELD_LIMITS[field] characters and non-blank lines of `value`, marked when
    cut. Reads a bounded head only: 800 KB of newlines cost no more than a short note."""
    max_chars, max_lines = FIELD_LIMITS[field]
    text = str(value or "")
    head = text[: 4 * max_chars]
    lines = [line.strip() for line in head.splitlines() if line.strip()]
    kept = "\n".join(lines[:max_lines])
    cut = len(text) > len(head) or len(lines) > max_lines or len(kept) > max_chars
    kept = kept[:max_chars].rstrip()
    return f"{kept}{_MORE}".strip() if cut else kept


@dataclass(frozen=True, slots=True)
class ShopInfo:
    name: str
    address: str | None = None
    phone: str | None = None

    @classmethod
    def coerce(cls, shop: ShopInfo | Mapping[str, Any]) -> ShopInfo:
        if isinstance(shop, ShopInfo):
            return shop
        return cls(
            name=clip(shop.get("name"), "name"),
            address=clip(shop.get("address"), "address") or None,
            phone=clip(shop.get("phone"), "phone") or None,
        )


@dataclass(frozen=True, slots=True)
class OrderLineView:
    qty: int
    name: str
    unit_price_cents: int
    options: tuple[str, ...] = ()

    @property
    def total_cents(self) -> int:
        return self.qty * self.unit_price_cents


@dataclass(frozen=True, slots=True)
class OrderView:
    id: str
    number: int | str
    channel: str  # 'collect' | 'delivery'
    customer_name: str
    phone: str
    address: str | None
    lines: tuple[OrderLineView, ...]  # the first MAX_ORDER_LINES
    total_cents: int
    note: str
    allergens: str
    paid: bool
    pickup_slot: datetime | None
    ready_by: datetime | None
    created_at: datetime | None
    hidden_lines: int = 0  # item lines beyond MAX_ORDER_LINES, not printed

    @property
    def is_delivery(self) -> bool:
        return self.channel == "delivery"

    @classmethod
    def from_order(cls, order: Mapping[str, Any]) -> OrderView:
        if not order.get("id"):
            raise ValueError("an order without id cannot be printed")
        customer = order.get("customer") or {}
        raw_lines = list(order.get("lines") or ())
        lines = tuple(
            OrderLineView(
                qty=int(line.get("qty", 1)),
                name=clip(line.get("name") or line.get("sku") or "?", "name"),
                unit_price_cents=int(line.get("unit_price_cents") or 0),
                options=tuple(clip(o, "name") for o in list(line.get("options") or ())[
                    :MAX_OPTIONS]),
            )
            for line in raw_lines[:MAX_ORDER_LINES]
        )
        total = order.get("total_cents")
        paid = order.get("paid")
        return cls(
            id=str(order["id"]),
            number=order.get("number") if order.get("number") is not None else "?",
            channel=str(order.get("channel") or "collect"),
            # The flat customer_* keys are how the shop's store rows spell them.
            customer_name=clip(customer.get("name") or order.get("customer_name"), "name"),
            phone=clip(customer.get("phone") or order.get("customer_phone"), "phone"),
            address=clip(customer.get("address") or order.get("customer_address"), "address")
            or None,
            lines=lines,
            total_cents=int(total) if total is not None else sum(
                int(x.get("qty", 1)) * int(x.get("unit_price_cents") or 0) for x in raw_lines),
            hidden_lines=max(0, len(raw_lines) - MAX_ORDER_LINES),
            note=clip(order.get("note"), "note"),
            allergens=clip(order.get("allergens"), "allergens"),
            # Only a confirmed payment: True from the wire, 1 from the shop's SQLite row;
            # never a truthy string a client slipped in.
            paid=paid is True or (type(paid) is int and paid == 1),
            pickup_slot=parse_utc(order.get("pickup_slot")),
            ready_by=parse_utc(order.get("ready_by")),
            created_at=parse_utc(order.get("created_at")),
        )
