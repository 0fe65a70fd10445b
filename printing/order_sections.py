"""Pieces of an order ticket shared by the customer copy and the kitchen copy.

Every free-text field prints at most FIELD_MAX_LINES[...] lines (see README.md,
"Bounded paper"), on top of the clipping done by OrderView.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from .fr_format import format_slot, to_local
from .layout import Paper, banner, boxed, label_value, text_lines
from .order_view import OrderView, ShopInfo
from .ticket import Align, Block, Rule, Size, Text

__all__ = [
    "PRINTED_LINES",
    "channel_label",
    "channel_banner",
    "allergen_blocks",
    "customer_blocks",
    "more_lines_text",
    "note_blocks",
    "number_block",
    "ready_by_blocks",
    "shop_header",
    "timing_blocks",
    "warning_blocks",
]

# Printed lines at most per field, after wrapping (whatever the paper width).
PRINTED_LINES = {"note": 10, "allergens": 6, "address": 3, "name": 3, "option": 1, "phone": 1}


def channel_label(order: OrderView) -> str:
    return "LIVRAISON" if order.is_delivery else "CLICK & COLLECT"


def shop_header(shop: ShopInfo, paper: Paper) -> list[Block]:
    blocks = text_lines(shop.name, paper, bold=True, size=Size.TALL, align=Align.CENTER,
                        max_lines=PRINTED_LINES["name"])
    for extra, field in ((shop.address, "address"), (shop.phone, "phone")):
        if extra:
            blocks += text_lines(extra, paper, align=Align.CENTER, max_lines=PRINTED_LINES[field])
    return [*blocks, Rule("=")]


def number_block(order: OrderView, paper: Paper) -> Text:
    return paper.text(f"N° {order.number}", bold=True, size=Size.DOUBLE, align=Align.CENTER)


def channel_banner(order: OrderView, paper: Paper) -> list[Block]:
    return banner(channel_label(order), paper, size=Size.TALL)


def timing_blocks(order: OrderView, paper: Paper, tz: ZoneInfo) -> list[Block]:
    """Slot first and loud: it is what the shop plans the day with."""
    blocks: list[Block] = []
    slot_label = "Livraison" if order.is_delivery else "Retrait"
    if order.pickup_slot:
        slot = format_slot(to_local(order.pickup_slot, tz))
        blocks += label_value(slot_label, slot, paper, bold=True, size=Size.TALL)
    if order.ready_by:
        ready = format_slot(to_local(order.ready_by, tz))
        blocks += label_value("Prête pour", ready, paper, bold=not order.pickup_slot)
    if not order.pickup_slot and not order.ready_by:
        blocks += label_value(slot_label, "dès que possible", paper, bold=True)
    if order.created_at:
        blocks += label_value("Reçue", format_slot(to_local(order.created_at, tz)), paper)
    return blocks


def ready_by_blocks(order: OrderView, paper: Paper, tz: ZoneInfo) -> list[Block]:
    """For the kitchen: the time the order must be ready, in large type."""
    when = order.ready_by or order.pickup_slot
    if when is None:
        return text_lines("PRÊTE DÈS QUE POSSIBLE", paper, bold=True, size=Size.DOUBLE,
                          align=Align.CENTER)
    local = to_local(when, tz)
    assert local is not None
    return [
        *text_lines("PRÊTE POUR", paper, bold=True, size=Size.TALL, align=Align.CENTER),
        *text_lines(format_slot(local), paper, bold=True, size=Size.DOUBLE, align=Align.CENTER),
    ]


def more_lines_text(order: OrderView) -> str:
    return f"... et {order.hidden_lines} autre(s) article(s) : voir l’écran"


def customer_blocks(order: OrderView, paper: Paper) -> list[Block]:
    blocks: list[Block] = []
    if order.customer_name:
        blocks += label_value("Client", order.customer_name, paper, bold=True,
                              max_lines=PRINTED_LINES["name"])
    if order.phone:
        blocks += label_value("Tél", order.phone, paper, max_lines=PRINTED_LINES["phone"])
    if order.is_delivery:
        blocks += label_value("Adresse", order.address or "(non précisée)", paper,
                              max_lines=PRINTED_LINES["address"])
    return blocks


def allergen_blocks(order: OrderView, paper: Paper, size: Size = Size.NORMAL) -> list[Block]:
    if not order.allergens:
        return []
    return boxed("ALLERGÈNES", order.allergens, paper, size=size,
                 max_lines=PRINTED_LINES["allergens"])


def note_blocks(order: OrderView, paper: Paper) -> list[Block]:
    if not order.note:
        return []
    return boxed("NOTE DU CLIENT", order.note, paper, max_lines=PRINTED_LINES["note"])


def warning_blocks(order: OrderView, paper: Paper) -> list[Block]:
    return [*allergen_blocks(order, paper), *note_blocks(order, paper)]
