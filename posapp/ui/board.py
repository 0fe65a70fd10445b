"""The order board: four columns of cards, kept in step with OrdersService.board().

A refresh is incremental: cards are keyed by order id and reused, updated in place
only when what they show changed, moved between columns without being rebuilt;
only new orders get a card, and cards of orders gone from the board are deleted.

Cards never move under a moving pointer: while the pointer moves over the board,
a refresh waits (a click meant for No. 4 must not land on No. 5). It happens once
the pointer leaves or rests for ``HOLD_MS`` (a finger on a touch screen leaves the
pointer where it tapped), and never later than ``MAX_HOLD_MS``: a new order always shows.
"""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import QEvent, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QCursor
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

__all__ = ["BoardView", "column_titles", "HOLD_MS", "MAX_HOLD_MS"]

HOLD_MS = 1200  # a pointer still for this long is not aiming at a card
MAX_HOLD_MS = 8000  # cards wait no longer than this for the pointer to settle


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
        # No margin beside the cards but a gap before the scroll bar: the style's default
        # (9 px a side) took the width "répondre sous 9:39" needs on a 1280-px screen.
        self.cards_box.setContentsMargins(0, 0, 2, 0)
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
        layout.setContentsMargins(4, 8, 4, 6)
        layout.addWidget(self.header)
        layout.addWidget(scroll, 1)
        self.cards: list[OrderCard] = []

    def place(self, cards: list[OrderCard], count: int) -> None:
        """Lay out exactly ``cards``, in this order, reusing them wherever they come from.

        Cards no longer listed are only taken out of the layout: the caller gives them
        to another column or deletes them in the same pass (no paint in between).
        """
        box = self.cards_box
        inner = box.parentWidget()
        for i, card in enumerate(cards):
            item = box.itemAt(i)
            if item is not None and item.widget() is card:
                continue  # already in place: the common case
            arriving = card.parentWidget() is not inner  # new, or from another column
            if not arriving:
                box.removeWidget(card)
            box.insertWidget(i, card)  # reparents an arriving card: moved, not rebuilt
            if arriving:
                card.show()  # a reparented widget is hidden until shown again
        # Whatever is left between the placed cards and the final stretch has left the column.
        while box.count() > len(cards) + 1:
            box.removeWidget(box.itemAt(len(cards)).widget())
        self.cards = list(cards)
        header = f"{self.title}  ({count})" if count else self.title
        if self.header.text() != header:
            self.header.setText(header)


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
        self._cards: dict[str, OrderCard] = {}  # order id → its card, in whichever column
        self._deferred: dict[str, list[dict[str, Any]]] | None = None
        self._hold_since = 0.0
        self._hold_cursor = QPoint()
        self._hold = QTimer(self)
        self._hold.setSingleShot(True)
        self._hold.timeout.connect(self._hold_over)

    # -- keeping still under the pointer -------------------------------------------------
    def pointer_over(self) -> bool:
        return self.isVisible() and self.rect().contains(self.mapFromGlobal(QCursor.pos()))

    def deferred(self) -> bool:
        return self._deferred is not None

    def set_board(self, board: dict[str, list[dict[str, Any]]]) -> None:
        if self._cards and self.pointer_over():
            self._defer(board)
            return
        self._apply(board)

    def _defer(self, board: dict[str, list[dict[str, Any]]]) -> None:
        # Cards are not even updated in place: a new line on one (a countdown) would make
        # it taller and push the ones below it down, under the pointer.
        self._deferred = board
        if not self._hold.isActive():
            self._hold_since = time.monotonic()
            self._hold_cursor = QCursor.pos()
            self._hold.start(HOLD_MS)

    def _hold_over(self) -> None:
        if self._deferred is None:
            return
        cursor = QCursor.pos()
        moving = cursor != self._hold_cursor
        waited_ms = (time.monotonic() - self._hold_since) * 1000
        if self.pointer_over() and moving and waited_ms + HOLD_MS <= MAX_HOLD_MS:
            self._hold_cursor = cursor
            self._hold.start(HOLD_MS)  # still aiming: keep still a little longer
            return
        self.flush()

    def flush(self) -> None:
        """Apply a refresh that waited for the pointer."""
        self._hold.stop()
        board, self._deferred = self._deferred, None
        if board is not None:
            self._apply(board)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Leave and self._deferred is not None:
            QTimer.singleShot(0, self, self.flush)
        return super().event(event)

    def _apply(self, board: dict[str, list[dict[str, Any]]]) -> None:
        self._hold.stop()
        self._deferred = None  # this board is newer than any that waited
        wanted: dict[str, list[dict[str, Any]]] = {}
        for key in self.columns:
            orders = board.get(key, [])
            if key == "done":
                orders = list(reversed(orders))  # most recent first among finished orders
            wanted[key] = orders
        new_ids = {str(order["id"]) for orders in wanted.values() for order in orders}
        unchanged = all(
            [c.order_id for c in self.columns[key].cards] == [str(o["id"]) for o in orders]
            for key, orders in wanted.items())
        # Updates off while cards move: one layout and one paint at the end, not one per card.
        batch = not unchanged and self.updatesEnabled()
        if batch:
            self.setUpdatesEnabled(False)
        try:
            for key, orders in wanted.items():
                cards = []
                for order in orders:
                    card = self._cards.get(str(order["id"]))
                    if card is None:
                        card = OrderCard(order)
                        card.clicked.connect(self.order_clicked)
                        self._cards[card.order_id] = card
                    else:
                        card.set_order(order)  # no-op when nothing shown changed
                    cards.append(card)
                self.columns[key].place(cards, len(orders))
            for order_id in [oid for oid in self._cards if oid not in new_ids]:
                card = self._cards.pop(order_id)
                card.setParent(None)
                card.deleteLater()
            self.select(self.selected_id)
        finally:
            if batch:
                self.setUpdatesEnabled(True)

    def cards(self) -> list[OrderCard]:
        return [card for column in self.columns.values() for card in column.cards]

    def card(self, order_id: str) -> OrderCard | None:
        return self._cards.get(order_id)

    def count(self) -> int:
        return len(self._cards)

    def column_of(self, order_id: str) -> str | None:
        card = self._cards.get(order_id)
        if card is None:
            return None
        return next((key for key, column in self.columns.items() if card in column.cards), None)

    def select(self, order_id: str | None) -> None:
        self.selected_id = order_id
        for card in self.cards():
            card.set_selected(card.order_id == order_id)

    def refresh_times(self) -> None:
        for card in self.cards():
            card.refresh_times()
