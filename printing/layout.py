"""Column layout helpers shared by the ticket builders.

Everything is laid out in character columns of the printer's font A, so the
same document prints and previews identically on 32, 42 or 48 columns.
"""

from __future__ import annotations

import textwrap

from .ticket import Align, Block, Rule, Size, Text, char_width

__all__ = [
    "banner",
    "boxed",
    "label_value",
    "priced_line",
    "text_lines",
    "wrap",
]


def wrap(text: str, width: int, indent: str = "", hanging: int = 0) -> list[str]:
    """Wrap on words; a customer-typed newline starts a new line.

    `hanging` indents continuation lines, so a long item name does not read as a new item.
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
    return lines


def text_lines(
    text: str,
    columns: int,
    *,
    bold: bool = False,
    size: Size = Size.NORMAL,
    align: Align = Align.LEFT,
    indent: str = "",
    hanging: int = 0,
) -> list[Block]:
    width = columns // char_width(size)
    return [
        Text(line, bold=bold, size=size, align=align) for line in wrap(text, width, indent, hanging)
    ]


def banner(text: str, columns: int, *, size: Size = Size.NORMAL) -> list[Block]:
    """Inverse-video lines padded to full width, so the black band spans the paper."""
    width = columns // char_width(size)
    return [
        Text(line.center(width), bold=True, size=size, inverse=True)
        for line in wrap(text, width - 2)
    ]


def boxed(title: str, body: str, columns: int) -> list[Block]:
    """Inverse title band, then the body: what the kitchen must not miss (notes, allergens)."""
    return [*banner(title, columns), *text_lines(body, columns, bold=True), Rule()]


def priced_line(
    left: str,
    price: str,
    columns: int,
    *,
    bold: bool = False,
    size: Size = Size.NORMAL,
    hanging: int = 0,
) -> list[Block]:
    """`2 × Croissant ....... 2,40 €`: price right-aligned on the first line."""
    width = columns // char_width(size)
    room = width - len(price) - 1
    if room < 8:  # absurdly narrow: price on its own line
        return [
            *text_lines(left, columns, bold=bold, size=size, hanging=hanging),
            Text(price.rjust(width), bold=bold, size=size),
        ]
    first, *rest = wrap(left, room, hanging=hanging)
    return [
        Text(f"{first.ljust(room)} {price}", bold=bold, size=size),
        *(Text(line, bold=bold, size=size) for line in rest),
    ]


def label_value(label: str, value: str, columns: int, *, bold: bool = False) -> list[Block]:
    """`Client : Zoé Lefèvre`, continuation lines aligned under the value."""
    head = f"{label} : "
    if len(head) > columns // 2:
        return text_lines(f"{head}{value}", columns, bold=bold)
    lines = wrap(value, columns - len(head))
    return [
        Text((head if i == 0 else " " * len(head)) + line, bold=bold)
        for i, line in enumerate(lines)
    ]
