"""The order ticket handed out with the bag (shop copy of the order)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import tzinfo
from typing import Any

from l10n import as_zone

from .codepages import DEFAULT_CODE_PAGE, CodePage
from .fr_format import DEFAULT_TZ, format_euros
from .layout import Paper, banner, priced_line, text_lines
from .order_sections import (
    PRINTED_LINES,
    channel_banner,
    customer_blocks,
    more_lines_text,
    number_block,
    shop_header,
    timing_blocks,
    warning_blocks,
)
from .order_view import OrderView, ShopInfo
from .ticket import Align, Block, Cut, QrCode, Rule, Size, TicketDocument

__all__ = ["NOT_A_RECEIPT", "PAID", "TO_COLLECT", "build_ticket"]

# Comptoir is not a certified cash register: every ticket must say it is no receipt.
NOT_A_RECEIPT = "Ce ticket n’est pas une note : il ne vaut ni facture ni reçu de paiement."
PAID = "PAYÉ"
# Unless the payment is confirmed (order.paid set by a trusted party), never "PAYÉ".
TO_COLLECT = "À ENCAISSER"
_MAX_ID_PRINTED = 64  # a longer id (never a real one) is not worth a QR code


def _line_blocks(order: OrderView, paper: Paper) -> list[Block]:
    blocks: list[Block] = []
    for line in order.lines:
        qty = f"{line.qty} × "
        price = format_euros(line.total_cents)
        blocks += priced_line(qty + line.name, price, paper, hanging=len(paper.printable(qty)),
                              max_lines=PRINTED_LINES["name"])
        for option in line.options:
            blocks += text_lines(f"- {option}", Paper(paper.columns - 1, paper.code_page),
                                 indent="    ", max_lines=PRINTED_LINES["option"])
    if order.hidden_lines:
        blocks += text_lines(more_lines_text(order), paper, bold=True)
    return blocks


def _payment_blocks(order: OrderView, paper: Paper) -> list[Block]:
    if order.paid:
        return [paper.text(PAID, bold=True, size=Size.DOUBLE, align=Align.CENTER)]
    where = "à la livraison" if order.is_delivery else "au retrait"
    return [
        *banner(TO_COLLECT, paper, size=Size.TALL),
        *text_lines(where, paper, bold=True, align=Align.CENTER),
    ]


def build_ticket(
    order: Mapping[str, Any],
    shop: ShopInfo | Mapping[str, Any],
    columns: int = 48,
    tz: str | tzinfo = DEFAULT_TZ,
    code_page: CodePage | str = DEFAULT_CODE_PAGE,
) -> TicketDocument:
    """Lay out an ORDER (docs/PROTOCOL.md) for a paper `columns` characters wide, measured
    in the characters `code_page` will print."""
    view = OrderView.from_order(order)
    zone = as_zone(tz)  # a zone read from a file has no name: taken as it is
    paper = Paper.of(columns, code_page)
    ident: list[Block] = []
    if len(view.id) <= _MAX_ID_PRINTED:
        ident = [QrCode(view.id), *text_lines(view.id, paper, align=Align.CENTER)]
    blocks: list[Block] = [
        *shop_header(ShopInfo.coerce(shop), paper),
        number_block(view, paper),
        *channel_banner(view, paper),
        *timing_blocks(view, paper, zone),
        Rule(),
        *customer_blocks(view, paper),
        Rule(),
        *_line_blocks(view, paper),
        Rule(),
        *warning_blocks(view, paper),
        *priced_line("TOTAL", format_euros(view.total_cents), paper, bold=True, size=Size.TALL),
        *_payment_blocks(view, paper),
        *ident,
        *text_lines(NOT_A_RECEIPT, paper, align=Align.CENTER),
        Cut(),
    ]
    return TicketDocument(
        kind="order",
        columns=columns,
        blocks=blocks,
        order_id=view.id,
        title=f"Commande N° {view.number}"[:80],
    )
