"""The "History" tab: find any order (number, customer name, phone), read it, reprint it."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from posapp.domain.orders import OrdersService
from posapp.ui import fmt
from posapp.ui.i18n import tr
from posapp.ui.order_detail import OrderDetail

__all__ = ["HistoryPage"]


class HistoryPage(QWidget):
    reprint_requested = Signal(str)  # order id

    def __init__(self, orders: OrdersService, parent: QWidget | None = None):
        super().__init__(parent)
        self.orders = orders
        self.results: list[dict[str, Any]] = []
        self.search = QLineEdit()
        self.search.setObjectName("historySearch")
        self.search.setPlaceholderText(tr("Order number, customer name or phone"))
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.reload)
        self.search.returnPressed.connect(self._open_first)
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels(
            [tr("No."), tr("Date"), tr("Customer"), tr("Status"), tr("Total")])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(42)
        self.table.setShowGrid(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.currentCellChanged.connect(lambda row, *_: self.open_row(row))

        self.detail = OrderDetail(actions=False)
        self.reprint = QPushButton(tr("Reprint the ticket"))
        self.reprint.setObjectName("reprintButton")
        self.reprint.setMinimumHeight(52)
        self.reprint.clicked.connect(self._reprint)
        self.reprint.setEnabled(False)
        right = QVBoxLayout()
        right.addWidget(self.detail, 1)
        right.addWidget(self.reprint)

        left = QVBoxLayout()
        left.addWidget(self.search)
        left.addWidget(self.table, 1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addLayout(left, 3)
        layout.addLayout(right, 2)
        self.reload()

    def reload(self) -> None:
        keep = self.detail.order["id"] if self.detail.order else None
        self.results = self.orders.search(self.search.text())
        self.table.blockSignals(True)
        # Columns sized to their contents would be measured again after every
        # setItem (0.5 ms each, 150 ms a page): size them once, after the fill.
        header = self.table.horizontalHeader()
        for col in range(self.table.columnCount()):
            if col != 2:
                header.setSectionResizeMode(col, QHeaderView.ResizeMode.Fixed)
        self.table.setRowCount(len(self.results))
        for row, order in enumerate(self.results):
            cells = [str(order["number"]), fmt.local_time(order["created_at"], with_date=True),
                     order.get("customer_name") or "", fmt.status_label(order["status"]),
                     fmt.euros(order["total_cents"])]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col in (0, 4):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, col, item)
        for col in range(self.table.columnCount()):
            if col != 2:
                header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.table.blockSignals(False)
        ids = [o["id"] for o in self.results]
        if keep in ids:
            self.table.selectRow(ids.index(keep))
            self.open_row(ids.index(keep))

    def _open_first(self) -> None:
        if self.results:
            self.table.selectRow(0)
            self.open_row(0)

    def open_row(self, row: int) -> None:
        if 0 <= row < len(self.results):
            self.detail.show_order(self.orders.get(self.results[row]["id"]))
        self.reprint.setEnabled(self.detail.order is not None)

    def _reprint(self) -> None:
        if self.detail.order is not None:
            self.reprint_requested.emit(self.detail.order["id"])
