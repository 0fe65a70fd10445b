"""Printer code pages: which `ESC t n` selects them and how text is encoded.

We do the encoding ourselves instead of python-escpos' MagicEncode: in AUTO
mode it hops between code pages per character (CP437, then ISO-8859-7 for €,
CP1252 for œ...) which many cheap printers do not have, and in forced mode it
prints '?' for œ, ’ or –. Here a ticket selects one code page once and every
character either exists in it or gets a legible ASCII stand-in.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from escpos.capabilities import get_profile

__all__ = [
    "CODE_PAGES",
    "DEFAULT_CODE_PAGE",
    "CodePage",
    "UnknownCodePageError",
    "code_page_by_number",
    "encode_text",
    "printable_text",
    "resolve_code_page",
    "sanitize_text",
]

DEFAULT_CODE_PAGE = "CP858"


@dataclass(frozen=True, slots=True)
class CodePage:
    name: str
    esc_t: int  # the n of `ESC t n` (Epson numbering)
    codec: str  # python codec with the same 128-255 table


# Epson numbering (TM-T20/T88 manuals); python-escpos' default profile agrees.
CODE_PAGES: dict[str, CodePage] = {
    cp.name: cp
    for cp in (
        CodePage("CP437", 0, "cp437"),
        CodePage("CP850", 2, "cp850"),
        CodePage("CP860", 3, "cp860"),
        CodePage("CP863", 4, "cp863"),
        CodePage("CP865", 5, "cp865"),
        CodePage("CP1252", 16, "cp1252"),
        CodePage("CP858", 19, "cp858"),
        CodePage("ISO_8859-15", 40, "iso8859_15"),
    )
}


class UnknownCodePageError(ValueError):
    pass


# Stand-ins for characters a code page lacks; tried before stripping accents.
_FALLBACKS: dict[str, str] = {
    "œ": "oe",
    "Œ": "OE",
    "æ": "ae",
    "Æ": "AE",
    "’": "'",
    "‘": "'",
    "‚": ",",
    "“": '"',
    "”": '"',
    "„": '"',
    "«": '"',
    "»": '"',
    "–": "-",
    "—": "-",
    "‑": "-",
    "−": "-",
    "…": "...",
    "€": "EUR",
    "×": "x",
    "•": "*",
    "·": ".",
    "°": "o",
    "\u00a0": " ",  # no-break space (French typography before : ; ! ?)
    "\u202f": " ",  # narrow no-break space (Python's fr_FR money format)
    "\u2009": " ",
    "✓": "v",
}


def code_page_by_number(esc_t: int) -> CodePage | None:
    """The code page a printer switches to on `ESC t esc_t`, if we know it."""
    for cp in CODE_PAGES.values():
        if cp.esc_t == esc_t:
            return cp
    return None


@lru_cache(maxsize=32)
def resolve_code_page(name: str, profile: str | None = None) -> CodePage:
    """Our table entry for `name`, numbered as the printer profile numbers it.

    The explicit table wins; a python-escpos profile is only consulted when it
    lists the code page under other numbers only (a non-Epson numbering).
    """
    key = name.strip().upper().replace("-", "_") if name else DEFAULT_CODE_PAGE
    key = {"ISO_8859_15": "ISO_8859-15"}.get(key, key)
    cp = CODE_PAGES.get(key)
    if cp is None:
        raise UnknownCodePageError(
            f"unknown code page {name!r}; choose one of {', '.join(sorted(CODE_PAGES))}"
        )
    if profile and profile != "default":
        try:
            table = get_profile(profile).codePages
        except KeyError:
            raise UnknownCodePageError(f"unknown printer profile {profile!r}") from None
        numbers = [int(n) for n, label in table.items() if label == key]
        if numbers and cp.esc_t not in numbers:
            return CodePage(cp.name, min(numbers), cp.codec)
    return cp


def sanitize_text(text: str) -> str:
    """Drop control characters: a customer note must not smuggle printer commands."""
    return "".join(ch if ch >= " " and ch != "\x7f" else " " for ch in text)


@lru_cache(maxsize=4096)
def _encode_char(ch: str, codec: str) -> bytes:
    try:
        return ch.encode(codec)
    except UnicodeEncodeError:
        pass
    fallback = _FALLBACKS.get(ch)
    if fallback is not None:
        return b"".join(_encode_char(c, codec) for c in fallback)
    stripped = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    if stripped and stripped != ch:
        try:
            return stripped.encode(codec)
        except UnicodeEncodeError:
            pass
    return b"?"


def encode_text(text: str, code_page: CodePage | str) -> bytes:
    """Encode for the printer; never raises, never emits UTF-8 multi-byte sequences."""
    cp = code_page if isinstance(code_page, CodePage) else resolve_code_page(code_page)
    text = sanitize_text(text)
    try:
        return text.encode(cp.codec)
    except UnicodeEncodeError:
        return b"".join(_encode_char(ch, cp.codec) for ch in text)


def printable_text(text: str, code_page: CodePage | str) -> str:
    """`text` as the printer will show it on `code_page` (€→EUR on CP437, œ→oe…), line
    breaks kept: what the layout must measure, since stand-ins change the length."""
    cp = code_page if isinstance(code_page, CodePage) else resolve_code_page(code_page)
    return "\n".join(encode_text(line, cp).decode(cp.codec) for line in text.splitlines())
