"""One order on the board: what the counter needs at a glance, from across the room."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from posapp.ui import fmt
from posapp.ui.i18n import tr

__all__ = ["OrderCard"]


def _label(text: str, name: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName(name)
    return label


class OrderCard(QFrame):
    clicked = Signal(str)  # order id

    def __init__(self, order: dict[str, Any], parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("orderCard")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.order = order
        status = order["status"]

        self.number = _label(tr("No. {n}").format(n=order["number"]), "cardNumber")
        self.channel = _label(fmt.channel_label(order["channel"]), "channelBadge")
        self.channel.setProperty("channel", order["channel"])
        top = QHBoxLayout()
        top.addWidget(self.number)
        top.addStretch(1)
        if order.get("pending"):
            # Decided here, not yet confirmed by the marketplace.
            top.addWidget(_label("⟳", "pendingMark"))
        badges = QHBoxLayout()
        # A cancelled / refused order shows that instead of its channel: it matters more.
        if status == "cancelled":
            badges.addWidget(_label(tr("CANCELLED"), "cancelledBadge"))
            self.channel.hide()
        elif status == "rejected":
            badges.addWidget(_label(tr("Refused"), "mutedBadge"))
            self.channel.hide()
        badges.addWidget(self.channel)
        badges.addStretch(1)

        self.customer = _label(order.get("customer_name") or "", "cardCustomer")
        items = int(order.get("item_count") or 0)
        summary = tr("{n} items").format(n=items) if items != 1 else tr("1 item")
        self.summary = _label(f"{summary} · {fmt.euros(order['total_cents'])}", "cardSummary")
        self.elapsed = _label("", "cardElapsed")
        self.countdown = _label("", "cardCountdown")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 10)
        layout.setSpacing(3)
        layout.addLayout(top)
        layout.addLayout(badges)
        layout.addWidget(self.customer)
        layout.addWidget(self.summary)
        if order.get("allergens"):
            allergens = _label("⚠ " + tr("Allergens: {a}").format(a=order["allergens"]),
                               "cardAllergens")
            allergens.setWordWrap(True)
            layout.addWidget(allergens)
        layout.addWidget(self.elapsed)
        layout.addWidget(self.countdown)
        self.countdown.setWordWrap(True)
        for label in (self.customer, self.summary, self.elapsed):
            # Narrow columns must squeeze text rather than push the card past the column.
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setProperty("status", status)
        self.setProperty("unseen", status == "new" and not order.get("acknowledged_at"))
        self.set_selected(False)
        self.refresh_times()

    @property
    def order_id(self) -> str:
        return str(self.order["id"])

    def set_selected(self, selected: bool) -> None:
        self.setProperty("selected", selected)
        self._repolish()

    def set_late(self, late: bool) -> None:
        if self.property("late") != late:
            self.setProperty("late", late)
            self._repolish()

    def _repolish(self) -> None:
        # Dynamic properties only restyle after an unpolish/polish cycle.
        self.style().unpolish(self)
        self.style().polish(self)

    def refresh_times(self) -> None:
        """Cheap repaint for the 1-s timer: no database access."""
        order = self.order
        self.elapsed.setText(fmt.elapsed_text(order.get("created_at")))
        late = False
        text = ""
        if order["status"] in ("accepted", "ready") and order.get("ready_by"):
            if order["status"] == "accepted":
                text, late = fmt.countdown_text(order["ready_by"])
            else:
                text = tr("ready since {t}").format(t=fmt.local_time(order.get("updated_at")))
        elif order["status"] == "new" and order.get("pickup_slot"):
            text = tr("slot {t}").format(t=fmt.local_time(order["pickup_slot"]))
        self.countdown.setText(text)
        self.countdown.setVisible(bool(text))
        self.countdown.setProperty("late", late)
        self.countdown.style().unpolish(self.countdown)
        self.countdown.style().polish(self.countdown)
        self.set_late(late)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt API)
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit(self.order_id)
        super().mousePressEvent(event)
