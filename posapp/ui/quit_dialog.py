"""Quitting while the shop takes online orders asks first (a shop nobody watches loses orders).

Three answers: close the shop online (a ``shop.pause`` sent before quitting,
waited for a few seconds), leave it open because another counter watches it, or
stay. The marketplace also stops taking orders by itself when no counter has
been connected for a while (``shop_unattended``), so even a crash loses little.
"""

from __future__ import annotations

import enum
import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QElapsedTimer, QEventLoop, QPoint, QTimer
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QDialog, QLabel, QMessageBox, QPushButton, QVBoxLayout, QWidget

from posapp.ui.i18n import tr

__all__ = ["QuitChoice", "QuitDialog", "needs_question", "confirm_quit", "wait_until_sent",
           "quit_anyway_unsent", "screenshot"]

log = logging.getLogger(__name__)

SEND_TIMEOUT_MS = 5000


class QuitChoice(enum.Enum):
    CLOSE_SHOP = "close_shop"
    LEAVE_OPEN = "leave_open"
    STAY = "stay"


class QuitDialog(QDialog):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(tr("Quit Comptoir?"))
        self.choice = QuitChoice.STAY
        layout = QVBoxLayout(self)
        title = QLabel(tr("The shop is taking online orders."))
        title.setObjectName("dialogTitle")
        title.setWordWrap(True)
        layout.addWidget(title)
        text = QLabel(tr("Once Comptoir is closed, nobody hears new orders here. If no other"
                         " counter is open, the marketplace stops taking orders shortly after."))
        text.setWordWrap(True)
        layout.addWidget(text)
        self.buttons: dict[QuitChoice, QPushButton] = {}
        for choice, label in (
            (QuitChoice.CLOSE_SHOP, tr("Close the shop online, then quit")),
            (QuitChoice.LEAVE_OPEN, tr("Leave it open (another counter is watching), then quit")),
            (QuitChoice.STAY, tr("Cancel (keep Comptoir open)")),
        ):
            button = QPushButton(label)
            button.setObjectName("reasonButton")
            button.setMinimumHeight(56)
            button.clicked.connect(lambda _=False, c=choice: self._choose(c))
            layout.addWidget(button)
            self.buttons[choice] = button
        self.buttons[QuitChoice.STAY].setDefault(True)

    def _choose(self, choice: QuitChoice) -> None:
        self.choice = choice
        self.accept()

    def ask(self) -> QuitChoice:
        self.exec()
        return self.choice


def needs_question(shop_app: Any, shop_service: Any) -> bool:
    """Paired, not the throw-away demo, and taking orders: not paused as the marketplace
    confirmed it (a pause still in the outbox has not closed anything yet)."""
    config = getattr(shop_app, "config", None)
    if config is not None and getattr(config, "demo", False):
        return False
    paired = bool(shop_app.setting("shop_id") and shop_app.setting("marketplace_url"))
    return paired and not shop_service.confirmed_paused()


def wait_until_sent(shop_service: Any, timeout_ms: int = SEND_TIMEOUT_MS) -> bool:
    """Let the sync engine push the pause (the GUI keeps painting); False when still queued."""
    clock = QElapsedTimer()
    clock.start()
    loop = QEventLoop()
    timer = QTimer()
    timer.setInterval(50)
    timer.timeout.connect(lambda: (not shop_service.pause_pending()
                                   or clock.elapsed() > timeout_ms) and loop.quit())
    timer.start()
    if shop_service.pause_pending():
        loop.exec()
    timer.stop()
    return not shop_service.pause_pending()


def quit_anyway_unsent(parent: QWidget | None = None) -> bool:
    """The pause could not reach the marketplace (offline): quit anyway? (tests replace it)"""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(tr("Quit Comptoir?"))
    box.setText(tr("The marketplace could not be told that the shop is closed (no connection)."))
    box.setInformativeText(tr(
        "It stops taking orders by itself shortly after the last counter leaves, and the"
        " closing is sent when Comptoir starts again. Orders placed meanwhile wait for an"
        " answer."))
    leave = box.addButton(tr("Quit anyway"), QMessageBox.ButtonRole.DestructiveRole)
    stay = box.addButton(tr("Stay (keep trying)"), QMessageBox.ButtonRole.RejectRole)
    for button in (leave, stay):
        button.setMinimumHeight(48)
    box.setDefaultButton(stay)
    box.exec()
    return box.clickedButton() is leave


def confirm_quit(shop_app: Any, shop_service: Any, ask: Any,
                 parent: QWidget | None = None) -> bool:
    """True when the window may close; ``ask()`` returns a QuitChoice."""
    if not needs_question(shop_app, shop_service):
        return True
    if shop_service.paused():  # paused here, not yet confirmed: no question, but say it
        return _sent_or_told(shop_app, shop_service, parent)
    choice = ask()
    if choice is QuitChoice.STAY:
        return False
    if choice is QuitChoice.CLOSE_SHOP:
        shop_service.set_paused(True)
        return _sent_or_told(shop_app, shop_service, parent)
    return True


def _sent_or_told(shop_app: Any, shop_service: Any, parent: QWidget | None) -> bool:
    shop_app.after_local_change()  # pushes now
    if wait_until_sent(shop_service):
        return True
    # Offline: the pause leaves at the next start; meanwhile the marketplace sees
    # nobody connected and stops taking orders by itself. Say so before leaving.
    log.warning("the marketplace has not confirmed the pause")
    return quit_anyway_unsent(parent)


def screenshot(window: QWidget, path: Path) -> Path:
    """The question over the (dimmed) window, as the shopkeeper sees it (README images)."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from posapp.ui.screenshots import SCREENSHOT_SIZE

    state, old_size = window.windowState(), window.size()
    window.setWindowState(Qt.WindowState.WindowNoState)
    window.resize(SCREENSHOT_SIZE)  # as the README's other images
    dialog = QuitDialog(window)
    dialog.setStyleSheet(window.styleSheet())
    dialog.adjustSize()
    dialog.show()
    QApplication.processEvents()
    picture = window.grab()
    painter = QPainter(picture)
    painter.fillRect(picture.rect(), QColor(0, 0, 0, 110))
    question = dialog.grab()
    painter.drawPixmap(QPoint((picture.width() - question.width()) // 2,
                              (picture.height() - question.height()) // 2), question)
    painter.end()
    dialog.close()
    dialog.deleteLater()
    window.resize(old_size)
    window.setWindowState(state)
    picture.save(str(path))
    return path
