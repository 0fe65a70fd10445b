"""Printer settings as a plain dataclass (the app stores them as a dict)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from enum import StrEnum
from typing import Any

from .codepages import DEFAULT_CODE_PAGE, resolve_code_page

__all__ = ["PAPER_COLUMNS", "PrintMoment", "PrinterConfig", "PrinterKind"]


class PrinterKind(StrEnum):
    NETWORK = "network"  # raw TCP, usually port 9100
    USB = "usb"
    SERIAL = "serial"
    FILE = "file"  # appends to a file or writes to a device node (/dev/usb/lp0)
    SPOOLER = "spooler"  # CUPS / lp on Linux and macOS, Win32 spooler on Windows


class PrintMoment(StrEnum):
    """When an order's ticket prints by itself (with ``auto_print``)."""

    ARRIVAL = "arrival"  # as soon as the order reaches the counter
    # Once the marketplace confirmed the acceptance: the ticket carries the ready-by time,
    # and an order refused (by the shop or on timeout) never prints.
    ACCEPTANCE = "acceptance"


# Font A columns: 58 mm paper prints 384 dots (32 × 12), 80 mm prints 576 (48 × 12).
PAPER_COLUMNS: dict[int, tuple[int, ...]] = {58: (32,), 80: (48, 42)}
_DOTS = {58: 384, 80: 576}


@dataclass(frozen=True, slots=True)
class PrinterConfig:
    kind: PrinterKind = PrinterKind.NETWORK
    address: str = ""  # host (network), device (serial), path (file), queue name (spooler)
    port: int = 9100
    usb_vendor_id: int | None = None
    usb_product_id: int | None = None
    baudrate: int = 19200
    paper_width_mm: int = 80
    columns: int | None = None  # None: the usual count for the paper width
    code_page: str = DEFAULT_CODE_PAGE
    profile: str = "default"  # python-escpos printer profile
    copies: int = 1
    auto_print: bool = True
    print_on: PrintMoment = PrintMoment.ACCEPTANCE
    kitchen_copy: bool = False
    timeout_s: float = 5.0  # connect / write; a dead printer must not hang the queue
    status_timeout_s: float = 0.5  # printers that never answer status queries cost this

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", PrinterKind(self.kind))
        object.__setattr__(self, "print_on", PrintMoment(self.print_on))
        if self.paper_width_mm not in PAPER_COLUMNS:
            raise ValueError(f"paper width must be 58 or 80 mm, not {self.paper_width_mm}")
        if self.columns is not None and not 16 <= self.columns <= 64:
            raise ValueError(f"columns must be between 16 and 64, not {self.columns}")
        if self.copies < 1:
            raise ValueError("copies must be at least 1")
        resolve_code_page(self.code_page, self.profile)  # fail early on a typo

    @property
    def line_columns(self) -> int:
        return self.columns or PAPER_COLUMNS[self.paper_width_mm][0]

    @property
    def dots_width(self) -> int:
        return _DOTS[self.paper_width_mm]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["kind"] = self.kind.value
        data["print_on"] = self.print_on.value
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PrinterConfig:
        """Unknown keys are ignored so older settings files keep loading."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})

    def with_changes(self, **changes: Any) -> PrinterConfig:
        return replace(self, **changes)
