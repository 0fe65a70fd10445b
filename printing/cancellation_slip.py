"""The cancellation slip: printed when an order whose ticket already came out is withdrawn
(cancelled by the customer, or refused by the marketplace because nobody answered in time),
so the kitchen stops preparing it and the ticket on the rail is not served."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, tzinfo
from typing import Any

from l10n import as_zone

from .codepages import DEFAULT_CODE_PAGE, CodePage
from .fr_format import DEFAULT_TZ, format_slot, to_local
from .layout import Paper, banner, label_value, text_lines
from .order_sections import PRINTED_LINES, more_lines_text, number_block
from .order_view import OrderView
from .ticket import Align, Block, Cut, Rule, Size, TicketDocument

__all__ = ["build_cancellation_slip", "withdrawal_title"]


def withdrawal_title(order: Mapping[str, Any]) -> str:
    """What happened, in the words printed big on the slip."""
    if order.get("status") == "rejected" and order.get("reject_reason") == "timeout":
        return "REFUSÉE : DÉLAI DÉPASSÉ"
    if order.get("status") == "rejected":
        return "REFUSÉE"
    return "ANNULÉE PAR LE CLIENT"


def build_cancellation_slip(
    order: Mapping[str, Any],
    columns: int = 48,
    tz: str | tzinfo = DEFAULT_TZ,
    code_page: CodePage | str = DEFAULT_CODE_PAGE,
) -> TicketDocument:
    view = OrderView.from_order(order)
    paper = Paper.of(columns, code_page)
    zone = as_zone(tz)  # a zone read from a file has no name: taken as it is
    when = to_local(order.get("updated_at") or datetime.now(UTC), zone)
    blocks: list[Block] = [
        *banner("NE PAS PRÉPARER", paper, size=Size.TALL),
        number_block(view, paper),
        *text_lines(withdrawal_title(order), paper, bold=True, size=Size.TALL,
                    align=Align.CENTER),
        Rule(),
    ]
    if view.customer_name:
        blocks += label_value("Client", view.customer_name, paper, bold=True,
                              max_lines=PRINTED_LINES["name"])
    if when is not None:
        blocks += label_value("Le", format_slot(when), paper)
    blocks.append(Rule())
    for line in view.lines:
        blocks += text_lines(f"{line.qty} × {line.name}", paper, hanging=4,
                             max_lines=PRINTED_LINES["name"])
    if view.hidden_lines:
        blocks += text_lines(more_lines_text(view), paper, bold=True)
    blocks += [
        Rule(),
        *text_lines("Retirez le ticket de cette commande.", paper, align=Align.CENTER),
        Cut(),
    ]
    return TicketDocument(
        kind="cancellation",
        columns=columns,
        blocks=blocks,
        order_id=view.id,
        title=f"Annulation N° {view.number}"[:80],
    )
