"""Code page table and encoding: French text must come out right, never raise."""

from __future__ import annotations

import pytest
from escpos.capabilities import get_profile

from printing.codepages import (
    CODE_PAGES,
    UnknownCodePageError,
    encode_text,
    resolve_code_page,
)


def test_table_numbers_match_python_escpos_default_profile() -> None:
    profile_numbers = {name: int(n) for n, name in get_profile("default").codePages.items()}
    for name in ("CP437", "CP850", "CP858", "CP1252"):
        assert CODE_PAGES[name].esc_t == profile_numbers[name]
    assert CODE_PAGES["CP858"].esc_t == 19
    assert CODE_PAGES["CP1252"].esc_t == 16


def test_cp858_encodes_french_accents_and_euro_natively() -> None:
    encoded = encode_text("é è ê à ç ô ù €", "CP858")
    assert encoded == b"\x82 \x8a \x88 \x85 \x87 \x93 \x97 \xd5"
    assert encoded.decode("cp858") == "é è ê à ç ô ù €"


def test_missing_characters_get_legible_stand_ins() -> None:
    assert encode_text("œuf – c’est — ok…", "CP858") == b"oeuf - c'est - ok..."
    assert encode_text("Œ", "CP850") == b"OE"
    assert encode_text("12 €", "CP437") == b"12 EUR"
    # CP437 lacks È and À: the accent goes, the letter stays.
    assert encode_text("ÈÀ", "CP437") == b"EA"


def test_unknown_characters_become_question_marks_without_raising() -> None:
    assert encode_text("漢🙂", "CP858") == b"??"
    every_char = "".join(chr(c) for c in range(0x20, 0x3000) if not 0xD800 <= c < 0xE000)
    for name in ("CP437", "CP850", "CP858", "CP1252"):
        out = encode_text(every_char, name)
        assert all(b >= 0x20 for b in out)  # no control byte slipped through
        out.decode(CODE_PAGES[name].codec)  # every byte is a character of that page


def test_cp1252_keeps_typographic_characters() -> None:
    assert encode_text("œ ’ – — €", "CP1252").decode("cp1252") == "œ ’ – — €"


def test_control_characters_cannot_reach_the_printer() -> None:
    # A customer note must not be able to cut paper or open a cash drawer.
    assert encode_text("a\x1bp\x00b\x1dV\x00c\n", "CP858") == b"a p b V c "


def test_unknown_code_page_is_a_clear_error() -> None:
    with pytest.raises(UnknownCodePageError, match="CP858"):
        resolve_code_page("UTF-8")


def test_aliases_and_case() -> None:
    assert resolve_code_page("cp858") is CODE_PAGES["CP858"]
    assert resolve_code_page("iso-8859-15").codec == "iso8859_15"
