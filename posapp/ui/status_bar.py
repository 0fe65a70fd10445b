"""The status bar: is the counter online, what is still waiting to be sent, the printer.

It tells the truth by reading it: the unsent changes and the tickets waiting are
counted in the local database (two indexed counts, every second and after every
change), not taken from the last report of a worker, which only speaks when its
state changes. Every label is elided: a long error never widens the window.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QSizePolicy, QStatusBar, QWidget

from posapp.ui import fmt
from posapp.ui.core_messages import core_text, printer_state_text
from posapp.ui.elided import ElidedLabel
from posapp.ui.i18n import tr, trn
from sync.engine import SyncStatus

__all__ = ["ComptoirStatusBar", "printer_text", "printer_problem_text"]

log = logging.getLogger(__name__)


def _message(status: Any, ok: bool) -> str:
    """The printer's state in the window's language (its code, not the driver's text)."""
    return (printer_state_text(getattr(status, "state", None)) or getattr(status, "message", None)
            or (tr("ready") if ok else tr("problem")))


def printer_text(status: Any, queued: int | None = None, file: Path | None = None
                 ) -> tuple[str, bool]:
    """(text, problem?) for what the print queue reports (printing.printer_status.PrinterStatus).

    ``queued`` is the live count of tickets waiting (else the report's own, maybe stale);
    ``file``: tickets go to this file, which a ready printer says instead of "Printer ready".
    """
    if status is None:
        text, ok = tr("Printer: —"), True
    elif isinstance(status, str):
        text, ok = tr("Printer: {s}").format(s=status), True
    else:
        state = getattr(status, "state", None)
        ok = bool(getattr(state, "is_ready", getattr(status, "ok", True)))
        message = _message(status, ok)
        text = message if "rimante" in message or "rinter" in message else tr(
            "Printer: {s}").format(s=message)
    if ok and file is not None:
        text = tr("Printer: file (no paper)")  # the path follows in its own label
    if queued is None:
        queued = getattr(status, "queued_jobs", None) or getattr(status, "queued", None)
    if queued:
        text += " · " + trn("%n ticket(s) waiting", queued)
    return text, not ok


def printer_problem_text(status: Any) -> str:
    """The banner for a printer fault: what happened, what to do, and that nothing is lost."""
    # The state's own sentence already names the printer and what to do: no "Printer
    # problem: Printer unreachable: …" stutter.
    what = (printer_state_text(getattr(status, "state", None))
            or tr("Printer problem: {m}").format(m=_message(status, False)))
    return tr("{m}. Tickets wait in the queue and print once it is fixed"
              " (Settings › Printer to check it).").format(m=what)


class ComptoirStatusBar(QStatusBar):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setSizeGripEnabled(False)
        self.online = ElidedLabel()
        self.online.setObjectName("onlineLabel")
        self.pending = ElidedLabel()
        self.pending.setObjectName("pendingLabel")
        self.last_sync = ElidedLabel()
        self.error = ElidedLabel()
        self.error.setObjectName("errorLabel")
        self.printer = ElidedLabel()
        self.printer.setObjectName("printerLabel")
        self.printer_file = ElidedLabel(mode=Qt.TextElideMode.ElideMiddle)
        self.printer_file.setObjectName("printerFileLabel")
        # What matters most keeps its whole text; the error takes what is left; the printer's
        # file path is cut in its middle (tooltip) rather than crowd the rest out.
        for label in (self.online, self.pending):
            label.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.printer.setMaximumWidth(420)
        self.printer_file.setMaximumWidth(320)
        self.addWidget(self.online)
        self.addWidget(self.pending)
        self.addWidget(self.last_sync)
        self.addWidget(self.error, 1)
        self.addPermanentWidget(self.printer)
        self.addPermanentWidget(self.printer_file)
        self._status = SyncStatus()
        self._paired = True
        self._unsent: int | None = None  # counted in the database; None: trust the engine
        self._queued: int | None = None
        self._printer_status: Any = None
        self._file: Path | None = None
        self._store: Any = None
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self.refresh_counts)
        self.set_sync_status(SyncStatus())
        self.set_printer_status(None)

    # -- live counts -------------------------------------------------------------------
    def watch(self, store: Any) -> None:
        """Count unsent changes and waiting tickets in ``store``, now and every second."""
        self._store = store
        self.refresh_counts()
        self._timer.start()

    def refresh_counts(self) -> None:
        if self._store is None:
            return
        try:
            unsent = self._store.query_one("SELECT count(*) AS n FROM outbox")["n"]
            queued = self._store.query_one(
                "SELECT count(*) AS n FROM print_jobs WHERE state = 'queued'")["n"]
        except (sqlite3.Error, TypeError, KeyError) as exc:  # never let a count stop the bar
            log.warning("status bar counts: %s", exc)
            return
        if (unsent, queued) != (self._unsent, self._queued):
            self._unsent, self._queued = int(unsent), int(queued)
            self._show_pending()
            self._show_printer()

    def stop(self) -> None:
        self._timer.stop()

    # -- sync ----------------------------------------------------------------------------
    def set_paired(self, paired: bool) -> None:
        if paired != self._paired:
            self._paired = paired
            self._show_online()
            self._show_pending()
            self.last_sync.setVisible(paired)

    def set_sync_status(self, status: SyncStatus) -> None:
        self._status = status
        self.refresh_counts()  # a failed push changes nothing in the outbox: count anyway
        self._show_online()
        self._show_pending()
        self.last_sync.setText(tr("Last sync: {t}").format(
            t=fmt.local_time(status.last_sync_at, with_date=False)))
        self.error.setText(core_text(status.last_error))

    def _show_online(self) -> None:
        status = self._status
        if status.auth_required or not self._paired:
            text, state = "● " + tr("Not paired — open Settings"), "auth"
        elif status.online:
            text, state = "● " + tr("Online"), "online"
        else:
            text, state = "● " + tr("Offline — orders keep working"), "offline"
        self.online.setText(text)
        # On a narrow screen the error label may be squeezed to "…": the state says it too.
        self.online.set_hint(core_text(status.last_error))
        if self.online.property("state") != state:
            self.online.setProperty("state", state)
            self.online.style().unpolish(self.online)
            self.online.style().polish(self.online)

    def _show_pending(self) -> None:
        pending = self._unsent if self._unsent is not None else self._status.pending
        self.pending.setText(trn("%n change(s) waiting to be sent", pending) if pending
                             else tr("Everything sent"))
        self.pending.setProperty("waiting", bool(pending))
        # Unpaired, nothing was ever sent: "Everything sent" would claim a sync that does
        # not exist. Changes typed here do wait for the pairing: those are still counted.
        self.pending.setVisible(self._paired or bool(pending))

    def unsent(self) -> int:
        return self._unsent if self._unsent is not None else self._status.pending

    # -- printer -------------------------------------------------------------------------
    def set_printer_status(self, status: Any) -> None:
        self._printer_status = status
        self.refresh_counts()
        self._show_printer()

    def _show_printer(self) -> None:
        status = self._printer_status
        text, problem = printer_text(status, self._queued, self._file)
        self.printer.setText(text)
        self.printer.set_hint(text)  # the driver's own detail is for the log, not the counter
        if self.printer.property("problem") != problem:
            self.printer.setProperty("problem", problem)
            self.printer.style().unpolish(self.printer)
            self.printer.style().polish(self.printer)

    def set_printer_file(self, path: Path | None) -> None:
        self._file = path
        self.printer_file.setVisible(path is not None)
        if path is not None:
            self.printer_file.setText(tr("Tickets written to {p}").format(p=str(path)))
        self._show_printer()
