"""The ticket document: plain data between layout and output.

Builders (order, kitchen, Z report, test page) produce a `TicketDocument`;
`escpos_render` turns it into printer bytes and `preview` into a PNG. It is
stored as JSON in the print journal, so a reprint prints what was printed.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum
from typing import Any

__all__ = [
    "Align",
    "Block",
    "Cut",
    "Feed",
    "QrCode",
    "Rule",
    "Size",
    "Text",
    "TicketDocument",
    "char_width",
]


class Align(StrEnum):
    LEFT = "left"
    CENTER = "center"
    RIGHT = "right"


class Size(StrEnum):
    NORMAL = "normal"
    TALL = "tall"  # double height, keeps the column count
    DOUBLE = "double"  # double width and height: half the columns


def char_width(size: Size) -> int:
    """How many normal columns one character of `size` takes."""
    return 2 if size is Size.DOUBLE else 1


@dataclass(frozen=True, slots=True)
class Text:
    """One printed line; layout guarantees it fits the paper."""

    text: str
    bold: bool = False
    size: Size = Size.NORMAL
    inverse: bool = False
    align: Align = Align.LEFT


@dataclass(frozen=True, slots=True)
class Rule:
    char: str = "-"


@dataclass(frozen=True, slots=True)
class QrCode:
    data: str
    module_size: int = 6  # printer dots per QR module (1-16)


@dataclass(frozen=True, slots=True)
class Feed:
    lines: int = 1


@dataclass(frozen=True, slots=True)
class Cut:
    partial: bool = False


Block = Text | Rule | QrCode | Feed | Cut

_BLOCK_TYPES: dict[str, type] = {
    "text": Text,
    "rule": Rule,
    "qr": QrCode,
    "feed": Feed,
    "cut": Cut,
}
_TYPE_NAMES = {cls: name for name, cls in _BLOCK_TYPES.items()}


def _block_to_dict(block: Block) -> dict[str, Any]:
    return {"type": _TYPE_NAMES[type(block)], **asdict(block)}


def _block_from_dict(data: dict[str, Any]) -> Block:
    fields = dict(data)
    cls = _BLOCK_TYPES[fields.pop("type")]
    if cls is Text:
        fields["size"] = Size(fields.get("size", Size.NORMAL))
        fields["align"] = Align(fields.get("align", Align.LEFT))
    return cls(**fields)


@dataclass(slots=True)
class TicketDocument:
    kind: str  # 'order', 'kitchen', 'test', 'z_report'
    columns: int
    blocks: list[Block] = field(default_factory=list)
    order_id: str | None = None
    title: str = ""  # what the shopkeeper sees in the print journal

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "columns": self.columns,
            "order_id": self.order_id,
            "title": self.title,
            "blocks": [_block_to_dict(b) for b in self.blocks],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TicketDocument:
        return cls(
            kind=data["kind"],
            columns=int(data["columns"]),
            blocks=[_block_from_dict(b) for b in data["blocks"]],
            order_id=data.get("order_id"),
            title=data.get("title", ""),
        )

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> TicketDocument:
        return cls.from_dict(json.loads(text))

    def with_banner(self, text: str, note: str = "") -> TicketDocument:
        """A copy headed by an inverse banner, e.g. DUPLICATA on reprints, and an optional
        centred note under it. A document already headed by that banner is kept as is."""
        banner = Text(text.center(self.columns), bold=True, inverse=True)
        if self.blocks and self.blocks[0] == banner:
            return replace(self, blocks=list(self.blocks))
        head: list[Block] = [banner]
        if note:
            head.append(Text(note[: self.columns], bold=True, align=Align.CENTER))
        return replace(self, blocks=[*head, *self.blocks])

    def texts(self) -> list[str]:
        return [b.text for b in self.blocks if isinstance(b, Text)]
