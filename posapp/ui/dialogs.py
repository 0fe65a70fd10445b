"""Small modal questions: why refuse, which custom ready time, what was counted."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from posapp.ui import fmt
from posapp.ui.i18n import tr

__all__ = ["RejectDialog", "MinutesDialog", "CountDialog", "REJECT_CODES"]

REJECT_CODES = ("out_of_stock", "closing", "too_busy", "other")


class RejectDialog(QDialog):
    """One big button per reason: a single touch refuses."""

    def __init__(self, number: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(tr("Refuse order No. {n}").format(n=number))
        self.reason: str | None = None
        layout = QVBoxLayout(self)
        title = QLabel(tr("Why refuse order No. {n}?").format(n=number))
        title.setObjectName("dialogTitle")
        layout.addWidget(title)
        self.buttons: dict[str, QPushButton] = {}
        for i, code in enumerate(REJECT_CODES):
            button = QPushButton(f"{fmt.reject_reason_label(code)}  [{i + 1}]")
            button.setObjectName("reasonButton")
            button.setMinimumHeight(56)
            button.setShortcut(str(i + 1))
            button.clicked.connect(lambda _=False, c=code: self._choose(c))
            layout.addWidget(button)
            self.buttons[code] = button
        cancel = QPushButton(tr("Back (do not refuse)"))
        cancel.setMinimumHeight(48)
        cancel.clicked.connect(self.reject)
        layout.addWidget(cancel)

    def _choose(self, code: str) -> None:
        self.reason = code
        self.accept()


class _NumberDialog(QDialog):
    def __init__(self, title: str, label: str, value: int, maximum: int, suffix: str,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        layout = QVBoxLayout(self)
        text = QLabel(label)
        text.setWordWrap(True)
        text.setObjectName("dialogTitle")
        layout.addWidget(text)
        self.spin = QSpinBox()
        self.spin.setObjectName("bigSpin")
        self.spin.setRange(0, maximum)
        self.spin.setValue(value)
        self.spin.setSuffix(suffix)
        self.spin.setMinimumHeight(56)
        self.spin.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.spin.selectAll()
        layout.addWidget(self.spin)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(tr("OK"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("Cancel"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def value(self) -> int:
        return self.spin.value()


class MinutesDialog(_NumberDialog):
    def __init__(self, number: int, parent: QWidget | None = None):
        super().__init__(tr("Accept order No. {n}").format(n=number),
                         tr("Ready in how many minutes?"), 15, 24 * 60, " min", parent)
        self.spin.setMinimum(1)


class CountDialog(_NumberDialog):
    """Physical count: ``seen`` is what the counter showed when the count started."""

    def __init__(self, name: str, seen: int, parent: QWidget | None = None):
        super().__init__(tr("Stock count"),
                         tr("How many “{p}” did you count? (the screen showed {s})").format(
                             p=name, s=seen),
                         max(seen, 0), 1_000_000, "", parent)
        self.seen = seen
