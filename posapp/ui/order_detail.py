"""The selected order in full, and the big buttons that decide what happens to it."""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from posapp.ui import fmt
from posapp.ui.elided import breakable, unbreakable
from posapp.ui.i18n import tr

__all__ = ["OrderDetail", "LinesView", "ACCEPT_PRESETS"]


ACCEPT_PRESETS = (10, 20, 30, 45)  # minutes; keys 1..4


def _wrapping(text: str, name: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName(name)
    label.setWordWrap(True)
    # Its width comes from the pane, never the other way round.
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    return label


class LinesView(QWidget):
    """The order's lines: quantity, name (wrapping, options below) and a price that stays visible.

    A grid, not an HTML table: a long name wraps in its own column and the price
    column keeps its width, so prices and total are never pushed out of sight.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("detailLines")
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 6, 0, 6)
        self.grid.setHorizontalSpacing(10)
        self.grid.setVerticalSpacing(6)
        self.grid.setColumnStretch(1, 1)
        self.prices: list[QLabel] = []
        self._text = ""
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def set_order(self, order: dict[str, Any]) -> None:
        while self.grid.count():
            item = self.grid.takeAt(0)
            if item is not None and item.widget() is not None:
                item.widget().deleteLater()
        self.prices = []
        plain = []
        row = 0
        for line in order.get("lines", []):
            qty = QLabel(f"{line['qty']}\u00a0×")
            qty.setObjectName("lineQty")
            qty.setAlignment(Qt.AlignmentFlag.AlignTop)
            options = [f"+ {o}" for o in line.get("options") or []]
            name = _wrapping(breakable(line["name"]), "lineName")
            if options:
                name.setTextFormat(Qt.TextFormat.RichText)
                name.setText(html.escape(breakable(line["name"])) + "".join(
                    f"<br><span style='color:#6b5e52'>&nbsp;&nbsp;{html.escape(breakable(o))}</span>"
                    for o in options))
            price = QLabel(fmt.euros(line["qty"] * line["unit_price_cents"]))
            price.setObjectName("linePrice")
            price.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
            top = Qt.AlignmentFlag.AlignTop
            self.grid.addWidget(qty, row, 0, top)
            self.grid.addWidget(name, row, 1)
            self.grid.addWidget(price, row, 2, top | Qt.AlignmentFlag.AlignRight)
            self.prices.append(price)
            plain.append(" ".join([f"{line['qty']} ×", line["name"], *options, price.text()]))
            row += 1
        total_name = QLabel(f"<b>{html.escape(tr('Total'))}</b>")
        total = QLabel(f"<b>{html.escape(fmt.euros(order.get('total_cents')))}</b>")
        total.setObjectName("lineTotal")
        total.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.grid.addWidget(total_name, row, 1)
        self.grid.addWidget(total, row, 2)
        self.prices.append(total)
        plain.append(f"{tr('Total')} {fmt.euros(order.get('total_cents'))}")
        self._text = "\n".join(plain)
        for i in range(self.grid.count()):  # shown now, not on the next loop turn: the
            widget = self.grid.itemAt(i).widget()  # pane's height is right at once
            if widget is not None:
                widget.show()
        self.updateGeometry()

    def text(self) -> str:
        return self._text


def _big_button(text: str, name: str, shortcut_hint: str, two_lines: bool = False) -> QPushButton:
    button = QPushButton(f"{text}\n[{shortcut_hint}]" if two_lines else f"{text}  [{shortcut_hint}]")
    button.setObjectName(name)
    button.setMinimumHeight(56)
    button.setCursor(Qt.CursorShape.PointingHandCursor)
    return button


class OrderDetail(QFrame):
    accept_requested = Signal(str, int)  # order id, minutes
    custom_accept_requested = Signal(str)
    reject_requested = Signal(str)
    ready_requested = Signal(str)
    handover_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None, *, actions: bool = True):
        super().__init__(parent)
        self.setObjectName("orderDetail")
        self.order: dict[str, Any] | None = None

        self.title = _wrapping(tr("Select an order"), "detailTitle")
        self.subtitle = _wrapping("", "detailSubtitle")
        self.status_line = _wrapping("", "detailStatus")
        self.warning = _wrapping("", "detailWarning")  # cancelled / refused / late
        self.lines = LinesView()
        self.note = _wrapping("", "detailNote")
        self.allergens = _wrapping("", "detailAllergens")
        self.history = _wrapping("", "detailHistory")

        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.subtitle, self.status_line, self.warning, self.allergens, self.note,
                       self.lines, self.history):
            body_layout.addWidget(widget)
        body_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        # Down, never sideways: the body takes the pane's width and wraps inside it.
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        body.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        body.setMinimumWidth(0)
        self.scroll = scroll
        self.body = body
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 14)
        layout.addWidget(self.title)
        layout.addWidget(scroll, 1)

        self.preset_buttons: dict[int, QPushButton] = {}
        self.actions = QWidget()
        self.actions.setObjectName("detailActions")
        if actions:
            self._build_actions()
            layout.addWidget(self.actions)
        self.show_order(None)

    def _build_actions(self) -> None:
        grid = QGridLayout(self.actions)
        grid.setContentsMargins(0, 8, 0, 0)
        grid.setSpacing(8)
        self.accept_label = QLabel(tr("Accept — ready in:"))
        self.accept_label.setObjectName("acceptLabel")
        grid.addWidget(self.accept_label, 0, 0, 1, 5)
        for i, minutes in enumerate(ACCEPT_PRESETS):
            button = _big_button(tr("{m} min").format(m=minutes), "presetButton", str(i + 1),
                                 two_lines=True)
            button.clicked.connect(lambda _=False, m=minutes: self._emit(self.accept_requested, m))
            grid.addWidget(button, 1, i)
            self.preset_buttons[minutes] = button
        self.custom_button = _big_button(tr("Other…"), "presetButton", "T", two_lines=True)
        self.custom_button.clicked.connect(lambda: self._emit(self.custom_accept_requested))
        grid.addWidget(self.custom_button, 1, 4)
        self.reject_button = _big_button(tr("Refuse…"), "rejectButton", "R")
        self.reject_button.clicked.connect(lambda: self._emit(self.reject_requested))
        self.ready_button = _big_button(tr("Ready"), "readyButton", "P")
        self.ready_button.clicked.connect(lambda: self._emit(self.ready_requested))
        self.handover_button = _big_button(tr("Handed to customer"), "handoverButton", "C")
        self.handover_button.clicked.connect(lambda: self._emit(self.handover_requested))
        for button in (self.ready_button, self.handover_button, self.reject_button):
            grid.addWidget(button, grid.rowCount(), 0, 1, 5)

    def _emit(self, signal: Any, *extra: Any) -> None:
        if self.order is not None:
            signal.emit(self.order["id"], *extra)

    # -- content ---------------------------------------------------------------------
    def show_order(self, order: dict[str, Any] | None) -> None:
        self.order = order
        has = order is not None
        for widget in (self.subtitle, self.status_line, self.lines, self.history):
            widget.setVisible(has)
        if order is None:
            self.title.setText(tr("Select an order"))
            self.warning.hide()
            self.note.hide()
            self.allergens.hide()
            self._update_actions(None)
            return
        self.title.setText(tr("No. {n}").format(n=order["number"]))
        who = [fmt.channel_label(order["channel"]), breakable(order.get("customer_name") or "")]
        if order.get("customer_phone"):
            who.append(unbreakable(order["customer_phone"]))  # never wrapped mid-number
        if order["channel"] == "delivery" and order.get("customer_address"):
            who.append(breakable(order["customer_address"]))
        paid = tr("paid online") if order.get("paid") else tr("NOT PAID — to be paid at the counter")
        who.append(paid)
        self.subtitle.setText("  ·  ".join(w for w in who if w))
        self._set_status_line(order)
        self.lines.set_order(order)
        self.note.setVisible(bool(order.get("note")))
        self.note.setText("✎ " + tr("Note: {n}").format(n=breakable(order.get("note") or "")))
        self.allergens.setVisible(bool(order.get("allergens")))
        self.allergens.setText("⚠ " + tr("ALLERGENS: {a}").format(
            a=breakable(order.get("allergens") or "")))
        history = [
            f"{fmt.local_time(h['at'], with_date=True)} — {fmt.status_label(h['status'])}"
            + (f" ({fmt.actor_label(h['by'])})" if h.get("by") else "")
            for h in order.get("history", [])
        ]
        if order.get("pending"):
            history.append(tr("{s} — waiting for the marketplace to confirm").format(
                s=fmt.status_label(order["status"])))
        self.history.setText("<b>" + tr("History") + "</b><br>" + "<br>".join(
            html.escape(breakable(h)) for h in history))
        self._update_actions(order)

    def _set_status_line(self, order: dict[str, Any]) -> None:
        status = order["status"]
        parts = [fmt.status_label(status), tr("received at {t}").format(
            t=fmt.local_time(order.get("created_at")))]
        if order.get("pickup_slot"):
            parts.append(tr("pickup slot {t}").format(t=fmt.local_time(order["pickup_slot"])))
        warning = ""
        if status == "accepted" and order.get("ready_by"):
            text, late = fmt.countdown_text(order["ready_by"])
            parts.append(tr("promised for {t}").format(t=fmt.local_time(order["ready_by"])))
            if late:
                warning = text
        if status == "cancelled":
            warning = tr("CANCELLED by the customer — do not prepare it, do not hand it over.")
        elif status == "rejected":
            warning = tr("Refused: {r}").format(r=fmt.reject_reason_label(order.get("reject_reason")))
        self.status_line.setText("  ·  ".join(parts))
        self.warning.setText(warning)
        self.warning.setVisible(bool(warning))

    def refresh_times(self) -> None:
        if self.order is not None:
            self._set_status_line(self.order)

    def _update_actions(self, order: dict[str, Any] | None) -> None:
        if not self.preset_buttons:
            return
        status = order["status"] if order else None
        is_new = status == "new"
        self.accept_label.setVisible(is_new)
        for button in (*self.preset_buttons.values(), self.custom_button, self.reject_button):
            button.setVisible(is_new)
        self.ready_button.setVisible(status == "accepted")
        # Handing over is the main action of a ready order only; on an accepted one it is a
        # secondary button (and asks to confirm); a new order must be answered first.
        self.handover_button.setVisible(status in ("accepted", "ready"))
        secondary = status != "ready"
        if self.handover_button.property("secondary") != secondary:
            self.handover_button.setProperty("secondary", secondary)
            self.handover_button.style().unpolish(self.handover_button)
            self.handover_button.style().polish(self.handover_button)
        if order is not None:
            self.handover_button.setText(fmt.handover_label(order["channel"]) + "  [C]")
        self.actions.setVisible(status in ("new", "accepted", "ready"))
