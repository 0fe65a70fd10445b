"""The "Orders" tab: the board on the left, the selected order on the right; on a counter
not paired yet, what to do instead (``FirstRunPanel``)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSplitter, QStackedLayout, QWidget

from posapp.ui.board import BoardView
from posapp.ui.first_run import FirstRunPanel
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
        self.first_run = FirstRunPanel()
        self._stack = QStackedLayout(self)
        self._stack.setContentsMargins(0, 0, 0, 0)
        self._stack.addWidget(splitter)
        self._stack.addWidget(self.first_run)

    def set_paired(self, paired: bool) -> None:
        """The board once paired; until then, the panel saying how to pair."""
        self._stack.setCurrentWidget(self.splitter if paired else self.first_run)
