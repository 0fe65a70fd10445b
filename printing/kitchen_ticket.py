"""The kitchen copy: what to prepare and for when, big, without prices."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from .fr_format import DEFAULT_TZ
from .layout import banner, text_lines
from .order_sections import channel_banner, number_block, timing_blocks, warning_blocks
from .order_view import OrderView
from .ticket import Block, Cut, Rule, Size, TicketDocument

__all__ = ["build_kitchen_ticket"]


def _item_blocks(view: OrderView, columns: int) -> list[Block]:
    blocks: list[Block] = []
    for line in view.lines:
        qty = f"{line.qty} × "
        blocks += text_lines(
            qty + line.name, columns, bold=True, size=Size.DOUBLE, hanging=len(qty)
        )
        for option in line.options:
            blocks += text_lines(f"- {option}", columns, bold=True, size=Size.TALL, indent="   ")
    return blocks


def build_kitchen_ticket(
    order: Mapping[str, Any],
    columns: int = 48,
    tz: str | ZoneInfo = DEFAULT_TZ,
) -> TicketDocument:
    view = OrderView.from_order(order)
    zone = tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)
    customer = (
        [*text_lines(f"Client : {view.customer_name}", columns)] if view.customer_name else []
    )
    blocks: list[Block] = [
        *banner("CUISINE", columns, size=Size.TALL),
        number_block(view),
        *channel_banner(view, columns),
        *timing_blocks(view, columns, zone),
        *customer,
        Rule(),
        *_item_blocks(view, columns),
        Rule(),
        *warning_blocks(view, columns),
        Cut(),
    ]
    return TicketDocument(
        kind="kitchen",
        columns=columns,
        blocks=blocks,
        order_id=view.id,
        title=f"Cuisine N° {view.number}",
    )
