"""The "Data" tab: catalogue and stock as CSV (with a dry-run report), backups and restore.

An import is always shown first as a report (what changes, what is not
applied because the marketplace owns the catalogue, which rows are rejected
and why); only "Apply" changes anything, in one transaction. A backup runs in
the thread pool (SQLite's online backup: the counter keeps working); a restore
asks for confirmation, then goes through ``shop_app.restore_backup`` which
pauses sync and printing around it.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path
from typing import Any

from PySide6.QtCore import QStandardPaths, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from posapp.domain.catalogue_csv import (
    CsvFormatError,
    ImportPlan,
    ImportRefused,
    Issue,
    NotApplied,
    PlannedChange,
    apply_plan,
    export_catalogue,
    read_plan,
)
from posapp.domain.stock import InvalidStockChange
from posapp.store import pairing
from posapp.store.backup import BackupError, BackupInfo, backup, default_backup_name, inspect
from posapp.ui import fmt
from posapp.ui.core_messages import file_error_text, user_text
from posapp.ui.i18n import tr, trn
from posapp.ui.workers import run_in_pool

__all__ = ["DataPage", "ImportReportDialog", "issue_text"]

MAX_SHOWN = 1000  # rows per report table: enough to read, cheap to draw for 50,000


def issue_text(issue: Issue | CsvFormatError) -> str:
    """The reason of a rejected row or file, in the UI's language."""
    texts = {
        "unknown_sku": tr("unknown to the marketplace"),
        "missing_sku": tr("no reference"),
        "duplicate_sku": tr("reference already on line {first}"),
        "bad_quantity": tr("unreadable quantity “{value}” (a whole number is expected)"),
        "negative_quantity": tr("negative quantity: {value}"),
        "bad_price": tr("unreadable price “{value}”"),
        "bad_boolean": tr("“{value}” in column {column}: yes or no expected"),
        "bad_threshold": tr("unreadable threshold “{value}” (a whole number is expected)"),
        "too_many_fields": tr("{found} values for {expected} columns"
                              " (a separator inside an unquoted value?)"),
        "ignored_column": tr("column “{column}” ignored"),
        "legacy_encoding": tr("file read as Windows-1252, not UTF-8"),
        "empty_file": tr("the file is empty"),
        "no_sku_column": tr("no “reference” (or “sku”) column in the first line"),
        "unreadable": tr("the file is not readable text"),
    }
    text = texts.get(issue.code)
    return text.format(**issue.params) if text else str(issue)


def _field_label(name: str) -> str:
    return {"name": tr("Name"), "category": tr("Category"), "price": tr("Price"),
            "barcode": tr("Barcode"), "active": tr("Active"),
            "threshold": tr("Low-stock threshold")}.get(name, name)


def _value_text(item: NotApplied, value: str) -> str:
    if item.field == "price" and value.lstrip("-").isdigit():
        return fmt.euros(int(value))
    if item.field == "active":
        return tr("yes") if value == "oui" else tr("no")
    return value


def _change_text(change: PlannedChange) -> str:
    parts = []
    if change.delta:
        parts.append(tr("stock {seen} → {counted} ({delta:+d})").format(
            seen=change.seen, counted=change.counted, delta=change.delta))
    if change.changes_availability:
        parts.append(tr("back on sale") if change.available_after else tr("now sold out"))
    return ", ".join(parts)


def _table(headers: list[str], rows: list[list[str]], total: int) -> QTableWidget:
    table = QTableWidget(len(rows), len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.verticalHeader().hide()
    table.setShowGrid(False)
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            table.setItem(r, c, QTableWidgetItem(value))
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    if total > len(rows):
        table.setToolTip(tr("Only the first {n} of {total} are shown.").format(
            n=len(rows), total=total))
    return table


class ImportReportDialog(QDialog):
    """The dry run: what would change, what is not applied, what is rejected."""

    def __init__(self, plan: ImportPlan, parent: QWidget | None = None):
        super().__init__(parent)
        self.plan = plan
        self.setWindowTitle(tr("Import report"))
        self.resize(900, 640)
        layout = QVBoxLayout(self)
        self.summary = QLabel(tr(
            "{rows} rows read: {stock} stock counts and {avail} availability changes to apply,"
            " {same} rows unchanged, {rejected} rows rejected.").format(
            rows=plan.rows, stock=plan.stock_changes, avail=plan.availability_changes,
            same=plan.unchanged, rejected=len(plan.rejected)))
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.rejected_table = self.changes_table = self.not_applied_table = None
        if plan.rejected:
            title = QLabel(tr("Rejected rows: as long as there are any, nothing is imported."))
            title.setStyleSheet("color: #c0392b; font-weight: 700;")
            layout.addWidget(title)
            self.rejected_table = _table(
                [tr("Line"), tr("Reference"), tr("Reason")],
                [[str(i.line), i.sku, issue_text(i)] for i in plan.rejected[:MAX_SHOWN]],
                len(plan.rejected))
            layout.addWidget(self.rejected_table, 1)
        if plan.changes:
            layout.addWidget(QLabel(tr("Changes (sent to the marketplace)")))
            self.changes_table = _table(
                [tr("Line"), tr("Reference"), tr("Product"), tr("Change")],
                [[str(c.line), c.sku, c.name, _change_text(c)] for c in plan.changes[:MAX_SHOWN]],
                len(plan.changes))
            layout.addWidget(self.changes_table, 2)
        if plan.not_applied:
            layout.addWidget(QLabel(tr("Not applied: the marketplace owns the catalogue"
                                       " (names, prices, barcodes, categories, thresholds).")))
            self.not_applied_table = _table(
                [tr("Line"), tr("Reference"), tr("Field"), tr("Marketplace"), tr("File")],
                [[str(n.line), n.sku, _field_label(n.field), _value_text(n, n.current),
                  _value_text(n, n.wanted)] for n in plan.not_applied[:MAX_SHOWN]],
                len(plan.not_applied))
            layout.addWidget(self.not_applied_table, 1)
        for notice in plan.notices:
            note = QLabel("• " + issue_text(notice))
            note.setObjectName("hint")
            layout.addWidget(note)
        self.skip_rejected = QCheckBox(tr("Apply the other rows anyway and leave out the"
                                          " rejected ones"))
        self.skip_rejected.setVisible(bool(plan.rejected))
        self.skip_rejected.toggled.connect(self._update_apply)
        layout.addWidget(self.skip_rejected)
        buttons = QDialogButtonBox()
        self.apply_button = buttons.addButton(tr("Apply"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = buttons.addButton(tr("Cancel"),
                                               QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._update_apply()

    def _update_apply(self) -> None:
        allowed = not self.plan.rejected or self.skip_rejected.isChecked()
        self.apply_button.setEnabled(bool(self.plan.changes) and allowed)


class DataPage(QWidget):
    """Constructed with the ShopApp (``store``, ``stock``, ``after_local_change``,
    ``restore_backup``, ``data_dir``)."""

    imported = Signal(object)  # ApplyResult
    exported = Signal(Path)
    backed_up = Signal(object)  # BackupInfo
    restored = Signal(object)  # RestoreResult

    def __init__(self, shop_app: Any, parent: QWidget | None = None):
        super().__init__(parent)
        self.shop_app = shop_app
        self.report_dialog: ImportReportDialog | None = None
        self.restore_box: QMessageBox | None = None
        self._calls: list[Any] = []  # keep pool calls alive until they report
        layout = QVBoxLayout(self)

        csv_box = QGroupBox(tr("Catalogue and stock (CSV)"))
        csv_layout = QVBoxLayout(csv_box)
        hint = QLabel(tr(
            "Import a spreadsheet of counted stock and availability: you first see what would"
            " change, and nothing is applied until you confirm. Names and prices come from the"
            " marketplace and are not changed by an import."))
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        csv_layout.addWidget(hint)
        row = QHBoxLayout()
        self.import_button = self._button(tr("Import a CSV file…"), lambda: self.import_csv())
        self.export_button = self._button(tr("Export to CSV…"), lambda: self.export_csv())
        row.addWidget(self.import_button)
        row.addWidget(self.export_button)
        row.addStretch(1)
        csv_layout.addLayout(row)
        layout.addWidget(csv_box)

        backup_box = QGroupBox(tr("Backups"))
        backup_layout = QVBoxLayout(backup_box)
        hint = QLabel(tr(
            "A backup is a copy of everything this counter keeps, made while it keeps working."
            " Keep it on a USB key or another computer."))
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        backup_layout.addWidget(hint)
        row = QHBoxLayout()
        self.backup_button = self._button(tr("Back up now…"), lambda: self.backup_now())
        self.restore_button = self._button(tr("Restore a backup…"), lambda: self.restore())
        row.addWidget(self.backup_button)
        row.addWidget(self.restore_button)
        row.addStretch(1)
        backup_layout.addLayout(row)
        layout.addWidget(backup_box)

        self.message = QLabel("")
        self.message.setObjectName("dataMessage")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.message)
        layout.addStretch(1)

    def _button(self, text: str, slot: Any) -> QPushButton:
        button = QPushButton(text)
        button.setMinimumHeight(48)
        button.clicked.connect(slot)
        return button

    # -- file choices (tests replace them) -------------------------------------------------
    @staticmethod
    def _documents() -> Path:
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        return Path(folder) if folder else Path.home()

    def ask_open_path(self, title: str, filters: str) -> str | None:
        path, _filter = QFileDialog.getOpenFileName(self, title, str(self._documents()), filters)
        return path or None

    def ask_save_path(self, title: str, suggested: Path, filters: str) -> str | None:
        path, _filter = QFileDialog.getSaveFileName(self, title, str(suggested), filters)
        return path or None

    # -- CSV ---------------------------------------------------------------------------------
    def import_csv(self, path: str | Path | None = None) -> ImportReportDialog | None:
        """Dry run, then the report dialog (non-blocking); "Apply" applies."""
        if path is None:
            path = self.ask_open_path(tr("Import a CSV file"),
                                      tr("CSV files (*.csv *.txt);;All files (*)"))
            if path is None:
                return None
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            plan = read_plan(Path(path), self.shop_app.store)
        except CsvFormatError as exc:
            self._say(tr("This file cannot be imported: {e}").format(e=issue_text(exc)), True)
            return None
        except OSError as exc:
            self._say(tr("The file could not be read: {e}").format(e=file_error_text(exc)), True)
            return None
        finally:
            QApplication.restoreOverrideCursor()
        dialog = ImportReportDialog(plan, self)
        dialog.accepted.connect(lambda: self.apply_import(plan, dialog.skip_rejected.isChecked()))
        self.report_dialog = dialog
        dialog.open()
        return dialog

    def apply_import(self, plan: ImportPlan, skip_rejected: bool = False) -> bool:
        try:
            result = apply_plan(self.shop_app.store, plan, skip_rejected=skip_rejected)
        except ImportRefused:
            self._say(tr("Nothing was imported: correct the rejected rows and import again."),
                      True)
            return False
        except (InvalidStockChange, sqlite3.Error, OSError) as exc:
            self._say(tr("Nothing was imported: {e}").format(e=exc), True)
            return False
        self.shop_app.after_local_change()
        self._say(tr("Imported: {s} stock counts and {a} availability changes, on their way"
                     " to the marketplace.").format(s=result.stock_adjusted,
                                                    a=result.availability_changed))
        self.imported.emit(result)
        return True

    def export_csv(self, path: str | Path | None = None) -> Path | None:
        if path is None:
            suggested = self._documents() / f"catalogue-{dt.date.today().isoformat()}.csv"
            path = self.ask_save_path(tr("Export the catalogue"), suggested,
                                      tr("CSV files (*.csv)"))
            if path is None:
                return None
        try:
            count = export_catalogue(self.shop_app.store, path)
        except OSError as exc:
            self._say(tr("The file could not be written: {e}").format(e=file_error_text(exc)),
                      True)
            return None
        self._say(tr("{n} products exported to {p}").format(n=count, p=path))
        self.exported.emit(Path(path))
        return Path(path)

    # -- backups -----------------------------------------------------------------------------
    def backup_now(self, path: str | Path | None = None) -> bool:
        """Start a backup in the pool; ``backed_up`` (or a message) tells when it is done."""
        if path is None:
            path = self.ask_save_path(tr("Back up the data"),
                                      self._documents() / default_backup_name(),
                                      tr("Comptoir backups (*.db)"))
            if path is None:
                return False
        source, dest = Path(self.shop_app.store.path), Path(path)
        self.backup_button.setEnabled(False)
        self._say(tr("Backing up…"))
        self._calls.append(run_in_pool(lambda: backup(source, dest), self,
                                        on_done=self._backed_up, on_failed=self._backup_failed))
        return True

    def _backed_up(self, info: BackupInfo) -> None:
        self.backup_button.setEnabled(True)
        self._say(tr("Backup saved to {p} ({n} products, {o} orders).").format(
            p=info.path, n=info.products, o=info.orders))
        self.backed_up.emit(info)

    def _backup_failed(self, error: str) -> None:
        self.backup_button.setEnabled(True)
        self._say(tr("The backup failed: {e}").format(e=error), True)

    def restore(self, path: str | Path | None = None) -> QMessageBox | None:
        """Check the chosen backup, then ask for confirmation (non-blocking box)."""
        if path is None:
            path = self.ask_open_path(tr("Restore a backup"),
                                      tr("Comptoir backups (*.db);;All files (*)"))
            if path is None:
                return None
        try:
            info = inspect(path)
        except BackupError as exc:
            self._say(tr("This backup cannot be restored: {e}").format(e=user_text(exc)), True)
            return None
        saved_at = dt.datetime.fromtimestamp(Path(path).stat().st_mtime, fmt.zone())  # shop clock
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle(tr("Restore a backup"))
        box.setText(tr("Replace this counter's data by the backup of {d}?").format(
            d=saved_at.strftime("%d/%m/%Y %H:%M")))
        box.setInformativeText(tr(
            "Everything this counter keeps (orders seen, stock movements, settings, changes not"
            " yet sent) becomes what it was in the backup ({n} products, {o} orders, {p} changes"
            " waiting). The current data is saved aside first. Sync and printing pause during"
            " the restore, then the marketplace sends what changed since.").format(
            n=info.products, o=info.orders, p=info.pending))
        unsent = len(pairing.pending(self.shop_app.store.conn))
        if unsent:  # replaced by the backup's: say it before, export them after
            box.setInformativeText(box.informativeText() + "\n\n" + trn(
                "%n change made here is not confirmed by the marketplace yet: the restore"
                " replaces it; those not in the backup are exported to a list, to enter again.",
                unsent))
        box.restore_button = box.addButton(tr("Restore"), QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(tr("Cancel"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(box.buttons()[-1])
        box.buttonClicked.connect(
            lambda button: self.apply_restore(path) if button is box.restore_button else None)
        self.restore_box = box
        box.open()
        return box

    def apply_restore(self, path: str | Path) -> bool:
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            result = self.shop_app.restore_backup(Path(path))
        except (BackupError, OSError, sqlite3.Error) as exc:  # disk full, locked file…
            self._say(tr("Nothing was restored: {e}").format(e=user_text(exc)), True)
            return False
        finally:
            QApplication.restoreOverrideCursor()
        aside = result.previous
        self._say(tr("Backup restored. The data as it was before is kept in {p}.").format(
            p=aside) if aside else tr("Backup restored."))
        self.restored.emit(result)
        return True

    def _say(self, text: str, problem: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet("color: #c0392b; font-weight: 700;" if problem else "")
