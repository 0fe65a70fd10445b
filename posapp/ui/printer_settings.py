"""Printer settings form: connection, paper, code page, copies; test print and ticket preview.

Bound to ``printing.PrinterConfig``: the form starts from the saved settings and
``read_config()`` returns a new config (fields the form does not show, such as
the escpos profile or timeouts, are kept). Nothing is saved while a field is
invalid. The test print talks to the printer (network, USB...), so it runs in
Qt's thread pool; so does the preview (Pillow), whose PNG becomes a pixmap here,
and the search for USB printers (pyusb), run whenever the USB page is shown.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from l10n import DEFAULT_TZ
from posapp.ui import fmt
from posapp.ui.i18n import tr
from posapp.ui.printer_messages import printer_status_text, usb_scan_text
from posapp.ui.workers import run_in_pool
from printing import (
    PrinterConfig,
    PrinterKind,
    PrinterStatus,
    TicketDocument,
    build_ticket,
    render_preview,
    test_print,
)
from printing.config import PAPER_COLUMNS, PrintMoment
from printing.usb_printers import UsbPrinter, UsbScanError, find_usb_printers
from sync.protocol import to_iso

__all__ = ["FormError", "PrinterSettings", "preview_document", "preview_png", "sample_order"]

log = logging.getLogger(__name__)

CODE_PAGES = ("CP858", "CP850", "CP437", "CP1252")
BAUDRATES = ("9600", "19200", "38400", "57600", "115200")
_HEX_ID = re.compile(r"^(0x)?[0-9a-f]{1,4}$", re.IGNORECASE)


class FormError(ValueError):
    """A field the shopkeeper must correct; ``field`` gets the focus."""

    def __init__(self, message: str, field: QWidget | None = None):
        super().__init__(message)
        self.field = field


def sample_order(now: dt.datetime | None = None) -> dict[str, Any]:
    """A realistic order with every tricky character, for the preview."""
    now = now or dt.datetime.now(dt.UTC)
    stamp = to_iso(now)
    return {
        "id": "apercu-0042", "number": 42, "status": "accepted", "channel": "collect",
        "customer_name": "Zoé Lefèvre", "customer_phone": "06 12 34 56 78",
        "lines": [
            {"sku": "CRO", "name": "Croissant", "qty": 2, "unit_price_cents": 120,
             "options": ["bien cuit"]},
            {"sku": "ECL", "name": "Éclair café", "qty": 1, "unit_price_cents": 250,
             "options": []},
            {"sku": "OPE", "name": "Opéra façon grand-mère", "qty": 1, "unit_price_cents": 850,
             "options": ["bougie « 40 ans »"]},
        ],
        "total_cents": 1340, "note": "Sonnez deux fois – c’est au 3e", "allergens": "noix, œufs",
        "paid": True, "pickup_slot": to_iso(now + dt.timedelta(minutes=30)),
        "ready_by": to_iso(now + dt.timedelta(minutes=20)), "created_at": stamp,
    }


def preview_document(config: PrinterConfig, shop: Mapping[str, Any],
                     tz: str | dt.tzinfo | None = None) -> TicketDocument:
    """The sample ticket, its times in the shop's zone (the window's, when not given)."""
    return build_ticket(sample_order(), shop, config.line_columns,
                        tz or fmt.zone() or DEFAULT_TZ, code_page=config.code_page)


def preview_png(config: PrinterConfig, shop: Mapping[str, Any],
                tz: str | dt.tzinfo | None = None) -> bytes:
    """The sample ticket as the printer would print it, as PNG bytes (any thread)."""
    document = preview_document(config, shop, tz)
    image = render_preview(document, dots_width=config.dots_width, code_page=config.code_page)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


class PrinterSettings(QWidget):
    """``printing`` needs ``config()`` and ``save_config(cfg)`` (posapp.printing_setup)."""

    saved = Signal(object)  # PrinterConfig
    test_finished = Signal(object)  # PrinterStatus, or str when the test itself failed
    preview_ready = Signal()
    usb_search_finished = Signal()

    def __init__(self, printing: Any, shop: Mapping[str, Any] | None = None,
                 parent: QWidget | None = None,
                 find_usb: Callable[[], list[UsbPrinter]] = find_usb_printers,
                 tz: str | dt.tzinfo | None = None):
        super().__init__(parent)
        self.printing = printing
        self.shop = dict(shop or {})
        self.tz = tz  # the shop's zone: the preview prints its times as tickets do
        self.find_usb = find_usb
        self._preview_seq = 0
        self._usb_seq = 0
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        form_side = QWidget()
        form_side.setMinimumWidth(540)  # the preview must not squeeze the fields
        left = QVBoxLayout(form_side)
        left.setContentsMargins(0, 0, 0, 0)
        left.addLayout(self._build_form())
        left.addLayout(self._build_buttons())
        self.message = QLabel("")
        self.message.setObjectName("printerMessage")
        self.message.setWordWrap(True)
        left.addWidget(self.message)
        left.addStretch(1)
        row.addWidget(form_side, 1)
        row.addWidget(self._build_preview())
        self.load(printing.config())

    # -- building ---------------------------------------------------------------------
    def _build_form(self) -> QFormLayout:
        form = QFormLayout()
        self.kind = QComboBox()
        for kind, label in (
            (PrinterKind.NETWORK, tr("Network (Ethernet / Wi-Fi)")),
            (PrinterKind.USB, tr("USB")),
            (PrinterKind.SERIAL, tr("Serial port")),
            (PrinterKind.FILE, tr("File or device")),
            (PrinterKind.SPOOLER, tr("System printer (spooler)")),
        ):
            self.kind.addItem(label, kind.value)
        form.addRow(tr("Connection"), self.kind)
        self.pages = QStackedWidget()
        self.pages.addWidget(self._network_page())
        self.pages.addWidget(self._usb_page())
        self.pages.addWidget(self._serial_page())
        self.pages.addWidget(self._file_page())
        self.pages.addWidget(self._spooler_page())
        self.kind.currentIndexChanged.connect(self.pages.setCurrentIndex)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        form.addRow(self.pages)

        self.paper_width = QComboBox()
        for mm in PAPER_COLUMNS:
            self.paper_width.addItem(tr("{mm} mm").format(mm=mm), mm)
        self.columns = QComboBox()
        self.paper_width.currentIndexChanged.connect(self._fill_columns)
        paper = QHBoxLayout()
        paper.addWidget(self.paper_width)
        paper.addWidget(self.columns)
        form.addRow(tr("Paper width"), paper)
        self.code_page = QComboBox()
        for name, label in zip(CODE_PAGES, (
            tr("Western Europe with € (recommended)"),
            tr("Western Europe, no €"),
            tr("US, few accents"),
            tr("Windows Western"),
        ), strict=True):
            self.code_page.addItem(f"{name} — {label}", name)
        form.addRow(tr("Code page"), self.code_page)
        self.copies = QSpinBox()
        self.copies.setRange(1, 5)
        form.addRow(tr("Copies per order"), self.copies)
        self.auto_print = QCheckBox(tr("Print each order's ticket automatically"))
        self.kitchen_copy = QCheckBox(tr("Also print a kitchen ticket"))
        form.addRow(self.auto_print)  # full width: the French labels are long
        self.print_on = QComboBox()
        self.print_on.addItem(tr("on acceptance"), PrintMoment.ACCEPTANCE.value)
        self.print_on.addItem(tr("on arrival"), PrintMoment.ARRIVAL.value)
        form.addRow(tr("Print"), self.print_on)
        hint = QLabel(tr("On acceptance the ticket carries the ready-by time, and a refused"
                         " order is never printed."))
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        form.addRow(hint)
        self.auto_print.toggled.connect(self.print_on.setEnabled)
        form.addRow(self.kitchen_copy)
        return form

    @staticmethod
    def _page() -> tuple[QWidget, QFormLayout]:
        page = QWidget()
        form = QFormLayout(page)
        form.setContentsMargins(0, 0, 0, 0)
        return page, form

    def _network_page(self) -> QWidget:
        page, form = self._page()
        self.host = QLineEdit()
        self.host.setPlaceholderText("192.168.1.50")
        self.port = QLineEdit("9100")
        self.port.setMaximumWidth(100)
        form.addRow(tr("IP address or name"), self.host)
        form.addRow(tr("Port"), self.port)
        return page

    def _usb_page(self) -> QWidget:
        page, form = self._page()
        self.usb_found = QComboBox()
        self.usb_found.activated.connect(self._usb_chosen)
        self.usb_search = QPushButton(tr("Search again"))
        self.usb_search.clicked.connect(self.search_usb)
        found = QHBoxLayout()
        found.addWidget(self.usb_found, 1)
        found.addWidget(self.usb_search)
        form.addRow(tr("Printers found"), found)
        self.usb_hint = QLabel("")
        self.usb_hint.setObjectName("hint")
        self.usb_hint.setWordWrap(True)
        form.addRow(self.usb_hint)
        self.vendor_id = QLineEdit()
        self.vendor_id.setPlaceholderText("04b8")
        self.product_id = QLineEdit()
        self.product_id.setPlaceholderText("0202")
        form.addRow(tr("Vendor id (hex)"), self.vendor_id)
        form.addRow(tr("Product id (hex)"), self.product_id)
        return page

    def _serial_page(self) -> QWidget:
        page, form = self._page()
        self.device = QLineEdit()
        self.device.setPlaceholderText("/dev/ttyUSB0, COM3")
        self.baudrate = QComboBox()
        self.baudrate.setEditable(True)
        self.baudrate.addItems(BAUDRATES)
        form.addRow(tr("Device"), self.device)
        form.addRow(tr("Speed (baud)"), self.baudrate)
        return page

    def _file_page(self) -> QWidget:
        page, form = self._page()
        self.path = QLineEdit()
        self.path.setPlaceholderText("/dev/usb/lp0")
        browse = QPushButton(tr("Choose…"))
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        form.addRow(tr("File or device"), row)
        return page

    def _spooler_page(self) -> QWidget:
        page, form = self._page()
        self.queue_name = QLineEdit()
        self.queue_name.setPlaceholderText("TM-T20")
        form.addRow(tr("Printer name"), self.queue_name)
        return page

    def _build_buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.save_button = QPushButton(tr("Save"))
        self.test_button = QPushButton(tr("Test print"))
        self.preview_button = QPushButton(tr("Preview"))
        for button in (self.save_button, self.test_button, self.preview_button):
            button.setMinimumHeight(48)
            row.addWidget(button)
        self.save_button.clicked.connect(self.save)
        self.test_button.clicked.connect(self.start_test_print)
        self.preview_button.clicked.connect(self.show_preview)
        return row

    def _build_preview(self) -> QScrollArea:
        self.preview = QLabel(tr("Press Preview to see a sample ticket."))
        self.preview.setObjectName("hint")
        self.preview.setWordWrap(True)
        self.preview.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.preview_area = QScrollArea()
        self.preview_area.setWidget(self.preview)
        self.preview_area.setWidgetResizable(True)
        self.preview_area.setMinimumWidth(600)  # an 80 mm ticket at 1:1 (576 dots)
        self.preview_area.setMinimumHeight(420)
        return self.preview_area

    # -- form <-> config --------------------------------------------------------------
    def load(self, config: PrinterConfig) -> None:
        self._base = config
        self.kind.setCurrentIndex(max(0, self.kind.findData(config.kind.value)))
        self.pages.setCurrentIndex(self.kind.currentIndex())
        for kind, edit in ((PrinterKind.NETWORK, self.host), (PrinterKind.SERIAL, self.device),
                           (PrinterKind.FILE, self.path), (PrinterKind.SPOOLER, self.queue_name)):
            edit.setText(config.address if config.kind == kind else "")
        self.port.setText(str(config.port))
        self.vendor_id.setText(_hex(config.usb_vendor_id))
        self.product_id.setText(_hex(config.usb_product_id))
        self.baudrate.setCurrentText(str(config.baudrate))
        self.paper_width.setCurrentIndex(max(0, self.paper_width.findData(config.paper_width_mm)))
        self._fill_columns()
        self.columns.setCurrentIndex(max(0, self.columns.findData(config.line_columns)))
        if self.code_page.findData(config.code_page) < 0:  # set by hand: keep it selectable
            self.code_page.addItem(config.code_page, config.code_page)
        self.code_page.setCurrentIndex(self.code_page.findData(config.code_page))
        self.copies.setValue(config.copies)
        self.auto_print.setChecked(config.auto_print)
        self.print_on.setCurrentIndex(max(0, self.print_on.findData(config.print_on.value)))
        self.print_on.setEnabled(config.auto_print)
        self.kitchen_copy.setChecked(config.kitchen_copy)

    def _fill_columns(self) -> None:
        current = self.columns.currentData()
        self.columns.clear()
        for count in PAPER_COLUMNS[self.paper_width.currentData()]:
            self.columns.addItem(tr("{n} columns").format(n=count), count)
        self.columns.setCurrentIndex(max(0, self.columns.findData(current)))

    def _paper(self) -> dict[str, Any]:
        width = int(self.paper_width.currentData())
        columns = self.columns.currentData()
        return {
            "paper_width_mm": width,
            # None keeps "the usual count for this paper" if the defaults ever change
            "columns": None if columns == PAPER_COLUMNS[width][0] else int(columns),
            "code_page": self.code_page.currentData(),
        }

    def read_config(self) -> PrinterConfig:
        """The config the form describes; raises FormError with a message to show."""
        kind = PrinterKind(self.kind.currentData())
        changes: dict[str, Any] = {"kind": kind, **self._paper(), "copies": self.copies.value(),
                                   "auto_print": self.auto_print.isChecked(),
                                   "print_on": self.print_on.currentData(),
                                   "kitchen_copy": self.kitchen_copy.isChecked()}
        if kind == PrinterKind.NETWORK:
            changes["address"] = _required(self.host, tr("Enter the printer's IP address or name."))
            changes["port"] = _number(self.port, 1, 65535,
                                      tr("The port must be a number between 1 and 65535 "
                                         "(usually 9100)."))
        elif kind == PrinterKind.USB:
            message = tr("USB ids are hexadecimal numbers of up to 4 digits, such as 04b8.")
            changes["usb_vendor_id"] = _hex_id(self.vendor_id, message)
            changes["usb_product_id"] = _hex_id(self.product_id, message)
        elif kind == PrinterKind.SERIAL:
            changes["address"] = _required(self.device, tr("Enter the serial device, such as "
                                                           "/dev/ttyUSB0 or COM3."))
            changes["baudrate"] = _number(self.baudrate, 300, 1_000_000,
                                          tr("The speed must be a number, such as 19200."))
        elif kind == PrinterKind.FILE:
            changes["address"] = _required(self.path, tr("Enter the file or device to print to."))
        else:
            changes["address"] = _required(self.queue_name,
                                           tr("Enter the name of the system printer."))
        try:
            return self._base.with_changes(**changes)
        except ValueError as exc:
            raise FormError(tr("Invalid printer settings: {e}").format(e=exc)) from exc

    def _checked_config(self) -> PrinterConfig | None:
        try:
            return self.read_config()
        except FormError as exc:
            self._say(str(exc), problem=True)
            if exc.field is not None:
                exc.field.setFocus()
            return None

    # -- actions ----------------------------------------------------------------------
    def save(self) -> bool:
        config = self._checked_config()
        if config is None:
            return False
        self.printing.save_config(config)
        self._base = config
        self._say(tr("Printer settings saved."))
        self.saved.emit(config)
        return True

    def start_test_print(self) -> None:
        config = self._checked_config()
        if config is None:
            return
        self.test_button.setEnabled(False)
        self._say(tr("Printing the test page…"))
        self._start(lambda: test_print(config), lambda status: self._test_done(status, config),
                    self._test_failed)

    def _test_done(self, status: PrinterStatus, config: PrinterConfig) -> None:
        self.test_button.setEnabled(True)
        ok = status.state.is_ready
        text = printer_status_text(status, config.kind.value)
        self._say(tr("Test page sent: {s}").format(s=text) if ok
                  else tr("Test print failed: {s}").format(s=text), problem=not ok)
        self.message.setToolTip(status.detail)  # the technical words, for whoever helps
        self.test_finished.emit(status)

    def _test_failed(self, error: str) -> None:
        log.warning("test print failed: %s", error)
        self.test_button.setEnabled(True)
        self._say(tr("Test print failed: unexpected error (details in the log)."),
                  problem=True)
        self.message.setToolTip(error)
        self.test_finished.emit(error)

    def show_preview(self) -> None:
        # Paper and code page only: a preview needs no valid connection.
        config = PrinterConfig(**self._paper())
        self._preview_seq += 1
        seq, shop, tz = self._preview_seq, dict(self.shop), self.tz
        self.preview_button.setEnabled(False)
        self._start(lambda: preview_png(config, shop, tz), lambda png: self._preview_done(seq, png),
                    lambda error: self._preview_failed(seq, error))

    def _preview_done(self, seq: int, png: bytes) -> None:
        if seq != self._preview_seq:
            return  # an older request finishing late: a newer one is on its way
        self.preview_button.setEnabled(True)
        pixmap = QPixmap()
        if not pixmap.loadFromData(png, "PNG"):
            self._preview_failed(seq, "PNG")
            return
        self.preview.setPixmap(pixmap)
        self.preview.setObjectName("ticketPreview")
        self.preview.setStyleSheet("background: white;")
        self.preview_ready.emit()

    def _preview_failed(self, seq: int, error: str) -> None:
        if seq == self._preview_seq:
            self.preview_button.setEnabled(True)
            self._say(tr("Preview failed: {e}").format(e=error), problem=True)

    def _kind_changed(self) -> None:
        if self.kind.currentData() == PrinterKind.USB.value:
            self.search_usb()

    def search_usb(self) -> None:
        """List the USB printers present (in the pool: USB enumeration is I/O)."""
        self._usb_seq += 1
        seq = self._usb_seq
        self.usb_search.setEnabled(False)
        self.usb_found.clear()
        self.usb_hint.setText(tr("Searching for USB printers…"))
        self._start(self._find_usb_or_why, lambda found: self._usb_listed(seq, found),
                    lambda error: self._usb_failed(seq, UsbScanError(error)))

    def _find_usb_or_why(self) -> list[UsbPrinter] | UsbScanError:
        try:
            return self.find_usb()
        except UsbScanError as exc:  # its code, not only its words, says what to advise
            return exc

    def _usb_listed(self, seq: int, found: list[UsbPrinter] | UsbScanError) -> None:
        if isinstance(found, UsbScanError):
            self._usb_failed(seq, found)
            return
        if seq != self._usb_seq:
            return  # an older search finishing late
        self.usb_search.setEnabled(True)
        self.usb_found.clear()
        if not found:
            self.usb_hint.setText(tr("No USB printer found: check that it is switched on and "
                                     "plugged in, or enter its ids below."))
        else:
            self.usb_hint.setText(tr("Choose your printer: its ids are filled in below."))
            current = (self.vendor_id.text().strip().lower(),
                       self.product_id.text().strip().lower())
            for printer in found:
                self.usb_found.addItem(printer.label, (printer.vendor_id, printer.product_id))
                if (_hex(printer.vendor_id), _hex(printer.product_id)) == current:
                    self.usb_found.setCurrentIndex(self.usb_found.count() - 1)
            if not any(current):  # never overwrite ids the shopkeeper has
                self._usb_chosen(self.usb_found.currentIndex())
        self.usb_search_finished.emit()

    def _usb_failed(self, seq: int, error: UsbScanError) -> None:
        if seq != self._usb_seq:
            return
        log.warning("USB printers not listed: %s", error)
        self.usb_search.setEnabled(True)
        self.usb_found.clear()
        self.usb_hint.setText(usb_scan_text(error.code))
        self.usb_hint.setToolTip(str(error))
        self.usb_search_finished.emit()

    def _usb_chosen(self, index: int) -> None:
        ids = self.usb_found.itemData(index)
        if ids:
            self.vendor_id.setText(_hex(ids[0]))
            self.product_id.setText(_hex(ids[1]))

    def _browse(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(self, tr("File or device"), self.path.text())
        if path:
            self.path.setText(path)

    # -- helpers ----------------------------------------------------------------------
    def _start(self, fn: Callable[[], Any], on_done: Callable[[Any], None],
               on_failed: Callable[[str], None]) -> None:
        # Slots connected before the work starts: a quick answer must not be lost.
        # The Call's parent (this widget) keeps it alive until it reports.
        run_in_pool(fn, self, on_done=on_done, on_failed=on_failed)

    def _say(self, text: str, problem: bool = False) -> None:
        self.message.setText(text)
        self.message.setProperty("problem", problem)
        self.message.setStyleSheet("color: #c0392b; font-weight: 700;" if problem else "")


def _hex(value: int | None) -> str:
    return "" if value is None else f"{value:04x}"


def _required(edit: QLineEdit, message: str) -> str:
    text = edit.text().strip()
    if not text:
        raise FormError(message, edit)
    return text


def _number(field: QLineEdit | QComboBox, low: int, high: int, message: str) -> int:
    text = (field.text() if isinstance(field, QLineEdit) else field.currentText()).strip()
    if not (text.isascii() and text.isdigit()) or not low <= int(text) <= high:
        raise FormError(message, field)
    return int(text)


def _hex_id(edit: QLineEdit, message: str) -> int:
    text = edit.text().strip()
    if not _HEX_ID.match(text):
        raise FormError(message, edit)
    return int(text, 16)
