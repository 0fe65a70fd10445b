"""The order board: four columns of cards, rebuilt from OrdersService.board() on change."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from posapp.ui.i18n import tr
from posapp.ui.order_card import OrderCard

__all__ = ["BoardView", "column_titles"]


def column_titles() -> dict[str, str]:
    return {
        "new": tr("New orders"),
        "preparing": tr("In preparation"),
        "ready": tr("Ready orders"),
        "done": tr("Done today"),
    }


class _Column(QFrame):
    def __init__(self, key: str, title: str):
        super().__init__()
        self.setObjectName("boardColumn")
        self.setProperty("column", key)
        # Equal columns whatever their cards contain: widths come from the stretch factors.
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Expanding)
        self.setMinimumWidth(170)
        self.title = title
        self.header = QLabel(title)
        self.header.setObjectName("columnHeader")
        self.header.setWordWrap(True)
        self.header.setFixedHeight(54)  # same on every column, even when a title wraps
        self.cards_box = QVBoxLayout()
        self.cards_box.setSpacing(10)
        self.cards_box.addStretch(1)
        inner = QWidget()
        inner.setObjectName("columnInner")
        inner.setLayout(self.cards_box)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(inner)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 8, 6, 6)
        layout.addWidget(self.header)
        layout.addWidget(scroll, 1)
        self.cards: list[OrderCard] = []

    def set_orders(self, orders: list[dict[str, Any]]) -> list[OrderCard]:
        for card in self.cards:
            card.setParent(None)
            card.deleteLater()
        self.cards = [OrderCard(order) for order in orders]
        for i, card in enumerate(self.cards):
            self.cards_box.insertWidget(i, card)
        self.header.setText(f"{self.title}  ({len(orders)})" if orders else self.title)
        return self.cards


class BoardView(QWidget):
    order_clicked = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.columns = {key: _Column(key, title) for key, title in column_titles().items()}
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        for column in self.columns.values():
            layout.addWidget(column, 1)
        self.selected_id: str | None = None

    def set_board(self, board: dict[str, list[dict[str, Any]]]) -> None:
        for key, column in self.columns.items():
            orders = board.get(key, [])
            if key == "done":
                orders = list(reversed(orders))  # most recent first among finished orders
            for card in column.set_orders(orders):
                card.clicked.connect(self.order_clicked)
        self.select(self.selected_id)

    def cards(self) -> list[OrderCard]:
        return [card for column in self.columns.values() for card in column.cards]

    def card(self, order_id: str) -> OrderCard | None:
        return next((c for c in self.cards() if c.order_id == order_id), None)

    def count(self) -> int:
        return len(self.cards())

    def column_of(self, order_id: str) -> str | None:
        for key, column in self.columns.items():
            if any(c.order_id == order_id for c in column.cards):
                return key
        return None

    def select(self, order_id: str | None) -> None:
        self.selected_id = order_id
        for card in self.cards():
            card.set_selected(card.order_id == order_id)

    def refresh_times(self) -> None:
        for card in self.cards():
            card.refresh_times()
