"""The ticket documents: contents, styles, widths, JSON round trip."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from printing.kitchen_ticket import build_kitchen_ticket
from printing.order_ticket import NOT_A_RECEIPT, build_ticket
from printing.ticket import Align, Cut, QrCode, Rule, Size, Text, TicketDocument, char_width
from printing.z_report import ZSummary, build_z_report


def _texts(doc: TicketDocument) -> list[Text]:
    return [b for b in doc.blocks if isinstance(b, Text)]


def _find(doc: TicketDocument, needle: str) -> Text:
    found = [t for t in _texts(doc) if needle in t.text]
    assert found, f"{needle!r} not in {[t.text for t in _texts(doc)]}"
    return found[0]


def _joined(doc: TicketDocument) -> str:
    return " ".join(" ".join(t.text.split()) for t in _texts(doc))


@pytest.mark.parametrize("columns", [32, 42, 48])
def test_every_line_fits_the_paper(
    order: dict[str, Any], shop: dict[str, Any], columns: int
) -> None:
    order["customer"]["address"] = "5 place des Terreaux, 69001 Lyon, interphone Lefèvre-Dupont"
    order["channel"] = "delivery"
    order["lines"][0]["name"] = "Croissant-aux-amandes-et-pistaches-caramélisées-maison"
    for doc in (build_ticket(order, shop, columns), build_kitchen_ticket(order, columns)):
        for text in _texts(doc):
            assert len(text.text) * char_width(text.size) <= columns, text


def test_order_ticket_contents(order: dict[str, Any], shop: dict[str, Any]) -> None:
    doc = build_ticket(order, shop, 32, code_page="CP1252")  # has œ ’ – : kept as typed
    assert doc.kind == "order" and doc.order_id == "ord_7f3a9c" and doc.columns == 32
    name = _find(doc, "Boulangerie Chez Léonie")
    assert name.bold and name.align is Align.CENTER
    number = _find(doc, "N° 12")
    assert number.size is Size.DOUBLE and number.bold
    channel = _find(doc, "CLICK & COLLECT")
    assert channel.inverse and len(channel.text) == 32  # the band spans the paper
    # 16:00Z is 17:00 in Paris in November
    assert _find(doc, "Retrait : lun. 23/11 17:00").size is Size.TALL
    assert "Prête pour : lun. 23/11 16:45" in _joined(doc)
    assert _find(doc, "Client : Zoé Lefèvre").bold
    assert "Tél : +33 6 12 34 56 78" in _joined(doc)
    assert "Adresse" not in _joined(doc)
    line = _find(doc, "2 × Croissant")
    assert line.text.endswith("2,40 €") and len(line.text) == 32  # price right-aligned
    assert _find(doc, "- bien cuit").text.startswith("    ")  # option indented
    assert _find(doc, "ALLERGÈNES").inverse
    assert _find(doc, "NOTE DU CLIENT").inverse
    assert "noix, œufs" in _joined(doc)
    assert "Sonnez deux fois – c’est au 3e" in _joined(doc)
    total = _find(doc, "TOTAL")
    assert total.text.endswith("12,20 €") and total.bold
    assert _find(doc, "PAYÉ").size is Size.DOUBLE
    assert " ".join(NOT_A_RECEIPT.split()) in _joined(doc)
    qr = [b for b in doc.blocks if isinstance(b, QrCode)]
    assert [q.data for q in qr] == ["ord_7f3a9c"]
    assert isinstance(doc.blocks[-1], Cut)


def test_long_item_name_wraps_under_the_name_not_under_the_quantity(
    order: dict[str, Any], shop: dict[str, Any]
) -> None:
    doc = build_ticket(order, shop, 32)
    first = _find(doc, "1 × Opéra")
    assert first.text.endswith("8,50 €")
    texts = [t.text for t in _texts(doc)]
    continuation = texts[texts.index(first.text) + 1]
    assert continuation.startswith("    ") and continuation.strip()[0].isalpha()


def test_delivery_unpaid(order: dict[str, Any], shop: dict[str, Any]) -> None:
    order.update(channel="delivery", paid=False)
    order["customer"]["address"] = "5 place des Terreaux, Lyon"
    doc = build_ticket(order, shop, 48)
    assert _find(doc, "LIVRAISON").inverse
    assert _find(doc, "Livraison : lun. 23/11 17:00")
    assert _find(doc, "Adresse : 5 place des Terreaux, Lyon")
    assert _find(doc, "À ENCAISSER").inverse
    assert _find(doc, "à la livraison").bold
    assert "PAYÉ" not in _joined(doc)


def test_collect_unpaid(order: dict[str, Any], shop: dict[str, Any]) -> None:
    order["paid"] = False
    doc = build_ticket(order, shop, 32)
    assert _find(doc, "À ENCAISSER").inverse and _find(doc, "au retrait")
    assert "PAYÉ" not in _joined(doc)


@pytest.mark.parametrize("claimed", ["true", "yes", 2, [1], {"ok": True}, None])
def test_only_a_confirmed_payment_prints_paye(
    order: dict[str, Any], shop: dict[str, Any], claimed: object
) -> None:
    """Issue 12.2: whatever truthy value reached the database, only paid == True (or the
    store's integer 1) prints PAYÉ; anything else says À ENCAISSER."""
    order["paid"] = claimed
    doc = build_ticket(order, shop, 32)
    assert "PAYÉ" not in _joined(doc) and _find(doc, "À ENCAISSER").inverse
    for confirmed in (True, 1):
        order["paid"] = confirmed
        paid_doc = build_ticket(order, shop, 32)
        assert "À ENCAISSER" not in _joined(paid_doc) and _find(paid_doc, "PAYÉ")


def test_time_zone_parameter(order: dict[str, Any], shop: dict[str, Any]) -> None:
    doc = build_ticket(order, shop, 48, tz="America/Martinique")
    assert _find(doc, "Retrait : lun. 23/11 12:00")


def test_order_without_slot_or_optional_fields(shop: dict[str, Any]) -> None:
    minimal = {
        "id": "ord_x",
        "number": 3,
        "lines": [{"name": "Baguette", "qty": 1, "unit_price_cents": 110}],
    }
    doc = build_ticket(minimal, shop, 32)
    assert _find(doc, "Retrait : dès que possible")
    assert _find(doc, "TOTAL").text.endswith("1,10 €")  # computed when absent
    assert "ALLERGÈNES" not in _joined(doc)


def test_flat_customer_fields_are_understood(shop: dict[str, Any]) -> None:
    row = {
        "id": "ord_y",
        "number": 4,
        "customer_name": "Zoé",
        "customer_phone": "0601",
        "lines": [],
    }
    assert _find(build_ticket(row, shop, 32), "Client : Zoé")


def test_order_without_id_is_refused(order: dict[str, Any], shop: dict[str, Any]) -> None:
    del order["id"]
    with pytest.raises(ValueError, match="without id"):
        build_ticket(order, shop)


def test_kitchen_copy_is_big_and_has_no_prices(order: dict[str, Any]) -> None:
    doc = build_kitchen_ticket(order, 32)
    assert doc.kind == "kitchen"
    assert _find(doc, "CUISINE").inverse
    assert _find(doc, "N° 12").size is Size.DOUBLE
    item = _find(doc, "2 × Croissant")
    assert item.size is Size.DOUBLE and item.bold
    assert _find(doc, "- bien cuit").bold
    assert _find(doc, "ALLERGÈNES").inverse
    joined = _joined(doc)
    assert "€" not in joined and "TOTAL" not in joined and "PAYÉ" not in joined
    assert isinstance(doc.blocks[-1], Cut)


def test_kitchen_copy_puts_allergens_first_and_the_ready_by_time_large(
    order: dict[str, Any],
) -> None:
    """Issue 9.10: a cook reads the top of the ticket: allergens right under the number,
    in double size, then the ready-by time in double size, before the items."""
    doc = build_kitchen_ticket(order, 32)
    texts = [t for t in _texts(doc) if t.text.strip()]
    kinds = [t.text.strip() for t in texts]
    assert kinds[:3] == ["CUISINE", "N° 12", "ALLERGÈNES"]
    assert texts[2].inverse and texts[2].size is Size.DOUBLE
    allergens = _find(doc, "noix, oeufs")
    assert allergens.size is Size.DOUBLE and allergens.bold
    ready = _find(doc, "lun. 23/11 16:45")  # 15:45Z in Paris
    assert ready.size is Size.DOUBLE and ready.bold
    position = {t.text.strip(): i for i, t in enumerate(texts)}
    assert position["ALLERGÈNES"] < position["lun. 23/11 16:45"] < position["2 × Croissant"]
    order["allergens"] = ""
    assert "ALLERGÈNES" not in _joined(build_kitchen_ticket(order, 32))


def test_z_report(shop: dict[str, Any]) -> None:
    summary = ZSummary(
        day=date(2026, 11, 23),
        orders_count=42,
        revenue_collect_cents=12050,
        revenue_delivery_cents=8000,
        revenue_counter_cents=123400,
        rejected_count=3,
        late_count=1,
        cancelled_count=2,
    )
    printed_at = datetime(2026, 11, 23, 18, 30, tzinfo=UTC)
    doc = build_z_report(summary, shop, 32, printed_at=printed_at)
    assert doc.kind == "z_report"
    assert _find(doc, "BILAN DU JOUR").inverse
    assert _find(doc, "lun. 23/11/2026")
    assert _find(doc, "Édité le lun. 23/11 19:30")
    assert _find(doc, "Commandes").text.endswith(" 42")
    assert _find(doc, "Refusées").text.endswith(" 3")
    assert _find(doc, "En retard").text.endswith(" 1")
    assert _find(doc, "Annulées").text.endswith(" 2")
    assert _find(doc, "Click & collect").text.endswith("120,50 €")
    assert _find(doc, "Livraison").text.endswith("80,00 €")
    assert _find(doc, "Comptoir").text.endswith("1 234,00 €")
    total = _find(doc, "TOTAL")
    assert total.text.endswith("1 434,50 €") and total.size is Size.TALL
    assert "pas un rapport Z de caisse" in _joined(doc)
    assert isinstance(doc.blocks[-1], Cut)


def test_document_json_round_trip(order: dict[str, Any], shop: dict[str, Any]) -> None:
    doc = build_ticket(order, shop, 42)
    again = TicketDocument.from_json(doc.to_json())
    assert again == doc
    assert any(isinstance(b, Rule) for b in again.blocks)


def test_duplicate_banner(order: dict[str, Any], shop: dict[str, Any]) -> None:
    doc = build_ticket(order, shop, 32).with_banner("DUPLICATA")
    first = doc.blocks[0]
    assert isinstance(first, Text) and first.inverse and first.text.strip() == "DUPLICATA"
