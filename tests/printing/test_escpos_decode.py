"""The decoder on hand-made byte streams."""

from __future__ import annotations

from printing.escpos_decode import DecodedCut, DecodedQr, decode_escpos


def test_code_page_switch_changes_how_bytes_read() -> None:
    data = b"\x1bt\x00\xd5\n\x1bt\x13\xd5\n\x1bt\x10\x80\x9c\n"
    assert decode_escpos(data).text_lines == ["╒", "€", "€œ"]


def test_sizes_bold_inverse_align() -> None:
    data = (
        b"\x1d!\x11\x1bE\x01\x1ba\x01big\n"
        b"\x1d!\x00\x1bE\x00\x1ba\x00\x1dB\x01inv\x1dB\x00\n"
        b"\x1b!\x30esc\n\x1b!\x00\x1d!\x01tall\n"
    )
    big, inv, esc, tall = decode_escpos(data).lines
    assert big.style.is_double and big.style.bold and big.align == "center"
    assert inv.style.inverse and not inv.style.bold and inv.align == "left"
    assert esc.style.width == 2 and esc.style.height == 2
    assert (tall.style.width, tall.style.height) == (1, 2)


def test_mixed_styles_on_one_line_are_segments() -> None:
    line = decode_escpos(b"a\x1bE\x01b\x1bE\x00c\n").lines[0]
    assert line.text == "abc" and [s.style.bold for s in line.segments] == [False, True, False]


def test_qr_payload_and_cuts() -> None:
    qr = (
        b"\x1d(k\x04\x001A2\x00"
        b"\x1d(k\x03\x001C\x06"
        b"\x1d(k\x03\x001E1"
        b"\x1d(k\x0d\x001P0ord_123456"
        b"\x1d(k\x03\x001Q0"
    )
    ticket = decode_escpos(qr + b"\x1dVA\x03" + b"\x1dV\x01")
    assert ticket.elements[0] == DecodedQr("ord_123456", 6, 1)
    assert ticket.cuts == [DecodedCut(partial=False), DecodedCut(partial=True)]


def test_reset_status_queries_and_feed() -> None:
    ticket = decode_escpos(b"\x10\x04\x01lost\x1b@\x1bE\x01kept\x1bd\x02")
    assert ticket.status_queries == [1] and ticket.resets == 1
    assert ticket.text_lines == ["kept", ""]  # ESC d 2: the line, then one more
    assert ticket.lines[0].style.bold  # ESC @ reset everything before ESC E 1


def test_unknown_code_page_is_reported() -> None:
    ticket = decode_escpos(b"\x1bt\xfe\xe9\n")
    assert ticket.undecodable == 1 and ticket.text_lines == ["\ufffd"]


def test_raster_image_is_skipped() -> None:
    image = b"\x1dv0\x00\x01\x00\x02\x00" + b"\n\x1b"  # 1 byte wide, 2 rows of data
    ticket = decode_escpos(image + b"after\n")
    assert ticket.text_lines == ["after"]
