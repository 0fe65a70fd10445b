"""The one place where core events (worker threads) become Qt signals: one hop.

The sync engine and the print queue call plain Python callbacks from their
own threads. ``CoreBridge`` *is* that listener: each callback emits the
signal the widgets connect to, once. Qt queues a signal emitted from another
thread to receivers on the GUI thread (bound methods and lambdas connected
there alike), so widgets are only ever touched on the GUI thread (Electrum's
``common_qt/util.py`` pattern). ``ShopApp`` is a ``CoreBridge``: the signals
the window connects to are these.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal

from sync.engine import SyncStatus

__all__ = ["CoreBridge"]


class CoreBridge(QObject):
    orders_changed = Signal()
    new_orders = Signal(list)  # order dicts (as pulled) seen for the first time
    orders_cancelled = Signal(list)
    orders_timed_out = Signal(list)  # refused by the marketplace: nobody answered in time
    stock_changed = Signal()
    sync_status = Signal(object)  # SyncStatus
    refused = Signal(list)  # refused mutation dicts
    printer_status = Signal(object)  # printing status object
    print_job = Signal(object)  # printing job event
    message = Signal(object)  # something to tell the shopkeeper (str or a coded CoreMessage)

    def __init__(self) -> None:
        super().__init__()
        self.last_status = SyncStatus()

    # -- sync.engine.SyncListener (called from the sync threads) -------------------------
    def sync_status_changed(self, status: SyncStatus) -> None:
        self.last_status = status
        self.sync_status.emit(status)

    def pulled(self, summary: Any) -> None:
        """A pull was applied (``posapp.store.replica.PullSummary``)."""
        if summary.new_orders:
            self.new_orders.emit(summary.new_orders)
        if summary.cancelled_orders:
            self.orders_cancelled.emit(summary.cancelled_orders)
        if summary.timed_out_orders:
            self.orders_timed_out.emit(summary.timed_out_orders)
        if summary.new_orders or summary.changed_order_ids or summary.confirmed:
            self.orders_changed.emit()
        if summary.products_changed or summary.confirmed:
            self.stock_changed.emit()

    def mutations_refused(self, refused: list[dict]) -> None:
        self.refused.emit(refused)

    # -- print queue callbacks (called from the print thread) ----------------------------
    def on_printer_status(self, status: Any) -> None:
        self.printer_status.emit(status)

    def on_print_job(self, event: Any) -> None:
        self.print_job.emit(event)
