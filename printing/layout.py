"""Column layout helpers shared by the ticket builders.

Everything is laid out in character columns of the printer's font A, so the
same document prints and previews identically on 32, 42 or 48 columns. Text is
measured *as it will be encoded* on the paper's code page (`Paper.printable`):
stand-ins such as €→EUR or œ→oe are longer than the character they replace.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from .codepages import DEFAULT_CODE_PAGE, CodePage, printable_text, resolve_code_page
from .ticket import Align, Block, Rule, Size, Text, char_width

__all__ = [
    "TRUNCATED",
    "Paper",
    "banner",
    "boxed",
    "label_value",
    "priced_line",
    "text_lines",
    "wrap",
]

TRUNCATED = "[...]"  # ends a field cut by its printed-line cap


@dataclass(frozen=True, slots=True)
class Paper:
    """The printed area: columns of font A and the code page the text will be encoded in."""

    columns: int
    code_page: CodePage

    @classmethod
    def of(cls, columns: int, code_page: CodePage | str = DEFAULT_CODE_PAGE) -> Paper:
        cp = code_page if isinstance(code_page, CodePage) else resolve_code_page(code_page)
        return cls(columns, cp)

    def printable(self, text: str) -> str:
        return printable_text(text, self.code_page)

    def width(self, size: Size = Size.NORMAL) -> int:
        return self.columns // char_width(size)

    def text(
        self,
        text: str,
        *,
        bold: bool = False,
        size: Size = Size.NORMAL,
        inverse: bool = False,
        align: Align = Align.LEFT,
    ) -> Text:
        """One line from a short fixed text, cut to the paper if it ever were too long."""
        line = self.printable(text)[: self.width(size)]
        return Text(line, bold=bold, size=size, inverse=inverse, align=align)


def wrap(
    text: str, width: int, indent: str = "", hanging: int = 0, max_lines: int | None = None
) -> list[str]:
    """Wrap on words; a customer-typed newline starts a new line.

    `hanging` indents continuation lines, so a long item name does not read as a new item.
    `max_lines` caps what one field may print; a cut field ends with TRUNCATED.
    """
    width = max(width, len(indent) + hanging + 1)
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        lines.extend(
            textwrap.wrap(
                paragraph.strip(),
                width,
                initial_indent=indent,
                subsequent_indent=indent + " " * hanging,
                break_long_words=True,
                break_on_hyphens=False,
            )
            or [indent.rstrip()]
        )
        if max_lines is not None and len(lines) > max_lines:
            break
    if max_lines is not None and len(lines) > max_lines:
        last = lines[max_lines - 1][: max(0, width - len(TRUNCATED) - 1)].rstrip()
        lines = [*lines[: max_lines - 1], f"{last} {TRUNCATED}".rstrip()[:width]]
    return lines


def text_lines(
    text: str,
    paper: Paper,
    *,
    bold: bool = False,
    size: Size = Size.NORMAL,
    align: Align = Align.LEFT,
    indent: str = "",
    hanging: int = 0,
    max_lines: int | None = None,
) -> list[Block]:
    lines = wrap(paper.printable(text), paper.width(size), indent, hanging, max_lines)
    return [Text(line, bold=bold, size=size, align=align) for line in lines]


def banner(
    text: str, paper: Paper, *, size: Size = Size.NORMAL, max_lines: int | None = None
) -> list[Block]:
    """Inverse-video lines padded to full width, so the black band spans the paper."""
    width = paper.width(size)
    return [
        Text(line.center(width), bold=True, size=size, inverse=True)
        for line in wrap(paper.printable(text), width - 2, max_lines=max_lines)
    ]


def boxed(
    title: str, body: str, paper: Paper, *, size: Size = Size.NORMAL, max_lines: int | None = None
) -> list[Block]:
    """Inverse title band, then the body: what the kitchen must not miss (notes, allergens)."""
    return [
        *banner(title, paper, size=size),
        *text_lines(body, paper, bold=True, size=size, max_lines=max_lines),
        Rule(),
    ]


def priced_line(
    left: str,
    price: str,
    paper: Paper,
    *,
    bold: bool = False,
    size: Size = Size.NORMAL,
    hanging: int = 0,
    max_lines: int | None = None,
) -> list[Block]:
    """`2 × Croissant ....... 2,40 €`: price right-aligned on the first line."""
    width = paper.width(size)
    price = paper.printable(price)
    room = width - len(price) - 1
    if room < 8:  # absurdly narrow: price on its own line
        return [
            *text_lines(left, paper, bold=bold, size=size, hanging=hanging, max_lines=max_lines),
            Text(price.rjust(width)[-width:], bold=bold, size=size),
        ]
    first, *rest = wrap(paper.printable(left), room, hanging=hanging, max_lines=max_lines)
    return [
        Text(f"{first.ljust(room)} {price}", bold=bold, size=size),
        *(Text(line, bold=bold, size=size) for line in rest),
    ]


def label_value(
    label: str, value: str, paper: Paper, *, bold: bool = False, size: Size = Size.NORMAL,
    max_lines: int | None = None,
) -> list[Block]:
    """`Client : Zoé Lefèvre`, continuation lines aligned under the value."""
    head = paper.printable(f"{label} : ")
    width = paper.width(size)
    if len(head) > width // 2:
        return text_lines(f"{label} : {value}", paper, bold=bold, size=size, max_lines=max_lines)
    lines = wrap(paper.printable(value), width - len(head), max_lines=max_lines)
    return [
        Text((head if i == 0 else " " * len(head)) + line, bold=bold, size=size)
        for i, line in enumerate(lines)
    ]
