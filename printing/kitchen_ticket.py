"""The kitchen copy: what to prepare and for when, big, without prices.

Allergens come first and large (issue 9.10): a cook reads the top of the ticket.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import tzinfo
from typing import Any

from l10n import as_zone

from .codepages import DEFAULT_CODE_PAGE, CodePage
from .fr_format import DEFAULT_TZ
from .layout import Paper, banner, text_lines
from .order_sections import (
    PRINTED_LINES,
    allergen_blocks,
    channel_banner,
    more_lines_text,
    note_blocks,
    number_block,
    ready_by_blocks,
)
from .order_view import OrderView
from .ticket import Block, Cut, Rule, Size, TicketDocument

__all__ = ["build_kitchen_ticket"]


def _item_blocks(view: OrderView, paper: Paper) -> list[Block]:
    blocks: list[Block] = []
    for line in view.lines:
        qty = f"{line.qty} × "
        blocks += text_lines(
            qty + line.name, paper, bold=True, size=Size.DOUBLE,
            hanging=len(paper.printable(qty)), max_lines=PRINTED_LINES["name"],
        )
        for option in line.options:
            blocks += text_lines(f"- {option}", paper, bold=True, size=Size.TALL, indent="   ",
                                 max_lines=PRINTED_LINES["option"])
    if view.hidden_lines:
        blocks += text_lines(more_lines_text(view), paper, bold=True)
    return blocks


def build_kitchen_ticket(
    order: Mapping[str, Any],
    columns: int = 48,
    tz: str | tzinfo = DEFAULT_TZ,
    code_page: CodePage | str = DEFAULT_CODE_PAGE,
) -> TicketDocument:
    view = OrderView.from_order(order)
    zone = as_zone(tz)  # a zone read from a file has no name: taken as it is
    paper = Paper.of(columns, code_page)
    customer = (
        text_lines(f"Client : {view.customer_name}", paper, max_lines=PRINTED_LINES["name"])
        if view.customer_name else []
    )
    blocks: list[Block] = [
        *banner("CUISINE", paper, size=Size.TALL),
        number_block(view, paper),
        *allergen_blocks(view, paper, size=Size.DOUBLE),
        *ready_by_blocks(view, paper, zone),
        *channel_banner(view, paper),
        *customer,
        Rule(),
        *_item_blocks(view, paper),
        Rule(),
        *note_blocks(view, paper),
        Cut(),
    ]
    return TicketDocument(
        kind="kitchen",
        columns=columns,
        blocks=blocks,
        order_id=view.id,
        title=f"Cuisine N° {view.number}"[:80],
    )
