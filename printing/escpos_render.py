"""Ticket document → ESC/POS bytes, through python-escpos' command builders.

Styles, QR codes and cuts come from python-escpos (on its `Dummy` printer,
which only collects bytes). Text does not go through `Escpos.text()`: its
MagicEncode switches code pages behind our back (see codepages.py), so we
select the configured code page once with `ESC t n` and write text we encoded
ourselves with `_raw`.
"""

from __future__ import annotations

import re

from escpos.constants import CODEPAGE_CHANGE, HW_INIT, QR_ECLEVEL_M
from escpos.printer import Dummy

from .codepages import DEFAULT_CODE_PAGE, CodePage, encode_text, resolve_code_page
from .ticket import Align, Cut, Feed, QrCode, Rule, Size, Text, TicketDocument

__all__ = ["fit_encoded", "render_escpos"]

_SIZE_FACTORS = {Size.NORMAL: (1, 1), Size.TALL: (1, 2), Size.DOUBLE: (2, 2)}
_Style = tuple[Align, bool, bool, Size]  # align, bold, inverse, size


class _Writer:
    """Sends a style command only when the style changes: smaller, faster jobs."""

    def __init__(self, printer: Dummy, code_page: CodePage) -> None:
        self.printer = printer
        self.code_page = code_page
        self.style: _Style | None = None

    def set_style(self, style: _Style) -> None:
        if style == self.style:
            return
        align, bold, inverse, size = style
        width, height = _SIZE_FACTORS[size]
        # GS ! (custom size) rather than ESC !, which python-escpos uses for "double".
        self.printer.set(
            align=align.value,
            bold=bold,
            invert=inverse,
            custom_size=True,
            width=width,
            height=height,
        )
        self.style = style

    def line(self, text: str, style: _Style, columns: int) -> None:
        self.set_style(style)
        width = max(1, columns // _SIZE_FACTORS[style[3]][0])
        for part in fit_encoded(encode_text(text, self.code_page), width):
            self.printer._raw(part + b"\n")


def fit_encoded(line: bytes, width: int) -> list[bytes]:
    """A line that would overflow the paper once encoded (a document laid out for another
    code page: '€' became 'EUR'): first shorten its padding, else split it. The layout
    measures encoded text, so this only guards documents made elsewhere."""
    excess = len(line) - width
    if excess <= 0:
        return [line]
    runs = sorted(re.finditer(rb" {2,}", line), key=lambda m: len(m.group()), reverse=True)
    spare = sum(len(m.group()) - 1 for m in runs)
    if spare >= excess:
        cuts: dict[int, int] = {}
        for run in runs:
            take = min(excess, len(run.group()) - 1)
            cuts[run.start()] = take
            excess -= take
            if not excess:
                break
        out, pos = bytearray(), 0
        for start in sorted(cuts):
            out += line[pos:start]
            pos = start + cuts[start]
        return [bytes(out + line[pos:])]
    return [line[i : i + width] for i in range(0, len(line), width)]


_PLAIN: _Style = (Align.LEFT, False, False, Size.NORMAL)


def render_escpos(
    document: TicketDocument,
    code_page: str = DEFAULT_CODE_PAGE,
    profile: str = "default",
    copies: int = 1,
    columns: int | None = None,
) -> bytes:
    """The bytes of `copies` copies of `document`, each starting from a printer reset.

    ``columns``: the paper's, when known. A document laid out for wider paper (queued
    before the paper width changed) has its lines squeezed or split to fit it."""
    width = min(document.columns, columns) if columns else document.columns
    cp = resolve_code_page(code_page, profile)
    printer = Dummy(profile=profile)
    writer = _Writer(printer, cp)
    printer._raw(HW_INIT + CODEPAGE_CHANGE + bytes([cp.esc_t]))
    for block in document.blocks:
        if isinstance(block, Text):
            style = (block.align, block.bold, block.inverse, block.size)
            writer.line(block.text, style, width)
        elif isinstance(block, Rule):
            writer.line((block.char or "-")[0] * width, _PLAIN, width)
        elif isinstance(block, QrCode):
            writer.set_style((Align.CENTER, False, False, Size.NORMAL))
            printer.qr(block.data, native=True, size=block.module_size, ec=QR_ECLEVEL_M)
            printer._raw(b"\n")
        elif isinstance(block, Feed):
            printer.print_and_feed(max(1, min(block.lines, 255)))
        elif isinstance(block, Cut):
            writer.set_style(_PLAIN)
            printer.cut(mode="PART" if block.partial else "FULL")
    one_copy = printer.output
    return one_copy * max(1, copies)
