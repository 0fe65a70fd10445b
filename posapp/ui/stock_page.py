"""The "Stock" tab: find a product (by name or by scanning it) and correct its stock.

A barcode scanner behaves as a keyboard: it types the digits then Enter into
the search field (which keeps the focus), and Enter selects the product.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from posapp.domain.stock import InvalidStockChange, StockService
from posapp.ui import fmt
from posapp.ui.dialogs import CountDialog, QuantityDialog
from posapp.ui.elided import breakable
from posapp.ui.i18n import tr
from posapp.ui.stock_model import StockModel, is_low, quantity_text

__all__ = ["StockPage"]


class StockPage(QWidget):
    changed = Signal()  # a change was queued: push it, refresh views
    failed = Signal(str)  # a message for the shopkeeper

    def __init__(self, stock: StockService, parent: QWidget | None = None):
        super().__init__(parent)
        self.stock = stock
        self.model = StockModel(self.set_available)
        self.search = QLineEdit()
        self.search.setObjectName("stockSearch")
        self.search.setPlaceholderText(tr("Search a product, or scan its barcode"))
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.reload)
        self.search.returnPressed.connect(self.on_enter)
        self.hint = QLabel("")
        self.hint.setObjectName("hint")

        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(44)
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        # Size columns from the first rows only: measuring all 50,000 made every reload slow.
        header.setResizeContentsPrecision(64)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show_selected())

        left = QVBoxLayout()
        left.addWidget(self.search)
        left.addWidget(self.hint)
        left.addWidget(self.table, 1)

        self.name = QLabel(tr("No product selected"))
        self.name.setObjectName("detailTitle")
        self.name.setWordWrap(True)
        self.name.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.quantity = QLabel("")
        self.quantity.setObjectName("stockQuantity")
        self.info = QLabel("")
        self.info.setObjectName("hint")
        self.info.setWordWrap(True)
        self.minus = self._button(tr("−1 counter sale"), "minusButton", "F2",
                                  lambda: self.adjust(-1, "counter_sale"))
        self.plus = self._button(tr("Restock…"), "plusButton", "F3",
                                 lambda: self.adjust_quantity("restock"))
        self.waste = self._button(tr("Waste…"), "wasteButton", "F5",
                                  lambda: self.adjust_quantity("waste"))
        self.toggle = self._button(tr("Mark sold out"), "toggleButton", "F4", self.toggle_available)
        self.count_button = self._button(tr("Count…"), "countButton", "F6", self.count)
        content = QWidget()
        right = QVBoxLayout(content)
        right.setContentsMargins(16, 14, 16, 14)
        for widget in (self.name, self.quantity, self.info):
            right.addWidget(widget)
        right.addStretch(1)
        for button in (self.minus, self.plus, self.waste, self.toggle, self.count_button):
            right.addWidget(button)
        # Under the alert band and a banner, a 720-px screen leaves this pane less than its
        # title and five touch-sized buttons need: it scrolls rather than cut the title
        # and pile the buttons onto each other.
        self.pane_scroll = QScrollArea()
        self.pane_scroll.setWidgetResizable(True)
        self.pane_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.pane_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.pane_scroll.setWidget(content)
        right_box = QWidget()
        right_box.setObjectName("orderDetail")
        right_box.setMinimumWidth(340)
        box = QVBoxLayout(right_box)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.pane_scroll)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addLayout(left, 3)
        layout.addWidget(right_box, 1)
        self.reload()

    def _button(self, text: str, name: str, key: str, slot: Callable[[], Any]) -> QPushButton:
        button = QPushButton(f"{text}  [{key}]")
        button.setObjectName(name)
        button.setProperty("class", "stockButton")
        button.setMinimumHeight(56)
        button.clicked.connect(slot)
        shortcut = QShortcut(QKeySequence(key), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(slot)
        return button

    # -- data --------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Reload now if shown, else when next shown (a pull must not stall the board)."""
        if self.isVisible():
            self.reload()
        else:
            self._stale = True

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt API)
        super().showEvent(event)
        if getattr(self, "_stale", False):
            self.reload()

    def reload(self) -> None:
        self._stale = False
        keep = self.selected_sku()
        self.model.set_products(self.stock.products(self.search.text().strip()))
        if keep is not None:
            self.select_sku(keep, quiet=True)
        self._show_selected()

    def selected_sku(self) -> str | None:
        row = self.table.currentIndex().row()
        return self.model.products[row]["sku"] if 0 <= row < len(self.model.products) else None

    def selected_product(self) -> dict[str, Any] | None:
        sku = self.selected_sku()
        return self.stock.product(sku) if sku else None

    def select_sku(self, sku: str, quiet: bool = False) -> bool:
        row = self.model.row_of(sku)
        if row is None:
            return False
        self.table.setCurrentIndex(self.model.index(row, 0))
        self.table.scrollTo(self.model.index(row, 0))
        if not quiet:
            self._show_selected()
        return True

    def on_enter(self) -> None:
        """Enter in the search field: a scanned barcode, or the only match of a name."""
        text = self.search.text().strip()
        if not text:
            return
        product = self.stock.by_barcode(text)
        if product is None and len(self.model.products) == 1:
            product = self.model.products[0]
        if product is None:
            self.hint.setText(tr("No product for “{t}”.").format(t=text))
            return
        self.search.blockSignals(True)  # keep the scanned code visible without refiltering
        self.model.set_products(self.stock.products(text) or [product])
        self.search.blockSignals(False)
        self.select_sku(product["sku"])
        self.hint.setText(tr("Selected: {p}").format(p=product["name"]))
        self.search.selectAll()  # the next scan replaces this one

    def _show_selected(self) -> None:
        product = self.selected_product()
        for button in (self.minus, self.plus, self.waste, self.toggle, self.count_button):
            button.setEnabled(product is not None)
        if product is None:
            self.name.setText(tr("No product selected"))
            self.quantity.setText("")
            self.quantity.hide()  # no empty line between the title and the hint
            self.info.setText(tr("Scan a product or click a line."))
            return
        self.name.setText(breakable(product["name"]))
        self.quantity.setText(tr("In stock: {q}").format(q=quantity_text(product)))
        self.quantity.show()
        self.quantity.setProperty("low", is_low(product))
        self.quantity.style().unpolish(self.quantity)
        self.quantity.style().polish(self.quantity)
        lines = [f"{product.get('category') or ''} · {fmt.euros(product['price_cents'])}",
                 tr("Alert below {n}").format(n=product.get("low_stock_threshold") or 0)]
        if not product["available"]:
            lines.append(tr("SOLD OUT online"))
        self.info.setText("\n".join(lines))
        self.toggle.setText((tr("Back on sale") if not product["available"]
                             else tr("Mark sold out")) + "  [F4]")

    # -- changes -----------------------------------------------------------------------------
    def _apply(self, change: Callable[[], Any]) -> bool:
        try:
            change()
        except (InvalidStockChange, ValueError) as exc:
            self.failed.emit(str(exc))
            return False
        self.changed.emit()
        return True

    def adjust(self, delta: int, reason: str) -> bool:
        sku = self.selected_sku()
        return sku is not None and self._apply(lambda: self.stock.adjust(sku, delta, reason))

    def adjust_quantity(self, reason: str) -> bool:
        """Restock or waste: ask how many (one tap per unit was the old way)."""
        product = self.selected_product()
        if product is None:
            return False
        quantity = self.ask_quantity(product["name"], reason)
        if not quantity:
            return False
        return self.adjust(quantity if reason == "restock" else -quantity, reason)

    def ask_quantity(self, name: str, reason: str) -> int | None:
        dialog = QuantityDialog(name, reason, self)
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        dialog.deleteLater()
        return dialog.value() if accepted else None

    def set_available(self, sku: str, available: bool) -> bool:
        return self._apply(lambda: self.stock.set_available(sku, available))

    def toggle_available(self) -> bool:
        product = self.selected_product()
        return product is not None and self.set_available(product["sku"], not product["available"])

    def count(self) -> bool:
        product = self.selected_product()
        if product is None:
            return False
        seen = int(product["quantity"])  # what the counter showed when the count started
        counted = self.ask_count(product["name"], seen)
        if counted is None:
            return False
        return self._apply(lambda: self.stock.count(product["sku"], counted, seen=seen))

    def ask_count(self, name: str, seen: int) -> int | None:
        dialog = CountDialog(name, seen, self)
        return dialog.value() if dialog.exec() == QDialog.DialogCode.Accepted else None
