"""Printer state as the shopkeeper sees it, and how to read it from DLE EOT answers."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

__all__ = [
    "PrinterState",
    "PrinterStatus",
    "STATUS_QUERIES",
    "state_from_status_bytes",
]


class PrinterState(Enum):
    READY = ("ready", "Imprimante prête", "Printer ready")
    OFFLINE = (
        "offline",
        "Imprimante injoignable : vérifiez qu’elle est allumée et branchée",
        "Printer unreachable: check it is switched on and connected",
    )
    PAPER_OUT = (
        "paper_out",
        "Plus de papier : remettez un rouleau",
        "Out of paper: load a new roll",
    )
    COVER_OPEN = (
        "cover_open",
        "Capot de l’imprimante ouvert : refermez-le",
        "Printer cover open: close it",
    )
    ERROR = (
        "error",
        "Erreur d’imprimante : voir le détail",
        "Printer error: see details",
    )

    def __init__(self, code: str, message_fr: str, message_en: str) -> None:
        self.code = code
        self.message_fr = message_fr
        self.message_en = message_en

    def __repr__(self) -> str:
        return f"<PrinterState.{self.name}>"

    @property
    def is_ready(self) -> bool:
        return self is PrinterState.READY


@dataclass(frozen=True, slots=True)
class PrinterStatus:
    """What `on_status` receives: the state plus the technical detail, if any."""

    state: PrinterState
    detail: str = ""  # technical, in English: for the log, not for the shopkeeper
    queued_jobs: int = 0
    cause: str = ""  # printing.errors' ``cause`` when a job failed: what to advise

    @property
    def message_fr(self) -> str:
        return self.state.message_fr

    @property
    def message_en(self) -> str:
        return self.state.message_en


# DLE EOT n (real-time status, Epson): 1 printer, 2 offline cause, 4 roll paper sensor.
STATUS_QUERIES = (b"\x10\x04\x01", b"\x10\x04\x02", b"\x10\x04\x04")

_VALID_MASK = 0b1001_0011  # bits 0, 1, 4, 7 are fixed (0, 1, 1, 0) in every answer
_VALID_BITS = 0b0001_0010


def _looks_like_status(byte: int) -> bool:
    return byte & _VALID_MASK == _VALID_BITS


def state_from_status_bytes(
    printer: int | None, offline: int | None, paper: int | None
) -> PrinterState | None:
    """Interpret the answers to DLE EOT 1, 2 and 4; None where the printer did not answer.

    Returns None when nothing usable came back: "no answer" means unknown, not failure.
    """
    answers = [b for b in (printer, offline, paper) if b is not None and _looks_like_status(b)]
    if not answers:
        return None
    if offline is not None and _looks_like_status(offline):
        if offline & 0x04:
            return PrinterState.COVER_OPEN
        if offline & 0x20:
            return PrinterState.PAPER_OUT
        if offline & 0x40:
            return PrinterState.ERROR
    if paper is not None and _looks_like_status(paper) and paper & 0x60 == 0x60:
        return PrinterState.PAPER_OUT
    if printer is not None and _looks_like_status(printer) and printer & 0x08:
        return PrinterState.OFFLINE
    return PrinterState.READY
