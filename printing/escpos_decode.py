"""Decode ESC/POS bytes the way a printer reads them, to test what really gets printed.

Follows `ESC t n` code page switches (text bytes are decoded through the code
page selected at that point, as a printer would), `GS !` / `ESC !` sizes,
`ESC E` bold, `GS B` inverse, `ESC a` alignment, QR codes (`GS ( k`), cuts
(`GS V`) and skips the other common commands by their known length.

Independent of the encoder on purpose: the `ESC t n` numbers come from
python-escpos' printer capability profiles and the byte tables from Python's own
codecs, never from `codepages.CODE_PAGES`, so a wrong entry in the encoder's table
shows up as wrong text here instead of passing every test.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field, replace
from functools import lru_cache

from escpos.capabilities import get_profile

__all__ = [
    "DecodedCut",
    "DecodedLine",
    "DecodedQr",
    "DecodedTicket",
    "Segment",
    "TextStyle",
    "codec_for",
    "decode_escpos",
]

ESC, GS, DLE, FS, LF = 0x1B, 0x1D, 0x10, 0x1C, 0x0A
_ALIGNS = {0: "left", 1: "center", 2: "right", 48: "left", 49: "center", 50: "right"}
_PARTIAL_CUTS = {1, 49, 66, 98, 104}


@dataclass(frozen=True, slots=True)
class TextStyle:
    bold: bool = False
    width: int = 1  # character width multiplier
    height: int = 1
    inverse: bool = False
    underline: int = 0

    @property
    def is_double(self) -> bool:
        return self.width >= 2 and self.height >= 2


@dataclass(slots=True)
class Segment:
    text: str
    style: TextStyle


@dataclass(slots=True)
class DecodedLine:
    segments: list[Segment] = field(default_factory=list)
    align: str = "left"
    code_page: int | None = None  # `ESC t` number in force when the line printed

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.segments)

    @property
    def style(self) -> TextStyle:
        """The style of the first visible characters."""
        for segment in self.segments:
            if segment.text.strip():
                return segment.style
        return self.segments[0].style if self.segments else TextStyle()


@dataclass(frozen=True, slots=True)
class DecodedQr:
    payload: str
    module_size: int | None
    error_level: int | None


@dataclass(frozen=True, slots=True)
class DecodedCut:
    partial: bool


Element = DecodedLine | DecodedQr | DecodedCut


@dataclass(slots=True)
class DecodedTicket:
    elements: list[Element] = field(default_factory=list)
    code_page_switches: list[int] = field(default_factory=list)
    status_queries: list[int] = field(default_factory=list)  # n of each DLE EOT n
    resets: int = 0
    undecodable: int = 0  # bytes with no code page to decode them
    unknown_commands: list[str] = field(default_factory=list)

    @property
    def lines(self) -> list[DecodedLine]:
        return [e for e in self.elements if isinstance(e, DecodedLine)]

    @property
    def text_lines(self) -> list[str]:
        return [line.text for line in self.lines]

    @property
    def qr_payloads(self) -> list[str]:
        return [e.payload for e in self.elements if isinstance(e, DecodedQr)]

    @property
    def cuts(self) -> list[DecodedCut]:
        return [e for e in self.elements if isinstance(e, DecodedCut)]

    def find(self, needle: str) -> DecodedLine | None:
        return next((line for line in self.lines if needle in line.text), None)


@lru_cache(maxsize=256)
def codec_for(esc_t: int, profile: str = "default") -> str | None:
    """The Python codec of the code page `ESC t esc_t` selects on `profile`'s printers,
    per python-escpos' capability data; None when unknown or without a Python codec."""
    name = get_profile(profile).codePages.get(str(esc_t))
    if not name or name == "Unknown":
        return None
    try:
        return codecs.lookup(name.lower().replace("_", "-")).name
    except LookupError:
        return None


class _Decoder:
    def __init__(self, data: bytes, profile: str = "default") -> None:
        self.data = data
        self.profile = profile
        self.pos = 0
        self.out = DecodedTicket()
        self._reset_state()
        self.current = DecodedLine()
        self.qr_store = b""
        self.qr_size: int | None = None
        self.qr_ec: int | None = None

    def _reset_state(self) -> None:
        self.style = TextStyle()
        self.align = "left"
        self.code_page = 0  # printers power up in CP437 (n = 0)

    # -- helpers -------------------------------------------------------
    def take(self, n: int) -> bytes:
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk

    def arg(self) -> int:
        chunk = self.take(1)
        return chunk[0] if chunk else 0

    def set_style(self, **changes: object) -> None:
        self.style = replace(self.style, **changes)

    def add_text(self, text: str) -> None:
        line = self.current
        if not line.segments:
            line.align = self.align
        if line.segments and line.segments[-1].style == self.style:
            line.segments[-1].text += text
        else:
            line.segments.append(Segment(text, self.style))

    def flush(self, force: bool = True) -> None:
        if self.current.segments or force:
            self.current.code_page = self.code_page
            if not self.current.segments:
                self.current.align = self.align
            self.out.elements.append(self.current)
        self.current = DecodedLine()

    def decode_byte(self, byte: int) -> str:
        if byte < 0x80:
            return chr(byte)
        codec = codec_for(self.code_page, self.profile)
        if codec is None:
            self.out.undecodable += 1
            return "\ufffd"
        return bytes([byte]).decode(codec, errors="replace")

    # -- commands ------------------------------------------------------
    def esc(self) -> None:
        cmd = self.arg()
        c = chr(cmd)
        if c == "@":
            self.current = DecodedLine()  # ESC @ clears the print buffer
            self._reset_state()
            self.out.resets += 1
        elif c == "t":
            self.code_page = self.arg()
            self.out.code_page_switches.append(self.code_page)
        elif c == "E":
            self.set_style(bold=bool(self.arg() & 1))
        elif c == "-":
            self.set_style(underline=self.arg() % 48)
        elif c == "a":
            self.align = _ALIGNS.get(self.arg(), "left")
        elif c == "!":
            mode = self.arg()
            self.set_style(
                bold=bool(mode & 0x08),
                height=2 if mode & 0x10 else 1,
                width=2 if mode & 0x20 else 1,
                underline=1 if mode & 0x80 else 0,
            )
        elif c == "d":
            lines = self.arg()
            if self.current.segments:
                self.flush()
                lines -= 1
            for _ in range(max(0, lines)):
                self.flush()
        elif c == "J":
            self.arg()
            self.flush(force=False)
        elif c in "GMR{V3 U r":
            self.arg()
        elif c == "2":
            pass
        elif c == "p":  # cash drawer pulse: m t1 t2
            self.take(3)
            self.out.unknown_commands.append("ESC p (drawer kick)")
        elif c in "im":  # obsolete cut commands
            self.flush(force=False)
            self.out.elements.append(DecodedCut(partial=True))
        elif c == "c":
            self.take(2)
        else:
            self.out.unknown_commands.append(f"ESC {cmd:#04x}")

    def gs(self) -> None:
        cmd = self.arg()
        c = chr(cmd)
        if c == "!":
            n = self.arg()
            self.set_style(width=(n >> 4) + 1, height=(n & 0x0F) + 1)
        elif c == "B":
            self.set_style(inverse=bool(self.arg() & 1))
        elif c == "V":
            self.gs_cut()
        elif c == "(":
            self.gs_paren()
        elif c == "v":  # raster image: GS v 0 m xL xH yL yH data
            head = self.take(6)
            if len(head) == 6:
                self.take((head[2] + head[3] * 256) * (head[4] + head[5] * 256))
            self.out.unknown_commands.append("GS v 0 (raster image)")
        elif c in "bBHhwfa|rIT":
            self.arg()
        elif c in "LWP":
            self.take(2)
        elif c == "k":
            self.gs_barcode()
        else:
            self.out.unknown_commands.append(f"GS {cmd:#04x}")

    def gs_cut(self) -> None:
        m = self.arg()
        if m in (65, 66, 97, 98, 103, 104):
            self.arg()  # feed amount
        self.flush(force=False)
        self.out.elements.append(DecodedCut(partial=m in _PARTIAL_CUTS))

    def gs_paren(self) -> None:
        fn_letter = chr(self.arg())
        size = self.take(2)
        length = size[0] + size[1] * 256 if len(size) == 2 else 0
        body = self.take(length)
        if fn_letter != "k" or len(body) < 2 or body[0] != 49:  # 49: QR code
            if fn_letter == "k":
                self.out.unknown_commands.append("GS ( k (2D code other than QR)")
            return
        fn = body[1]
        if fn == 67:
            self.qr_size = body[2] if len(body) > 2 else None
        elif fn == 69:
            self.qr_ec = body[2] - 48 if len(body) > 2 else None
        elif fn == 80:
            self.qr_store = body[3:]  # after cn, fn, m='0'
        elif fn == 81:
            self.flush(force=False)
            self.out.elements.append(
                DecodedQr(self.qr_store.decode("utf-8", "replace"), self.qr_size, self.qr_ec)
            )

    def gs_barcode(self) -> None:
        m = self.arg()
        if m <= 6:
            end = self.data.find(b"\x00", self.pos)
            self.pos = len(self.data) if end < 0 else end + 1
        else:
            self.take(self.arg())
        self.out.unknown_commands.append("GS k (barcode)")

    def dle(self) -> None:
        cmd = self.arg()
        if cmd == 0x04:
            self.out.status_queries.append(self.arg())
        elif cmd == 0x05:
            self.arg()
        elif cmd == 0x14:
            self.take(3)
        else:
            self.out.unknown_commands.append(f"DLE {cmd:#04x}")

    def run(self) -> DecodedTicket:
        data = self.data
        while self.pos < len(data):
            byte = data[self.pos]
            self.pos += 1
            if byte == LF:
                self.flush()
            elif byte == ESC:
                self.esc()
            elif byte == GS:
                self.gs()
            elif byte == DLE:
                self.dle()
            elif byte == FS:
                self.arg()  # FS . / FS & (Kanji mode) and friends
            elif byte >= 0x20:
                self.add_text(self.decode_byte(byte))
        self.flush(force=False)  # text without LF stays in the buffer; show it anyway
        return self.out


def decode_escpos(data: bytes, profile: str = "default") -> DecodedTicket:
    return _Decoder(data, profile).run()
