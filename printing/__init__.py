"""Ticket printing for Comptoir: layout, ESC/POS, backends, persistent queue, preview.

No Qt here: the app wires the queue's callbacks to its own signals.
"""

from . import escpos_cache  # noqa: F401  - first: sets escpos' cache before escpos loads
from .backends import make_backend
from .config import PrinterConfig, PrinterKind, PrintMoment
from .enqueue import (
    enqueue_cancellation,
    enqueue_document,
    enqueue_for_change,
    enqueue_order,
    enqueue_reprint,
    enqueue_test,
    enqueue_z_report,
)
from .errors import BackendUnavailableError, PrinterUnavailableError
from .escpos_render import render_escpos
from .journal import ensure_schema
from .kitchen_ticket import build_kitchen_ticket
from .order_ticket import build_ticket
from .order_view import ShopInfo
from .preview import render_preview
from .printer_status import PrinterState, PrinterStatus
from .printer_test_ticket import build_test_ticket, test_print
from .queue import JobEvent, PrintQueue
from .ticket import TicketDocument
from .z_report import ZSummary, build_z_report

__all__ = [
    "BackendUnavailableError",
    "JobEvent",
    "PrintQueue",
    "PrinterConfig",
    "PrinterKind",
    "PrintMoment",
    "PrinterState",
    "PrinterStatus",
    "PrinterUnavailableError",
    "ShopInfo",
    "TicketDocument",
    "ZSummary",
    "build_kitchen_ticket",
    "build_test_ticket",
    "build_ticket",
    "build_z_report",
    "enqueue_cancellation",
    "enqueue_document",
    "enqueue_for_change",
    "enqueue_order",
    "enqueue_reprint",
    "enqueue_test",
    "enqueue_z_report",
    "ensure_schema",
    "make_backend",
    "render_escpos",
    "render_preview",
    "test_print",
]
