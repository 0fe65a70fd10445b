"""End-of-day summary ("Z report"); the caller computes the figures."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from .codepages import DEFAULT_CODE_PAGE, CodePage
from .fr_format import DEFAULT_TZ, format_date, format_euros, format_slot, to_local
from .layout import Paper, banner, priced_line, text_lines
from .order_sections import shop_header
from .order_view import ShopInfo
from .ticket import Align, Block, Cut, Rule, Size, TicketDocument

__all__ = ["ZSummary", "build_z_report"]

# Not a certified cash register report (French law): say so on the paper.
NOT_A_CASH_REPORT = "Récapitulatif indicatif : ce n’est pas un rapport Z de caisse."


@dataclass(frozen=True, slots=True)
class ZSummary:
    day: date
    orders_count: int
    revenue_collect_cents: int
    revenue_delivery_cents: int
    revenue_counter_cents: int
    rejected_count: int
    late_count: int
    cancelled_count: int = 0

    @property
    def revenue_total_cents(self) -> int:
        return self.revenue_collect_cents + self.revenue_delivery_cents + self.revenue_counter_cents


def build_z_report(
    summary: ZSummary,
    shop: ShopInfo | Mapping[str, Any],
    columns: int = 48,
    tz: str | ZoneInfo = DEFAULT_TZ,
    printed_at: datetime | None = None,
    code_page: CodePage | str = DEFAULT_CODE_PAGE,
) -> TicketDocument:
    paper = Paper.of(columns, code_page)
    edited = to_local(printed_at or datetime.now().astimezone(), tz)
    counts = [
        ("Commandes", summary.orders_count),
        ("Refusées", summary.rejected_count),
        ("En retard", summary.late_count),
        ("Annulées", summary.cancelled_count),
    ]
    revenue = [
        ("Click & collect", summary.revenue_collect_cents),
        ("Livraison", summary.revenue_delivery_cents),
        ("Comptoir", summary.revenue_counter_cents),
    ]
    blocks: list[Block] = [
        *shop_header(ShopInfo.coerce(shop), paper),
        *banner("BILAN DU JOUR (Z)", paper, size=Size.TALL),
        *text_lines(format_date(summary.day), paper, bold=True, align=Align.CENTER),
        *text_lines(f"Édité le {format_slot(edited)}", paper, align=Align.CENTER),
        Rule(),
    ]
    for label, count in counts:
        blocks += priced_line(label, str(count), paper)
    blocks += [Rule(), *text_lines("Chiffre d’affaires par canal", paper, bold=True)]
    for label, cents in revenue:
        blocks += priced_line(label, format_euros(cents), paper)
    blocks += [
        *priced_line(
            "TOTAL", format_euros(summary.revenue_total_cents), paper, bold=True, size=Size.TALL
        ),
        Rule(),
        *text_lines(NOT_A_CASH_REPORT, paper, align=Align.CENTER),
        Cut(),
    ]
    return TicketDocument(
        kind="z_report",
        columns=columns,
        blocks=blocks,
        title=f"Bilan du {format_date(summary.day)}",
    )
