"""Banners at the top of the window: cancellations, refusals, errors — never a crash."""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from posapp.ui.i18n import tr

__all__ = ["Banner", "BannerArea"]


class Banner(QFrame):
    dismissed = Signal()

    def __init__(self, text: str, kind: str, parent: QWidget | None = None, *,
                 sticky: bool = False):
        super().__init__(parent)
        self.setObjectName("banner")
        self.setProperty("kind", kind)  # cancelled | refused | error | info
        self.kind = kind
        self.sticky = sticky  # stays until someone presses OK, whatever comes after
        self.label = QLabel(text)
        self.label.setObjectName("bannerText")
        self.label.setWordWrap(True)
        close = QPushButton(tr("OK"))
        close.setObjectName("bannerButton")
        close.clicked.connect(self.dismiss)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(14, 8, 8, 8)
        layout.addWidget(self.label, 1)
        layout.addWidget(close)

    def text(self) -> str:
        return self.label.text()

    def set_text(self, text: str) -> None:
        self.label.setText(text)

    def dismiss(self) -> None:
        self.dismissed.emit()
        self.setParent(None)
        self.deleteLater()


class BannerArea(QWidget):
    MAX_BANNERS = 6  # older ones go: a wall of banners helps nobody

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.box = QVBoxLayout(self)
        self.box.setContentsMargins(0, 0, 0, 0)
        self.box.setSpacing(6)
        self.banners: list[Banner] = []

    def show_banner(self, text: str, kind: str = "info", timeout_ms: int = 0, *,
                    sticky: bool = False) -> Banner:
        """Show ``text``; ``sticky`` banners (an order lost) never time out nor get pushed
        out by newer ones: only their OK button removes them."""
        banner = Banner(text, kind, self, sticky=sticky)
        banner.dismissed.connect(lambda b=banner: self._forget(b))
        self.box.insertWidget(0, banner)
        self.banners.append(banner)
        while True:
            evictable = [b for b in self.banners if not b.sticky]
            if len(self.banners) <= self.MAX_BANNERS or not evictable:
                break
            evictable[0].dismiss()
        if timeout_ms and not sticky:
            QTimer.singleShot(timeout_ms, banner, banner.dismiss)
        return banner

    def _forget(self, banner: Banner) -> None:
        if banner in self.banners:
            self.banners.remove(banner)

    def texts(self, kind: str | None = None) -> list[str]:
        return [b.text() for b in self.banners if kind is None or b.kind == kind]
