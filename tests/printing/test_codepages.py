"""Code page table and encoding: French text must come out right, never raise."""

from __future__ import annotations

import pytest
from escpos.capabilities import get_profile

from printing.codepages import (
    CODE_PAGES,
    CodePage,
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


# An independent reference, typed here and not read from CODE_PAGES (issue 11.3): Python's
# own codecs for the byte tables, python-escpos' capability profiles for the ESC t numbers.
REFERENCE_CODECS = {
    "CP437": "cp437",
    "CP850": "cp850",
    "CP858": "cp858",
    "CP1252": "cp1252",
    "ISO_8859-15": "iso8859-15",
}
EPSON_PROFILES = ("default", "TM-T88V", "TM-T20II")


def _table_mismatches(code_page: object, reference_codec: str) -> list[str]:
    """Every printable character of the reference code page must encode to its own byte."""
    import unicodedata

    wrong = []
    for byte in range(0x80, 0x100):
        try:
            char = bytes([byte]).decode(reference_codec)
        except UnicodeDecodeError:
            continue  # unassigned in the reference (e.g. 0x81 in cp1252)
        if unicodedata.category(char).startswith("C"):
            continue  # C1 controls: never meant to print
        got = encode_text(char, code_page)  # type: ignore[arg-type]
        if got != bytes([byte]):
            wrong.append(f"{char!r}: {got!r} instead of {bytes([byte])!r}")
    return wrong


@pytest.mark.parametrize("name", sorted(REFERENCE_CODECS))
def test_encoder_table_matches_pythons_codecs_byte_for_byte(name: str) -> None:
    assert _table_mismatches(CODE_PAGES[name], REFERENCE_CODECS[name]) == []


@pytest.mark.parametrize("name", sorted(REFERENCE_CODECS))
@pytest.mark.parametrize("profile", EPSON_PROFILES)
def test_esc_t_numbers_match_python_escpos_profiles(name: str, profile: str) -> None:
    numbers = [int(n) for n, label in get_profile(profile).codePages.items() if label == name]
    assert CODE_PAGES[name].esc_t in numbers
    assert resolve_code_page(name, profile).esc_t == CODE_PAGES[name].esc_t


def test_the_reference_check_catches_a_wrong_table_entry() -> None:
    """CP858 is CP850 with € at 0xD5: a table that used cp850 for it must be caught."""
    wrong = CodePage("CP858", 19, "cp850")
    mismatches = _table_mismatches(wrong, "cp858")
    assert mismatches and any("€" in m for m in mismatches)


def test_decoder_does_not_trust_the_encoders_table(monkeypatch: pytest.MonkeyPatch) -> None:
    """A wrong ESC t number in the encoder's table (CP850 sent as 19, which printers read
    as CP858) must show as wrong text: a decoder sharing the table would read it back fine."""
    import printing.codepages as codepages
    from printing.escpos_decode import decode_escpos
    from printing.escpos_render import render_escpos
    from printing.ticket import Text, TicketDocument

    document = TicketDocument("test", 32, [Text("Yıldız Léonie")])  # ı is 0xD5 in CP850
    right = decode_escpos(render_escpos(document, "CP850"))
    assert right.text_lines[0] == "Yıldız Léonie"
    monkeypatch.setitem(codepages.CODE_PAGES, "CP850", CodePage("CP850", 19, "cp850"))
    codepages.resolve_code_page.cache_clear()
    try:
        wrong = decode_escpos(render_escpos(document, "CP850"))
        assert wrong.text_lines[0] == "Y€ld€z Léonie"  # what a CP858 printer prints
    finally:
        codepages.resolve_code_page.cache_clear()
