"""One order on the board: what the counter needs at a glance, from across the room.

A card is built once per order and updated in place (``set_order``) when what it
shows changes: the board reuses it across refreshes and moves it between columns.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from posapp.ui import fmt
from posapp.ui.elided import ElidedLabel
from posapp.ui.i18n import tr
from posapp.ui.respond_by import URGENT_S, clock_text, seconds_left

__all__ = ["OrderCard", "shown_key"]

# The order fields a card displays (directly or through refresh_times): a card
# whose order still has the same values for these needs no update.
_SHOWN_FIELDS = (
    "status", "pending", "number", "channel", "customer_name", "item_count", "total_cents",
    "allergens", "acknowledged_at", "created_at", "updated_at", "ready_by", "pickup_slot",
    "respond_by",
)


def shown_key(order: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(order.get(field) for field in _SHOWN_FIELDS)


def _label(text: str, name: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName(name)
    return label


def _repolish(widget: QWidget) -> None:
    # Dynamic properties only restyle after an unpolish/polish cycle; the StyleChange
    # event then lets a frame take a new border width (the selected card's 3 px) into
    # its contents margins and layout, as a card built with the property would.
    widget.style().unpolish(widget)
    widget.style().polish(widget)
    QApplication.sendEvent(widget, QEvent(QEvent.Type.StyleChange))


def _set_property(widget: QWidget, name: str, value: Any) -> bool:
    """Set a dynamic property; True when it changed (the widget then needs a repolish)."""
    if widget.property(name) == value:
        return False
    widget.setProperty(name, value)
    return True


class OrderCard(QFrame):
    clicked = Signal(str)  # order id

    def __init__(self, order: dict[str, Any], parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("orderCard")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        # Until the card is polished (first show), property changes need no repolish.
        self._built = False
        self._key: tuple[Any, ...] | None = None
        self._countdown_shown: bool | None = None

        self.number = _label("", "cardNumber")
        self.channel = _label("", "channelBadge")
        self._top = QHBoxLayout()
        self._top.addWidget(self.number)
        self._top.addStretch(1)
        self._pending_mark: QLabel | None = None  # made when first needed
        self._badges = QHBoxLayout()
        self._status_badge: QLabel | None = None  # CANCELLED / Refused, made when first needed
        self._badges.addWidget(self.channel)
        self._badges.addStretch(1)

        self.customer = ElidedLabel()  # a long name ends in "…", whole in the tooltip
        self.customer.setObjectName("cardCustomer")
        self.summary = ElidedLabel()
        self.summary.setObjectName("cardSummary")
        self._allergens: QLabel | None = None  # made when first needed
        self.elapsed = _label("", "cardElapsed")
        self.countdown = _label("", "cardCountdown")

        self._layout = layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 10)
        layout.setSpacing(3)
        layout.addLayout(self._top)
        layout.addLayout(self._badges)
        layout.addWidget(self.customer)
        layout.addWidget(self.summary)
        layout.addWidget(self.elapsed)
        layout.addWidget(self.countdown)
        self.countdown.setWordWrap(True)
        for label in (self.customer, self.summary, self.elapsed):
            # Narrow columns must squeeze text rather than push the card past the column.
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.order = order
        self.set_order(order)
        self.set_selected(False)
        self._built = True

    @property
    def order_id(self) -> str:
        return str(self.order["id"])

    # -- content -------------------------------------------------------------------------------
    def set_order(self, order: dict[str, Any]) -> bool:
        """Show ``order``; touches the widgets only if a shown field changed. True if it did."""
        self.order = order
        key = shown_key(order)
        if key == self._key:
            return False
        self._key = key
        status = order["status"]

        self.number.setText(tr("No. {n}").format(n=order["number"]))
        self.channel.setText(fmt.channel_label(order["channel"]))
        if _set_property(self.channel, "channel", order["channel"]) and self._built:
            _repolish(self.channel)

        if order.get("pending"):
            # Decided here, not yet confirmed by the marketplace.
            if self._pending_mark is None:
                self._pending_mark = _label("⟳", "pendingMark")
                self._top.addWidget(self._pending_mark)
            self._pending_mark.setVisible(True)
        elif self._pending_mark is not None:
            self._pending_mark.setVisible(False)

        # A cancelled / refused order shows that instead of its channel: it matters more.
        badge = {"cancelled": (tr("CANCELLED"), "cancelledBadge"),
                 "rejected": (tr("Refused"), "mutedBadge")}.get(status)
        if badge is not None:
            if self._status_badge is None:
                self._status_badge = _label(*badge)
                self._badges.insertWidget(0, self._status_badge)
            elif self._status_badge.objectName() != badge[1]:
                self._status_badge.setText(badge[0])
                self._status_badge.setObjectName(badge[1])
                _repolish(self._status_badge)
            self._status_badge.setVisible(True)
            self.channel.setVisible(False)
        else:
            if self._status_badge is not None:
                self._status_badge.setVisible(False)
            self.channel.setVisible(True)

        self.customer.setText(order.get("customer_name") or "")
        items = int(order.get("item_count") or 0)
        summary = tr("{n} items").format(n=items) if items != 1 else tr("1 item")
        # The total first: a narrow card (1280-px screen) cuts the end of the line, and
        # "7 articles · 125,…" hid the figure the counter reads this line for.
        self.summary.setText(f"{fmt.euros(order['total_cents'])} · {summary}")
        if order.get("allergens"):
            text = "⚠ " + tr("Allergens: {a}").format(a=order["allergens"])
            if self._allergens is None:
                self._allergens = _label(text, "cardAllergens")
                self._allergens.setWordWrap(True)
                self._layout.insertWidget(self._layout.indexOf(self.elapsed), self._allergens)
            else:
                self._allergens.setText(text)
            self._allergens.setVisible(True)
        elif self._allergens is not None:
            self._allergens.setVisible(False)

        changed = _set_property(self, "status", status)
        changed |= _set_property(self, "unseen",
                                 status == "new" and not order.get("acknowledged_at"))
        if changed and self._built:
            self._repolish()
        self.refresh_times()
        return True

    # -- state -----------------------------------------------------------------------------------
    def set_selected(self, selected: bool) -> None:
        if _set_property(self, "selected", selected) and self._built:
            self._repolish()

    def set_late(self, late: bool) -> None:
        if _set_property(self, "late", late) and self._built:
            self._repolish()

    def _repolish(self) -> None:
        _repolish(self)

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
        elif order["status"] == "new":
            parts = []
            if order.get("pickup_slot"):
                parts.append(tr("slot {t}").format(t=fmt.local_time(order["pickup_slot"])))
            left = seconds_left(order)
            if left is not None:
                # The marketplace refuses it by itself at respond_by: count down to it.
                parts.append(tr("answer within {t}").format(t=clock_text(left)) if left > 0
                             else tr("time to answer is over"))
                late = left <= URGENT_S
            text = "\n".join(parts)  # one line each: a narrow card must not wrap mid-phrase
        self.countdown.setText(text)
        if self._countdown_shown is not bool(text):
            self._countdown_shown = bool(text)
            self.countdown.setVisible(bool(text))
        if _set_property(self.countdown, "late", late) and self._built:
            _repolish(self.countdown)
        self.set_late(late)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt API)
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit(self.order_id)
        super().mousePressEvent(event)
