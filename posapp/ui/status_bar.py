"""The status bar: is the counter online, what is still waiting to be sent, the printer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from posapp.ui import fmt
from posapp.ui.core_messages import core_text, printer_state_text
from posapp.ui.i18n import tr, trn
from sync.engine import SyncStatus

__all__ = ["ComptoirStatusBar", "printer_text"]


def printer_text(status: Any) -> tuple[str, bool]:
    """(text, problem?) for what the print queue reports (printing.printer_status.PrinterStatus)."""
    if status is None:
        return tr("Printer: —"), False
    if isinstance(status, str):
        return tr("Printer: {s}").format(s=status), False
    state = getattr(status, "state", None)
    ok = bool(getattr(state, "is_ready", getattr(status, "ok", True)))
    message = (printer_state_text(state) or getattr(status, "message", None)
               or (tr("ready") if ok else tr("problem")))
    queued = getattr(status, "queued_jobs", None) or getattr(status, "queued", None)
    text = message if "rimante" in message or "rinter" in message else tr("Printer: {s}").format(
        s=message)
    if queued:
        text += " · " + trn("%n ticket(s) waiting", queued)
    return text, not ok


class ComptoirStatusBar(QStatusBar):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setSizeGripEnabled(False)
        self.online = QLabel()
        self.online.setObjectName("onlineLabel")
        self.pending = QLabel()
        self.last_sync = QLabel()
        self.error = QLabel()
        self.error.setObjectName("errorLabel")
        self.printer = QLabel()
        self.printer.setObjectName("printerLabel")
        self.printer_file = QLabel()
        self.printer_file.setObjectName("printerFileLabel")
        self.addWidget(self.online)
        self.addWidget(self.pending)
        self.addWidget(self.last_sync)
        self.addWidget(self.error, 1)
        self.addPermanentWidget(self.printer)
        self.addPermanentWidget(self.printer_file)
        self.set_sync_status(SyncStatus())
        self.set_printer_status(None)

    def set_sync_status(self, status: SyncStatus) -> None:
        if status.auth_required:
            text, state = "● " + tr("Not paired — open Settings"), "auth"
        elif status.online:
            text, state = "● " + tr("Online"), "online"
        else:
            text, state = "● " + tr("Offline — orders keep working"), "offline"
        self.online.setText(text)
        self.online.setProperty("state", state)
        self.online.style().unpolish(self.online)
        self.online.style().polish(self.online)
        self.pending.setText(
            trn("%n change(s) waiting to be sent", status.pending) if status.pending
            else tr("Everything sent")
        )
        self.last_sync.setText(tr("Last sync: {t}").format(
            t=fmt.local_time(status.last_sync_at, with_date=False)))
        self.error.setText(core_text(status.last_error))
        self.error.setToolTip(core_text(status.last_error))

    def set_printer_status(self, status: Any) -> None:
        text, problem = printer_text(status)
        self.printer.setText(text)
        self.printer.setToolTip(text)  # the driver's own detail is for the log, not the counter
        self.printer.setProperty("problem", problem)
        self.printer.style().unpolish(self.printer)
        self.printer.style().polish(self.printer)

    def set_printer_file(self, path: Path | None) -> None:
        self.printer_file.setVisible(path is not None)
        if path is not None:
            self.printer_file.setText(tr("Tickets written to {p}").format(p=str(path)))
            self.printer_file.setToolTip(str(path))
