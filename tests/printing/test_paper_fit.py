"""Every ticket fits the paper as printed: encoded byte lines, on every offered code page
and paper width (issue 11.2), and no order prints more than a bounded length (issue 12.1)."""

from __future__ import annotations

import time
from datetime import date
from typing import Any

import pytest

from printing.cancellation_slip import build_cancellation_slip
from printing.codepages import CODE_PAGES
from printing.config import PAPER_COLUMNS, PrinterConfig
from printing.enqueue import DUPLICATE_BANNER, UNCONFIRMED_NOTE
from printing.escpos_decode import DecodedTicket, decode_escpos
from printing.escpos_render import render_escpos
from printing.kitchen_ticket import build_kitchen_ticket
from printing.order_ticket import build_ticket
from printing.printer_test_ticket import build_test_ticket
from printing.ticket import TicketDocument
from printing.z_report import ZSummary, build_z_report

PAPERS = [(mm, columns) for mm, counts in PAPER_COLUMNS.items() for columns in counts]
# A normal line is 1/6 inch (ESC 2 default spacing); tall and double lines twice that.
LINE_MM = 25.4 / 6
# Issue 12.1: no order prints more than this, whatever is in its fields (README.md).
MAX_TICKET_MM = 2_100


def _stressing_order(order: dict[str, Any]) -> dict[str, Any]:
    """Characters the code pages replace by longer stand-ins, at the worst places."""
    order.update(channel="delivery", paid=False, note="Œufs… pas d’œufs ! 5 € de pourboire")
    order["lines"] = [
        {"name": "Bœuf bourguignon", "qty": 1, "unit_price_cents": 1450, "options": []},
        {"name": "Œuf cocotte…", "qty": 12, "unit_price_cents": 99_999, "options": ["sans œuf"]},
        {"name": "Cœur cœur cœur cœur cœur cœur", "qty": 2, "unit_price_cents": 250,
         "options": ["…", "€€€€€€€€€€€€€€€€€€€€"]},
    ]
    order["customer"]["address"] = "2 rue des Bœufs… bâtiment Œ"
    order["allergens"] = "œufs, fruits à coque…"
    return order


def _documents(order: dict[str, Any], shop: dict[str, Any], config: PrinterConfig
               ) -> dict[str, TicketDocument]:
    columns, cp = config.line_columns, config.code_page
    ticket = build_ticket(order, shop, columns, code_page=cp)
    summary = ZSummary(date(2026, 11, 23), 1234, 99_999_999, 1_234_567, 12_345, 3, 4, 5)
    return {
        "order": ticket,
        "kitchen": build_kitchen_ticket(order, columns, code_page=cp),
        "z_report": build_z_report(summary, shop, columns, code_page=cp),
        "test": build_test_ticket(config),
        "cancellation": build_cancellation_slip(order, columns, code_page=cp),
        "reprint": ticket.with_banner(DUPLICATE_BANNER),
        "unconfirmed": ticket.with_banner(DUPLICATE_BANNER, UNCONFIRMED_NOTE),
    }


def _overflowing(decoded: DecodedTicket, columns: int) -> list[str]:
    """Lines whose printed width (characters × width multiplier) exceeds the paper."""
    return [
        f"{line.text!r}: {sum(len(s.text) * s.style.width for s in line.segments)} > {columns}"
        for line in decoded.lines
        if sum(len(s.text) * s.style.width for s in line.segments) > columns
    ]


@pytest.mark.parametrize("code_page", sorted(CODE_PAGES))
@pytest.mark.parametrize(("paper_mm", "columns"), PAPERS)
def test_every_ticket_kind_fits_the_paper_once_encoded(
    order: dict[str, Any], shop: dict[str, Any], code_page: str, paper_mm: int, columns: int
) -> None:
    config = PrinterConfig(kind="file", address="/dev/null", paper_width_mm=paper_mm,
                           columns=columns, code_page=code_page)
    for kind, document in _documents(_stressing_order(order), shop, config).items():
        data = render_escpos(document, code_page)
        decoded = decode_escpos(data)
        assert decoded.lines and decoded.undecodable == 0, kind
        assert _overflowing(decoded, columns) == [], (kind, code_page, columns)


@pytest.mark.parametrize("code_page", ["CP437", "CP850"])
def test_euro_becomes_eur_and_the_price_line_still_fits(
    order: dict[str, Any], shop: dict[str, Any], code_page: str
) -> None:
    ticket = decode_escpos(render_escpos(build_ticket(order, shop, 32, code_page=code_page),
                                         code_page))
    line = ticket.find("2 × Croissant") or ticket.find("2 x Croissant")
    assert line is not None and line.text.endswith("2,40 EUR") and len(line.text) == 32


def test_boeuf_line_fits_on_the_default_code_page(order: dict[str, Any], shop: dict[str, Any]
                                                  ) -> None:
    """The issue's example: 'œ' is 'oe' on CP858, so the line was 33 columns."""
    order["lines"] = [{"name": "Bœuf bourguignon", "qty": 1, "unit_price_cents": 1450}]
    ticket = decode_escpos(render_escpos(build_ticket(order, shop, 32), "CP858"))
    line = ticket.find("Boeuf bourguignon")
    assert line is not None and line.text.endswith("14,50 €") and len(line.text) == 32


def test_a_document_laid_out_for_another_code_page_is_squeezed_not_overflowing(
    order: dict[str, Any], shop: dict[str, Any]
) -> None:
    """Preview or settings code may lay out for CP858 and print on CP437: the renderer
    shortens the padding instead of letting 'EUR' run off the paper."""
    document = build_ticket(order, shop, 32, code_page="CP858")
    decoded = decode_escpos(render_escpos(document, "CP437"))
    assert _overflowing(decoded, 32) == []
    line = decoded.find("Croissant")
    assert line is not None and line.text.endswith("2,40 EUR")


def _paper_mm(decoded: DecodedTicket) -> float:
    return sum(LINE_MM * line.style.height for line in decoded.lines) + 30 * len(
        decoded.qr_payloads)


@pytest.mark.parametrize("bomb", [
    "\n" * 400_000 + "x\n" * 200_000,  # the audit's newline bomb
    ("Bœuf€… " * 12 + "\n") * 10_000,  # dense text filling every cap, € and œ growing
], ids=["newlines", "dense"])
def test_paper_bomb_prints_a_bounded_length(
    order: dict[str, Any], shop: dict[str, Any], bomb: str
) -> None:
    """Issue 12.1: an 800 KB note full of newlines (and every other free-text field just as
    hostile, with 5,000 item lines) prints a bounded length of paper, quickly."""
    assert len(bomb) >= 800_000
    order.update(note=bomb, allergens=bomb, number=bomb[:1000] + "1", total_cents=None)
    order["customer"] = {"name": bomb, "phone": bomb, "address": bomb}
    order["channel"] = "delivery"
    order["lines"] = [
        {"name": bomb, "qty": 1, "unit_price_cents": 100, "options": [bomb] * 50}
        for _ in range(5_000)
    ]
    shop = {"name": bomb, "address": bomb, "phone": bomb}
    started = time.monotonic()
    for columns in (32, 48):
        for document in (build_ticket(order, shop, columns),
                         build_kitchen_ticket(order, columns)):
            decoded = decode_escpos(render_escpos(document))
            assert _paper_mm(decoded) <= MAX_TICKET_MM, (document.kind, columns)
            assert "[...]" in "\n".join(decoded.text_lines)
            assert _overflowing(decoded, columns) == []
            assert any("autre(s) article(s)" in t for t in decoded.text_lines)
        slip = decode_escpos(render_escpos(build_cancellation_slip(order, columns)))
        assert _paper_mm(slip) <= MAX_TICKET_MM and _overflowing(slip, columns) == []
    assert time.monotonic() - started < 10  # and it does not stall the print queue


def test_ordinary_ticket_is_far_below_the_bound(order: dict[str, Any], shop: dict[str, Any]
                                                ) -> None:
    decoded = decode_escpos(render_escpos(build_ticket(order, shop, 32)))
    assert 100 < _paper_mm(decoded) < 400


def test_fit_encoded_squeezes_padding_first_then_splits() -> None:
    from printing.escpos_render import fit_encoded

    assert fit_encoded(b"2 x Croissant      2,40 EUR", 24) == [b"2 x Croissant   2,40 EUR"]
    assert fit_encoded(b"x" * 40, 32) == [b"x" * 32, b"x" * 8]
    assert fit_encoded(b"short", 32) == [b"short"]


def test_a_ticket_queued_for_wider_paper_fits_the_narrower_one(
    order: dict[str, Any], shop: dict[str, Any]
) -> None:
    """The paper width changed to 58 mm while 80-mm tickets waited in the queue."""
    document = build_ticket(_stressing_order(order), shop, 48)
    assert _overflowing(decode_escpos(render_escpos(document)), 32)  # as laid out
    decoded = decode_escpos(render_escpos(document, columns=32))
    assert _overflowing(decoded, 32) == []
    assert order["id"] in decoded.qr_payloads
    assert decoded.find("Bœuf") is not None or decoded.find("Boeuf") is not None
