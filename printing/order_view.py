"""Typed, tolerant views of the protocol's ORDER dict and of the shop's identity.

A ticket must print even when optional fields are missing or null, so every
field except the order id has a default.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .fr_format import parse_utc

__all__ = ["OrderLineView", "OrderView", "ShopInfo"]


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
            name=str(shop.get("name") or ""),
            address=shop.get("address") or None,
            phone=shop.get("phone") or None,
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
    lines: tuple[OrderLineView, ...]
    total_cents: int
    note: str
    allergens: str
    paid: bool
    pickup_slot: datetime | None
    ready_by: datetime | None
    created_at: datetime | None

    @property
    def is_delivery(self) -> bool:
        return self.channel == "delivery"

    @classmethod
    def from_order(cls, order: Mapping[str, Any]) -> OrderView:
        if not order.get("id"):
            raise ValueError("an order without id cannot be printed")
        customer = order.get("customer") or {}
        lines = tuple(
            OrderLineView(
                qty=int(line.get("qty", 1)),
                name=str(line.get("name") or line.get("sku") or "?"),
                unit_price_cents=int(line.get("unit_price_cents") or 0),
                options=tuple(str(o) for o in line.get("options") or ()),
            )
            for line in order.get("lines") or ()
        )
        total = order.get("total_cents")
        return cls(
            id=str(order["id"]),
            number=order.get("number") if order.get("number") is not None else "?",
            channel=str(order.get("channel") or "collect"),
            # The flat customer_* keys are how the shop's store rows spell them.
            customer_name=str(customer.get("name") or order.get("customer_name") or ""),
            phone=str(customer.get("phone") or order.get("customer_phone") or ""),
            address=customer.get("address") or order.get("customer_address") or None,
            lines=lines,
            total_cents=int(total) if total is not None else sum(x.total_cents for x in lines),
            note=str(order.get("note") or "").strip(),
            allergens=str(order.get("allergens") or "").strip(),
            paid=bool(order.get("paid")),
            pickup_slot=parse_utc(order.get("pickup_slot")),
            ready_by=parse_utc(order.get("ready_by")),
            created_at=parse_utc(order.get("created_at")),
        )
