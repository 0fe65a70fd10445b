"""What an unpaired counter shows instead of an empty board: what to do, and one big button.

A shopkeeper starting Comptoir for the first time sees four empty columns and
nothing telling them that no order can arrive yet. The orders page shows this
panel until the counter is paired (``OrdersPage.set_paired``); its button opens
Settings on the pairing box.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from posapp.ui.i18n import tr

__all__ = ["FirstRunPanel"]


class FirstRunPanel(QFrame):
    pair_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("firstRunPanel")
        self.title = QLabel(tr("This counter is not linked to the marketplace yet"))
        self.title.setObjectName("firstRunTitle")
        self.title.setWordWrap(True)
        self.text = QLabel(tr(
            "The marketplace gives you its address and a pairing code for your shop (ask"
            " its team if you have not received them). Once this counter is paired, orders"
            " arrive here."))
        self.text.setObjectName("firstRunText")
        self.text.setWordWrap(True)
        self.pair_button = QPushButton(tr("Pair this counter"))
        self.pair_button.setObjectName("firstRunButton")
        self.pair_button.setMinimumHeight(72)  # a finger, from a metre away
        self.pair_button.clicked.connect(self.pair_requested)

        card = QWidget()
        card.setObjectName("firstRunCard")
        card.setMaximumWidth(760)
        inner = QVBoxLayout(card)
        inner.setContentsMargins(40, 36, 40, 36)
        inner.setSpacing(20)
        inner.addWidget(self.title)
        inner.addWidget(self.text)
        inner.addWidget(self.pair_button, 0, Qt.AlignmentFlag.AlignLeft)

        # Centred by stretches, not by an alignment flag: an aligned widget gets its size
        # hint, and the wrapped lines their height for some other width (they were cut).
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(card, 100)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 16)
        layout.addStretch(1)
        layout.addLayout(row)
        layout.addStretch(2)
