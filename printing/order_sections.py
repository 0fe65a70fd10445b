"""Pieces of an order ticket shared by the customer copy and the kitchen copy."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from .fr_format import format_slot, to_local
from .layout import banner, boxed, label_value, text_lines
from .order_view import OrderView, ShopInfo
from .ticket import Align, Block, Rule, Size, Text

__all__ = [
    "channel_label",
    "channel_banner",
    "customer_blocks",
    "number_block",
    "shop_header",
    "timing_blocks",
    "warning_blocks",
]


def channel_label(order: OrderView) -> str:
    return "LIVRAISON" if order.is_delivery else "CLICK & COLLECT"


def shop_header(shop: ShopInfo, columns: int) -> list[Block]:
    blocks = text_lines(shop.name, columns, bold=True, size=Size.TALL, align=Align.CENTER)
    for extra in (shop.address, shop.phone):
        if extra:
            blocks += text_lines(extra, columns, align=Align.CENTER)
    return [*blocks, Rule("=")]


def number_block(order: OrderView) -> Text:
    return Text(f"N° {order.number}", bold=True, size=Size.DOUBLE, align=Align.CENTER)


def channel_banner(order: OrderView, columns: int) -> list[Block]:
    return banner(channel_label(order), columns, size=Size.TALL)


def timing_blocks(order: OrderView, columns: int, tz: ZoneInfo) -> list[Block]:
    """Slot first and loud: it is what the shop plans the day with."""
    blocks: list[Block] = []
    slot_label = "Livraison" if order.is_delivery else "Retrait"
    if order.pickup_slot:
        slot = format_slot(to_local(order.pickup_slot, tz))
        blocks += [
            Text(line.text, bold=True, size=Size.TALL)
            for line in label_value(slot_label, slot, columns)
        ]
    if order.ready_by:
        ready = format_slot(to_local(order.ready_by, tz))
        blocks += label_value("Prête pour", ready, columns, bold=not order.pickup_slot)
    if not order.pickup_slot and not order.ready_by:
        blocks += label_value(slot_label, "dès que possible", columns, bold=True)
    if order.created_at:
        blocks += label_value("Reçue", format_slot(to_local(order.created_at, tz)), columns)
    return blocks


def customer_blocks(order: OrderView, columns: int) -> list[Block]:
    blocks: list[Block] = []
    if order.customer_name:
        blocks += label_value("Client", order.customer_name, columns, bold=True)
    if order.phone:
        blocks += label_value("Tél", order.phone, columns)
    if order.is_delivery:
        blocks += label_value("Adresse", order.address or "(non précisée)", columns)
    return blocks


def warning_blocks(order: OrderView, columns: int) -> list[Block]:
    blocks: list[Block] = []
    if order.allergens:
        blocks += boxed("ALLERGÈNES", order.allergens, columns)
    if order.note:
        blocks += boxed("NOTE DU CLIENT", order.note, columns)
    return blocks
