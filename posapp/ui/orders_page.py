"""The "Orders" tab: the board on the left, the selected order on the right."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSplitter, QVBoxLayout, QWidget

from posapp.ui.board import BoardView
from posapp.ui.order_detail import OrderDetail

__all__ = ["OrdersPage"]


class OrdersPage(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.board = BoardView()
        self.detail = OrderDetail()
        self.detail.setMinimumWidth(420)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.board)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([940, 420])
        self.splitter = splitter
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)
