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
    QVBoxLayout,
    QWidget,
)

from posapp.ui import fmt
from posapp.ui.i18n import tr

__all__ = ["OrderDetail", "ACCEPT_PRESETS"]

ACCEPT_PRESETS = (10, 20, 30, 45)  # minutes; keys 1..4


def _lines_html(order: dict[str, Any]) -> str:
    rows = []
    for line in order.get("lines", []):
        options = "".join(
            f"<div style='color:#6b5e52'>&nbsp;&nbsp;+ {html.escape(o)}</div>"
            for o in line.get("options") or []
        )
        price = fmt.euros(line["qty"] * line["unit_price_cents"])
        rows.append(
            "<tr><td style='padding:4px 10px 4px 0'><b>{q}&nbsp;×</b></td>"
            "<td style='padding:4px 0' width='100%'>{n}{o}</td>"
            "<td align='right' style='padding:4px 0 4px 10px'>{p}</td></tr>".format(
                q=line["qty"], n=html.escape(line["name"]), o=options, p=price)
        )
    rows.append(
        "<tr><td></td><td style='padding-top:8px'><b>{t}</b></td>"
        "<td align='right' style='padding-top:8px'><b>{v}</b></td></tr>".format(
            t=tr("Total"), v=fmt.euros(order.get("total_cents")))
    )
    return "<table width='100%' cellspacing='0'>" + "".join(rows) + "</table>"


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

        self.title = QLabel(tr("Select an order"))
        self.title.setObjectName("detailTitle")
        self.title.setWordWrap(True)
        self.subtitle = QLabel("")
        self.subtitle.setObjectName("detailSubtitle")
        self.subtitle.setWordWrap(True)
        self.status_line = QLabel("")
        self.status_line.setObjectName("detailStatus")
        self.warning = QLabel("")  # cancelled / refused / late: impossible to miss
        self.warning.setObjectName("detailWarning")
        self.warning.setWordWrap(True)
        self.lines = QLabel("")
        self.lines.setObjectName("detailLines")
        self.lines.setTextFormat(Qt.TextFormat.RichText)
        self.lines.setWordWrap(True)
        self.note = QLabel("")
        self.note.setObjectName("detailNote")
        self.note.setWordWrap(True)
        self.allergens = QLabel("")
        self.allergens.setObjectName("detailAllergens")
        self.allergens.setWordWrap(True)
        self.history = QLabel("")
        self.history.setObjectName("detailHistory")
        self.history.setWordWrap(True)

        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.subtitle, self.status_line, self.warning, self.allergens, self.note,
                       self.lines, self.history):
            body_layout.addWidget(widget)
        body_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
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
        who = [fmt.channel_label(order["channel"]), order.get("customer_name") or ""]
        if order.get("customer_phone"):
            who.append(order["customer_phone"])
        if order["channel"] == "delivery" and order.get("customer_address"):
            who.append(order["customer_address"])
        paid = tr("paid online") if order.get("paid") else tr("NOT PAID — to be paid at the counter")
        who.append(paid)
        self.subtitle.setText("  ·  ".join(w for w in who if w))
        self._set_status_line(order)
        self.lines.setText(_lines_html(order))
        self.note.setVisible(bool(order.get("note")))
        self.note.setText("✎ " + tr("Note: {n}").format(n=order.get("note") or ""))
        self.allergens.setVisible(bool(order.get("allergens")))
        self.allergens.setText("⚠ " + tr("ALLERGENS: {a}").format(a=order.get("allergens") or ""))
        history = [
            f"{fmt.local_time(h['at'], with_date=True)} — {fmt.status_label(h['status'])}"
            + (f" ({fmt.actor_label(h['by'])})" if h.get("by") else "")
            for h in order.get("history", [])
        ]
        if order.get("pending"):
            history.append(tr("{s} — waiting for the marketplace to confirm").format(
                s=fmt.status_label(order["status"])))
        self.history.setText("<b>" + tr("History") + "</b><br>" + "<br>".join(
            html.escape(h) for h in history))
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
        self.handover_button.setVisible(status in ("new", "accepted", "ready"))
        if order is not None:
            self.handover_button.setText(fmt.handover_label(order["channel"]) + "  [C]")
        self.actions.setVisible(status in ("new", "accepted", "ready"))
