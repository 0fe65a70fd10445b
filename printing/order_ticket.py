"""The order ticket handed out with the bag (shop copy of the order)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from .fr_format import DEFAULT_TZ, format_euros
from .layout import banner, priced_line, text_lines
from .order_sections import (
    channel_banner,
    customer_blocks,
    number_block,
    shop_header,
    timing_blocks,
    warning_blocks,
)
from .order_view import OrderView, ShopInfo
from .ticket import Align, Block, Cut, QrCode, Rule, Size, Text, TicketDocument

__all__ = ["NOT_A_RECEIPT", "build_ticket"]

# Comptoir is not a certified cash register: every ticket must say it is no receipt.
NOT_A_RECEIPT = "Ce ticket n’est pas une note : il ne vaut ni facture ni reçu de paiement."


def _line_blocks(order: OrderView, columns: int) -> list[Block]:
    blocks: list[Block] = []
    for line in order.lines:
        qty = f"{line.qty} × "
        price = format_euros(line.total_cents)
        blocks += priced_line(qty + line.name, price, columns, hanging=len(qty))
        for option in line.options:
            blocks += text_lines(f"- {option}", columns - 1, indent="    ")
    return blocks


def _payment_blocks(order: OrderView, columns: int) -> list[Block]:
    if order.paid:
        return [Text("PAYÉ", bold=True, size=Size.DOUBLE, align=Align.CENTER)]
    due = "À PAYER À LA LIVRAISON" if order.is_delivery else "À PAYER AU RETRAIT"
    return banner(due, columns, size=Size.TALL)


def build_ticket(
    order: Mapping[str, Any],
    shop: ShopInfo | Mapping[str, Any],
    columns: int = 48,
    tz: str | ZoneInfo = DEFAULT_TZ,
) -> TicketDocument:
    """Lay out an ORDER (docs/PROTOCOL.md) for a paper `columns` characters wide."""
    view = OrderView.from_order(order)
    zone = tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)
    blocks: list[Block] = [
        *shop_header(ShopInfo.coerce(shop), columns),
        number_block(view),
        *channel_banner(view, columns),
        *timing_blocks(view, columns, zone),
        Rule(),
        *customer_blocks(view, columns),
        Rule(),
        *_line_blocks(view, columns),
        Rule(),
        *warning_blocks(view, columns),
        *priced_line("TOTAL", format_euros(view.total_cents), columns, bold=True, size=Size.TALL),
        *_payment_blocks(view, columns),
        QrCode(view.id),
        Text(view.id, align=Align.CENTER),
        *text_lines(NOT_A_RECEIPT, columns, align=Align.CENTER),
        Cut(),
    ]
    return TicketDocument(
        kind="order",
        columns=columns,
        blocks=blocks,
        order_id=view.id,
        title=f"Commande N° {view.number}",
    )
