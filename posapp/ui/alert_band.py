"""The alert the counter cannot miss, on every tab: a full-width band above the tabs.

While any order is new, ``AlertBand`` flashes with how many wait and how long
until the marketplace refuses the first of them; in the last two minutes it
turns red. Its "OK, seen" button snoozes the sound for at most a minute (see
``OrderAlert.snooze``); the band keeps flashing until every order has an answer. ``SoundWarning`` stays on screen, without a close
button, as long as the alert sound cannot be heard.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QWidget

from posapp.ui.alerts import OrderAlert
from posapp.ui.i18n import tr
from posapp.ui.respond_by import URGENT_S, clock_text, soonest_deadline

__all__ = ["AlertBand", "SoundWarning"]

FLASH_MS = 500


def _restyle(widget: QWidget, name: str, value: Any) -> None:
    """Set a dynamic property the style sheet keys on; children styled by it follow."""
    if widget.property(name) != value:
        widget.setProperty(name, value)
        for each in (widget, *widget.findChildren(QLabel)):
            each.style().unpolish(each)
            each.style().polish(each)


class AlertBand(QFrame):
    def __init__(self, alert: OrderAlert, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("alertBand")
        self.alert = alert
        self.orders: list[dict[str, Any]] = []
        self.text = QLabel("")
        self.text.setObjectName("alertBandText")
        # A long text is cut, never allowed to widen the window.
        self.text.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.text.setMinimumWidth(0)
        self.ack_button = QPushButton(tr("OK, seen  [V]"))
        self.ack_button.setObjectName("ackButton")
        self.ack_button.setMinimumHeight(48)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(16, 6, 8, 6)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.ack_button, 0, Qt.AlignmentFlag.AlignVCenter)
        self.flash = QTimer(self)
        self.flash.setInterval(FLASH_MS)
        self.flash.timeout.connect(self._toggle_flash)
        self.setVisible(False)

    def set_waiting(self, orders: list[dict[str, Any]]) -> None:
        """The orders shown as new, from the board; refreshes the band and the alert."""
        self.orders = orders
        self.refresh()

    def refresh(self) -> None:
        """Every second and on every board change: countdown, urgency, flashing."""
        waiting = len(self.orders)
        left = soonest_deadline(self.orders)
        urgent = left is not None and left <= URGENT_S
        self.alert.update(waiting, urgent)
        self.setVisible(waiting > 0)
        _restyle(self, "urgent", urgent)
        if waiting == 0:
            self.flash.stop()
            _restyle(self, "flash", False)
            return
        if waiting == 1:
            text = tr("1 new order is waiting for an answer")
        else:
            text = tr("{n} new orders are waiting for an answer").format(n=waiting)
        if left is not None and left > 0:
            text += " — " + tr("automatic refusal in {t}").format(t=clock_text(left))
        elif left is not None:  # offline, or the marketplace's refusal not heard yet
            text += " — " + tr("time to answer is over: the marketplace refuses it by itself")
        if self.alert.snoozed:
            text += " — " + tr("sound back in {t}").format(
                t=clock_text(self.alert.snooze_remaining_s()))
        self.text.setText(text)
        self.text.setToolTip(text)
        if not self.flash.isActive():  # snoozed or not: "OK, seen" silences, it does not hide
            self.flash.start()

    def _toggle_flash(self) -> None:
        _restyle(self, "flash", not self.property("flash"))


class SoundWarning(QFrame):
    """"No sound": permanent while the alert cannot be heard; no way to close it."""

    def __init__(self, alert: OrderAlert, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("soundWarning")
        self.text = QLabel("")
        self.text.setObjectName("soundWarningText")
        self.text.setWordWrap(True)
        self.text.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(16, 6, 16, 6)
        layout.addWidget(self.text, 1)
        alert.problem_changed.connect(self.show_problem)
        self.show_problem(alert.problem() or "")

    def show_problem(self, problem: str) -> None:
        self.text.setText(tr("NO SOUND") + " — " + problem if problem else "")
        self.setVisible(bool(problem))
