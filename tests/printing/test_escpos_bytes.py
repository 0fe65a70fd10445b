"""The real printer bytes, read back with the decoder as a printer would read them."""

from __future__ import annotations

from typing import Any

from escpos.printer import Dummy

from printing.codepages import CODE_PAGES
from printing.escpos_decode import decode_escpos
from printing.escpos_render import render_escpos
from printing.kitchen_ticket import build_kitchen_ticket
from printing.order_ticket import build_ticket


def _ticket_bytes(order: dict[str, Any], shop: dict[str, Any], **kw: Any) -> bytes:
    """Laid out for the code page it is rendered in, as enqueue_order does."""
    code_page = kw.get("code_page", "CP858")
    return render_escpos(build_ticket(order, shop, 32, code_page=code_page), **kw)


def test_code_page_selected_once_right_after_reset(
    order: dict[str, Any], shop: dict[str, Any]
) -> None:
    data = _ticket_bytes(order, shop)
    assert data.startswith(b"\x1b@\x1bt\x13")  # ESC @, ESC t 19 (CP858)
    assert data.count(b"\x1bt") == 1  # no MagicEncode hopping between code pages
    assert decode_escpos(data).code_page_switches == [19]


def test_no_utf8_reaches_the_printer(order: dict[str, Any], shop: dict[str, Any]) -> None:
    data = _ticket_bytes(order, shop)
    for utf8 in ("é", "è", "à", "ç", "€", "’", "–", "œ", "×", "É"):
        assert utf8.encode("utf-8") not in data, utf8
    assert b"Lef\x8avre" in data  # è in CP858
    assert b"\xd5" in data  # € in CP858


def test_decoded_text_through_selected_code_page(
    order: dict[str, Any], shop: dict[str, Any]
) -> None:
    ticket = decode_escpos(_ticket_bytes(order, shop))
    text = "\n".join(ticket.text_lines)
    for expected in (
        "Boulangerie Chez Léonie",
        "Client : Zoé Lefèvre",
        "Prête pour",
        "2 × Croissant",
        "2,40 €",
        "TOTAL",
        "12,20 €",
        "PAYÉ",
        "ALLERGÈNES",
        "noix, oeufs",
        "Sonnez deux fois - c'est au 3e",
        "Reçue",
        "Ce ticket n'est pas une note",
    ):
        assert expected in text, expected
    assert ticket.undecodable == 0 and not ticket.unknown_commands


def test_styles_survive_to_the_bytes(order: dict[str, Any], shop: dict[str, Any]) -> None:
    ticket = decode_escpos(_ticket_bytes(order, shop))
    number = ticket.find("N° 12")
    assert number is not None
    assert number.style.is_double and number.style.bold and number.align == "center"
    channel = ticket.find("CLICK & COLLECT")
    assert channel is not None and channel.style.inverse and channel.style.height == 2
    plain = ticket.find("2 × Croissant")
    assert plain is not None
    assert (plain.style.bold, plain.style.inverse, plain.style.width, plain.style.height) == (
        False,
        False,
        1,
        1,
    )
    assert ticket.find("Client : Zoé").style.bold


def test_qr_holds_the_order_id_and_ticket_is_cut(
    order: dict[str, Any], shop: dict[str, Any]
) -> None:
    ticket = decode_escpos(_ticket_bytes(order, shop))
    assert ticket.qr_payloads == ["ord_7f3a9c"]
    assert len(ticket.cuts) == 1 and ticket.elements[-1] == ticket.cuts[0]


def test_copies_repeat_the_whole_ticket(order: dict[str, Any], shop: dict[str, Any]) -> None:
    ticket = decode_escpos(_ticket_bytes(order, shop, copies=2))
    assert len(ticket.cuts) == 2 and ticket.qr_payloads == ["ord_7f3a9c"] * 2


def test_cp1252_prints_typographic_characters(order: dict[str, Any], shop: dict[str, Any]) -> None:
    data = _ticket_bytes(order, shop, code_page="CP1252")
    assert data.startswith(b"\x1b@\x1bt\x10")  # ESC t 16
    text = "\n".join(decode_escpos(data).text_lines)
    assert "noix, œufs" in text and "c’est" in text and "12,20 €" in text


def test_cp437_never_prints_garbage(order: dict[str, Any], shop: dict[str, Any]) -> None:
    data = _ticket_bytes(order, shop, code_page="CP437")
    assert data.startswith(b"\x1b@\x1bt\x00")
    text = "\n".join(decode_escpos(data).text_lines)
    assert "12,20 EUR" in text and "Zoé Lefèvre" in text


def test_injected_commands_in_customer_text_are_neutralised(
    order: dict[str, Any], shop: dict[str, Any]
) -> None:
    order["note"] = "hello\x1dV\x00\x1bp\x00\x19\xfa world"
    ticket = decode_escpos(_ticket_bytes(order, shop))
    assert len(ticket.cuts) == 1 and not ticket.unknown_commands


def test_kitchen_copy_bytes(order: dict[str, Any]) -> None:
    ticket = decode_escpos(render_escpos(build_kitchen_ticket(order, 32)))
    item = ticket.find("2 × Croissant")
    assert item is not None and item.style.is_double
    assert not any("€" in line for line in ticket.text_lines)
    assert ticket.cuts


def test_why_we_bypass_magicencode() -> None:
    """python-escpos' automatic encoding picks code pages a cheap printer may lack
    (the Greek ISO-8859-7 for €). Kept as a canary for library changes."""
    dummy = Dummy()
    dummy.text("12 €")
    switches = [
        dummy.output[i + 2]
        for i in range(len(dummy.output) - 2)
        if dummy.output[i : i + 2] == b"\x1bt"
    ]
    assert CODE_PAGES["CP858"].esc_t not in switches
