"""How long to pause online orders: one big button per duration, a single touch decides.

The marketplace reopens the shop by itself when the pause ends (``paused_until``
in the protocol), so a pause forgotten at lunch does not cost the afternoon.
"""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QLabel, QPushButton, QVBoxLayout, QWidget

from posapp.domain.shop import PAUSE_CHOICES
from posapp.ui.i18n import tr

__all__ = ["PauseDialog", "pause_choice_label"]


def pause_choice_label(choice: int | str | None, opening: str,
                       opening_today: bool = False) -> str:
    """``opening_today``: after midnight, the next opening is this morning's."""
    if choice is None:
        return tr("Until I resume")
    if choice == "tomorrow":
        if opening_today:
            return tr("Until this morning's opening ({t})").format(t=opening)
        return tr("Until tomorrow's opening ({t})").format(t=opening)
    assert isinstance(choice, int)
    return tr("{m} min").format(m=choice) if choice < 60 else tr("{h} h").format(h=choice // 60)


class PauseDialog(QDialog):
    """``choice`` after ``exec()``: minutes, "tomorrow" or None (until resumed)."""

    def __init__(self, opening: str, parent: QWidget | None = None,
                 opening_today: bool = False):
        super().__init__(parent)
        self.setWindowTitle(tr("Pause online orders"))
        self.choice: int | str | None = None
        layout = QVBoxLayout(self)
        title = QLabel(tr("Stop taking online orders for how long?"))
        title.setObjectName("dialogTitle")
        title.setWordWrap(True)
        layout.addWidget(title)
        hint = QLabel(tr("The marketplace reopens the shop by itself at the end."))
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        layout.addWidget(hint)
        self.buttons: dict[int | str | None, QPushButton] = {}
        for choice in PAUSE_CHOICES:
            button = QPushButton(pause_choice_label(choice, opening, opening_today))
            button.setObjectName("reasonButton")
            button.setMinimumHeight(56)
            button.clicked.connect(lambda _=False, c=choice: self._choose(c))
            layout.addWidget(button)
            self.buttons[choice] = button
        cancel = QPushButton(tr("Back (keep taking orders)"))
        cancel.setMinimumHeight(48)
        cancel.clicked.connect(self.reject)
        layout.addWidget(cancel)

    def _choose(self, choice: int | str | None) -> None:
        self.choice = choice
        self.accept()
