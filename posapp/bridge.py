"""The one thin place where core events (worker threads) become Qt signals.

The sync engine and the print queue call plain Python callbacks from their
own threads; ``CoreBridge`` re-emits them as Qt signals, which Qt queues to
the GUI thread, so widgets are only ever touched there (Electrum's pattern).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal

from sync.engine import SyncStatus

__all__ = ["CoreBridge"]


class CoreBridge(QObject):
    sync_status = Signal(object)  # SyncStatus
    pulled = Signal(object)  # posapp.store.replica.PullSummary
    refused = Signal(list)  # list of refused mutation dicts
    printer_status = Signal(object)  # printing status object
    print_job = Signal(object)  # printing job event

    # SyncListener (called from the sync threads)
    def sync_status_changed(self, status: SyncStatus) -> None:
        self.sync_status.emit(status)

    def mutations_refused(self, refused: list[dict]) -> None:
        self.refused.emit(refused)

    def on_pulled(self, summary: Any) -> None:
        self.pulled.emit(summary)

    # print queue callbacks (called from the print thread)
    def on_printer_status(self, status: Any) -> None:
        self.printer_status.emit(status)

    def on_print_job(self, event: Any) -> None:
        self.print_job.emit(event)


# SyncListener wants ``pulled``: a method of that name would shadow the Signal.
class _ListenerAdapter:
    def __init__(self, bridge: CoreBridge):
        self._bridge = bridge

    def sync_status_changed(self, status: SyncStatus) -> None:
        self._bridge.sync_status_changed(status)

    def pulled(self, summary: Any) -> None:
        self._bridge.on_pulled(summary)

    def mutations_refused(self, refused: list[dict]) -> None:
        self._bridge.mutations_refused(refused)


def listener_for(bridge: CoreBridge) -> _ListenerAdapter:
    return _ListenerAdapter(bridge)
