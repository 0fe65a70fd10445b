"""Ticket document → PNG preview, drawn as the printer would draw it.

One character cell is 12 × 24 dots like the printers' font A; double width or
height is pixel doubling, as on the printer. Text goes through the printer's
code page first, so the preview shows "oe" where the paper will show "oe".
"""

from __future__ import annotations

import importlib.resources
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import qrcode
from PIL import Image, ImageDraw, ImageFont

from .codepages import DEFAULT_CODE_PAGE, encode_text, resolve_code_page
from .escpos_render import fit_encoded
from .ticket import Align, Cut, Feed, QrCode, Rule, Size, Text, TicketDocument

__all__ = ["find_monospace_font", "render_preview"]

_FONT_CANDIDATES = {
    False: (
        "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf",
        "/usr/share/fonts/dejavu/DejaVuSansMono.ttf",
        "/usr/share/fonts/TTF/DejaVuSansMono.ttf",
        "/Library/Fonts/Menlo.ttc",
        "/System/Library/Fonts/Menlo.ttc",
        "C:/Windows/Fonts/consola.ttf",
    ),
    True: (
        "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf",
        "/usr/share/fonts/dejavu/DejaVuSansMono-Bold.ttf",
        "/usr/share/fonts/TTF/DejaVuSansMono-Bold.ttf",
        "C:/Windows/Fonts/consolab.ttf",
    ),
}
_SIZE_FACTORS = {Size.NORMAL: (1, 1), Size.TALL: (1, 2), Size.DOUBLE: (2, 2)}
_MARGIN = 12
_Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


def _bundled_font() -> str | None:
    """python-barcode, a python-escpos dependency, ships DejaVu Sans Mono."""
    try:
        path = importlib.resources.files("barcode") / "fonts" / "DejaVuSansMono.ttf"
    except ModuleNotFoundError:
        return None
    return str(path) if path.is_file() else None


def find_monospace_font(bold: bool = False) -> str | None:
    for path in _FONT_CANDIDATES[bold] + (_FONT_CANDIDATES[False] if bold else ()):
        if Path(path).is_file():
            return path
    return _bundled_font()


@dataclass(frozen=True)
class _Face:
    font: _Font
    fake_bold: bool  # only a regular face was found: overstrike by one dot, as printers do
    has_accents: bool  # Pillow's built-in font lacks them: draw the bare letter instead


@lru_cache(maxsize=8)
def _face(bold: bool, cell_width: float, cell_height: int) -> _Face:
    """The largest font whose glyphs fit a cell; Pillow's own font if no TTF is found."""
    path = find_monospace_font(bold)
    fake_bold = bold and (path is None or "bold" not in Path(path).name.lower())
    size = cell_height
    while size > 6:
        font: _Font = ImageFont.truetype(path, size) if path else ImageFont.load_default(size=size)
        widest = max(font.getbbox(ch)[2] for ch in "W€@M")
        if widest <= cell_width and font.getbbox("ÉgÀ")[3] <= cell_height:
            return _Face(font, fake_bold, has_accents=path is not None)
        size -= 1
    return _Face(ImageFont.load_default(), fake_bold, has_accents=False)


def _bare(ch: str) -> str:
    """One ASCII character standing for `ch` (é → e, € → E) for a font without accents."""
    base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    if base.isascii():
        return base or "?"
    return encode_text(base, "CP437")[:1].decode("ascii", errors="replace").replace("\ufffd", "?")


class _Sheet:
    def __init__(self, dots_width: int, columns: int, code_page: str) -> None:
        self.width = dots_width
        self.columns = columns
        self.cell_w = dots_width / columns
        self.cell_h = round(self.cell_w * 2)
        self.code_page = resolve_code_page(code_page)
        self.strips: list[tuple[Image.Image, int]] = []  # (image, x offset)

    def text(self, block: Text) -> None:
        wf, hf = _SIZE_FACTORS[block.size]
        per_line = max(1, self.columns // wf)
        # What the renderer sends: padding squeezed, else split (escpos_render.fit_encoded).
        for part in fit_encoded(encode_text(block.text, self.code_page), per_line):
            self._line(part.decode(self.code_page.codec), block, wf, hf)

    def _line(self, text: str, block: Text, wf: int, hf: int) -> None:
        ink, paper = (255, 0) if block.inverse else (0, 255)
        if not text:
            self.blank(hf)
            return
        strip = Image.new("L", (max(1, round(len(text) * self.cell_w)), self.cell_h), paper)
        draw = ImageDraw.Draw(strip)
        face = _face(block.bold, self.cell_w, self.cell_h)
        baseline_pad = max(0, (self.cell_h - face.font.getbbox("ÉgÀ")[3]) // 2)
        for i, ch in enumerate(text):  # cell by cell: columns stay true with any font
            glyph = ch if face.has_accents else _bare(ch)
            x = round(i * self.cell_w)
            draw.text((x, baseline_pad), glyph, font=face.font, fill=ink)
            if face.fake_bold:
                draw.text((x + 1, baseline_pad), glyph, font=face.font, fill=ink)
        if (wf, hf) != (1, 1):
            strip = strip.resize((strip.width * wf, strip.height * hf), Image.Resampling.NEAREST)
        x = {
            Align.LEFT: 0,
            Align.CENTER: (self.width - strip.width) // 2,
            Align.RIGHT: self.width - strip.width,
        }[block.align]
        self.strips.append((strip, max(0, x)))

    def qr(self, block: QrCode) -> None:
        code = qrcode.QRCode(
            box_size=block.module_size, border=0, error_correction=qrcode.constants.ERROR_CORRECT_M
        )
        code.add_data(block.data)
        code.make(fit=True)
        image = code.make_image(fill_color="black", back_color="white").get_image().convert("L")
        self.strips.append((image, max(0, (self.width - image.width) // 2)))
        self.blank(1)

    def blank(self, lines: int) -> None:
        self.strips.append((Image.new("L", (1, self.cell_h * lines), 255), 0))

    def cut(self) -> None:
        self.blank(2)
        strip = Image.new("L", (self.width, 9), 255)
        draw = ImageDraw.Draw(strip)
        for x in range(0, self.width, 12):
            draw.line((x, 4, x + 6, 4), fill=96, width=1)
        self.strips.append((strip, 0))

    def compose(self) -> Image.Image:
        height = sum(s.height for s, _ in self.strips) + 2 * _MARGIN
        sheet = Image.new("L", (self.width, height), 255)
        y = _MARGIN
        for strip, x in self.strips:
            sheet.paste(strip, (x, y))
            y += strip.height
        return sheet


def render_preview(
    document: TicketDocument,
    path: str | Path | None = None,
    *,
    dots_width: int | None = None,
    code_page: str = DEFAULT_CODE_PAGE,
) -> Image.Image:
    """Draw `document`; 384 dots wide for 58 mm paper (≤ 32 columns), else 576 (80 mm)."""
    width = dots_width or (384 if document.columns <= 32 else 576)
    sheet = _Sheet(width, document.columns, code_page)
    for block in document.blocks:
        if isinstance(block, Text):
            sheet.text(block)
        elif isinstance(block, Rule):
            sheet.text(Text((block.char or "-")[0] * document.columns))
        elif isinstance(block, QrCode):
            sheet.qr(block)
        elif isinstance(block, Feed):
            sheet.blank(block.lines)
        elif isinstance(block, Cut):
            sheet.cut()
    image = sheet.compose()
    if path is not None:
        image.save(path, format="PNG")
    return image
