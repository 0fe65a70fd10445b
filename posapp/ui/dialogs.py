"""Small modal questions: why refuse, which custom ready time, what was counted, how many.

Made for fingers: every control is at least ``TOUCH`` px high, numbers change
with big − / + buttons beside the field, and what cannot be undone (refusing an
order, handing over one that is not ready) takes one more, explicit tap.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QIntValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from posapp.ui import fmt
from posapp.ui.i18n import tr

__all__ = ["RejectDialog", "MinutesDialog", "CountDialog", "QuantityDialog", "ConfirmDialog",
           "NumberField", "REJECT_CODES", "TOUCH"]

REJECT_CODES = ("out_of_stock", "closing", "too_busy", "other")
TOUCH = 48  # px: the smallest control a finger hits reliably (Material, Apple HIG ≈ 44–48)


def _button(text: str, name: str = "", height: int = 56) -> QPushButton:
    button = QPushButton(text)
    if name:
        button.setObjectName(name)
    button.setMinimumHeight(max(height, TOUCH))
    button.setCursor(Qt.CursorShape.PointingHandCursor)
    return button


def _title(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("dialogTitle")
    label.setWordWrap(True)
    return label


def _ok_cancel(dialog: QDialog, ok_text: str, cancel_text: str, ok_name: str = "okButton"
               ) -> tuple[QHBoxLayout, QPushButton, QPushButton]:
    row = QHBoxLayout()
    cancel = _button(cancel_text, "cancelButton")
    ok = _button(ok_text, ok_name)
    ok.setDefault(True)
    cancel.clicked.connect(dialog.reject)
    ok.clicked.connect(dialog.accept)
    row.addWidget(cancel, 1)
    row.addWidget(ok, 1)
    return row, ok, cancel


class ConfirmDialog(QDialog):
    """One question, one big "yes" and one big "back": the extra tap before the irreversible."""

    def __init__(self, title: str, text: str, yes: str, parent: QWidget | None = None,
                 *, danger: bool = True):
        super().__init__(parent)
        self.setWindowTitle(title)
        layout = QVBoxLayout(self)
        layout.setSpacing(12)
        layout.addWidget(_title(text))
        row, self.yes, self.back = _ok_cancel(self, yes, tr("Back"),
                                              "dangerButton" if danger else "okButton")
        self.back.setDefault(True)  # Enter never confirms the irreversible by accident
        self.yes.setDefault(False)
        layout.addLayout(row)


class RejectDialog(QDialog):
    """Why refuse (one big button per reason), then one confirming tap.

    For "out of stock", the order's products are listed to tick: those go out
    of stock online with the refusal (``missing_skus``).
    """

    def __init__(self, number: int, parent: QWidget | None = None,
                 lines: list[dict[str, Any]] | None = None):
        super().__init__(parent)
        self.setWindowTitle(tr("Refuse order No. {n}").format(n=number))
        self.number = number
        self.reason: str | None = None
        self.pages = QStackedWidget()
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)

        choose = QWidget()
        choose_layout = QVBoxLayout(choose)
        choose_layout.setContentsMargins(0, 0, 0, 0)
        choose_layout.addWidget(_title(tr("Why refuse order No. {n}?").format(n=number)))
        self.buttons: dict[str, QPushButton] = {}
        for i, code in enumerate(REJECT_CODES):
            button = _button(f"{fmt.reject_reason_label(code)}  [{i + 1}]", "reasonButton")
            button.setShortcut(str(i + 1))
            button.clicked.connect(lambda _=False, c=code: self.choose(c))
            choose_layout.addWidget(button)
            self.buttons[code] = button
        cancel = _button(tr("Back (do not refuse)"), "cancelButton")
        cancel.clicked.connect(self.reject)
        choose_layout.addWidget(cancel)
        self.pages.addWidget(choose)

        confirm = QWidget()
        confirm_layout = QVBoxLayout(confirm)
        confirm_layout.setContentsMargins(0, 0, 0, 0)
        self.confirm_title = _title("")
        confirm_layout.addWidget(self.confirm_title)
        self.missing_label = QLabel(tr("Tick the products you no longer have: they go out of"
                                       " stock online."))
        self.missing_label.setWordWrap(True)
        confirm_layout.addWidget(self.missing_label)
        self.product_boxes: dict[str, QCheckBox] = {}
        seen: set[str] = set()
        for line in lines or []:
            sku = line.get("sku")
            if not sku or sku in seen:
                continue
            seen.add(sku)
            box = QCheckBox(line.get("name") or sku)
            box.setObjectName("missingProduct")
            box.setMinimumHeight(TOUCH)
            confirm_layout.addWidget(box)
            self.product_boxes[sku] = box
        row, self.confirm_button, self.back_button = _ok_cancel(
            self, tr("Yes, refuse the order"), tr("Back"), "dangerButton")
        self.back_button.clicked.disconnect()
        self.back_button.clicked.connect(lambda: self.pages.setCurrentIndex(0))
        confirm_layout.addStretch(1)
        confirm_layout.addLayout(row)
        self.pages.addWidget(confirm)

    def choose(self, code: str) -> None:
        """A reason was touched: ask for the one confirming tap."""
        self.reason = code
        self.confirm_title.setText(tr("Refuse order No. {n}: {r}?").format(
            n=self.number, r=fmt.reject_reason_label(code)))
        out_of_stock = code == "out_of_stock" and bool(self.product_boxes)
        self.missing_label.setVisible(out_of_stock)
        for box in self.product_boxes.values():
            box.setVisible(out_of_stock)
        self.pages.setCurrentIndex(1)
        self.confirm_button.setFocus()

    def missing_skus(self) -> list[str]:
        if self.reason != "out_of_stock":
            return []
        return [sku for sku, box in self.product_boxes.items() if box.isChecked()]


class NumberField(QLineEdit):
    """A whole number typed in large digits, kept within its range (no tiny spin-box arrows).

    A QSpinBox without its buttons, under the style sheet, gave its text field 1 px.
    """

    def __init__(self, minimum: int, maximum: int, value: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.minimum, self.maximum = minimum, maximum
        self.setObjectName("bigSpin")
        self.setValidator(QIntValidator(minimum, maximum, self))
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setMinimumHeight(64)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance(str(maximum)) + 40)
        self.set_value(value)

    def value(self) -> int:
        try:
            number = int(self.text().strip() or self.minimum)
        except ValueError:
            number = self.minimum
        return max(self.minimum, min(self.maximum, number))

    def set_value(self, value: int) -> None:
        self.setText(str(max(self.minimum, min(self.maximum, value))))
        self.selectAll()

    def step(self, by: int) -> None:
        self.set_value(self.value() + by)


class _NumberDialog(QDialog):
    """A number typed or changed with big − / + buttons beside it."""

    def __init__(self, title: str, label: str, value: int, minimum: int, maximum: int,
                 suffix: str, parent: QWidget | None = None, ok_text: str | None = None,
                 step: int = 1):
        super().__init__(parent)
        self.setWindowTitle(title)
        layout = QVBoxLayout(self)
        layout.setSpacing(12)
        layout.addWidget(_title(label))
        self.field = NumberField(minimum, maximum, value)
        self.minus = _button("−", "stepButton", 64)
        self.plus = _button("+", "stepButton", 64)
        for button in (self.minus, self.plus):
            button.setMinimumWidth(72)
            button.setAutoRepeat(True)  # held down, it keeps counting
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # typing stays in the field
        self.minus.clicked.connect(lambda: self.field.step(-step))
        self.plus.clicked.connect(lambda: self.field.step(step))
        self.field.returnPressed.connect(self.accept)
        row = QHBoxLayout()
        row.addWidget(self.minus)
        row.addWidget(self.field, 1)
        if suffix:
            unit = QLabel(suffix.strip())
            unit.setObjectName("dialogTitle")
            row.addWidget(unit)
        row.addWidget(self.plus)
        layout.addLayout(row)
        buttons, self.ok, self.cancel = _ok_cancel(self, ok_text or tr("OK"), tr("Cancel"))
        self.ok.setAutoDefault(False)
        self.cancel.setAutoDefault(False)
        layout.addLayout(buttons)
        self.setMinimumWidth(420)
        self.field.setFocus()

    def value(self) -> int:
        return self.field.value()


class MinutesDialog(_NumberDialog):
    def __init__(self, number: int, parent: QWidget | None = None):
        super().__init__(tr("Accept order No. {n}").format(n=number),
                         tr("Ready in how many minutes?"), 15, 1, 24 * 60, " min", parent,
                         step=5)


class CountDialog(_NumberDialog):
    """Physical count: ``seen`` is what the counter showed when the count started."""

    def __init__(self, name: str, seen: int, parent: QWidget | None = None):
        super().__init__(tr("Stock count"),
                         tr("How many “{p}” did you count? (the screen showed {s})").format(
                             p=name, s=seen),
                         max(seen, 0), 0, 1_000_000, "", parent)
        self.seen = seen


class QuantityDialog(_NumberDialog):
    """How many came in (restock) or went to waste: a quantity, not one tap per unit."""

    def __init__(self, name: str, reason: str, parent: QWidget | None = None):
        if reason == "waste":
            title, label = tr("Waste"), tr("How many “{p}” are thrown away?").format(p=name)
        else:
            title, label = tr("Restock"), tr("How many “{p}” came in?").format(p=name)
        super().__init__(title, label, 1, 1, 999_999, "", parent, ok_text=tr("Record"))
        self.reason = reason
