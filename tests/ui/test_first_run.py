"""A counter not paired yet says, on its orders page, what to do: and the button does it.

Regenerate the documentation image (docs/screenshots/first-run.png) with:
COMPTOIR_SCREENSHOTS=docs/screenshots ./dev test -q tests/ui/test_first_run.py
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtGui import QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from posapp.ui.i18n import install_translator, installed_language
from posapp.ui.screenshots import SCREENSHOT_SIZE, grab
from sync.engine import SyncStatus
from tests.ui.conftest import FakeShopApp, stop_real_app
from tests.ui.test_i18n import english_on, foreign_patterns


@pytest.fixture
def unpaired_app(tmp_path: Path, qapp) -> Iterator[FakeShopApp]:
    """A first start: an empty data directory, nothing paired."""
    app = FakeShopApp(tmp_path / "first")
    yield app
    app.store.close()


def _window(qtbot, shop_app: Any) -> Any:
    from posapp.ui.main_window import MainWindow

    win = MainWindow(shop_app)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


def _while_settings_open(window: Any, act: Callable[[Any], None]) -> list[Any]:
    """Run ``act(dialog)`` once the settings dialog the window opens is up (it is modal)."""
    made: list[Any] = []
    make = window.make_settings_dialog

    def recording() -> Any:
        made.append(make())
        # Once exec() runs its loop: the dialog is shown, its focus placed.
        QTimer.singleShot(0, made[-1], lambda: act(made[-1]))
        return made[-1]

    window.make_settings_dialog = recording
    return made


def test_an_unpaired_counter_says_what_to_do_instead_of_an_empty_board(qtbot, unpaired_app):
    install_translator(QApplication.instance(), "fr")
    win = _window(qtbot, unpaired_app)
    panel = win.orders_page.first_run
    assert panel.isVisible() and not win.board.isVisible() and not win.detail.isVisible()
    assert panel.title.text() == "Ce comptoir n’est pas encore relié à la place de marché"
    assert "code d’appairage" in panel.text.text()
    assert panel.pair_button.text() == "Appairer ce comptoir"
    assert panel.pair_button.height() >= 64  # a finger's size, not a link
    assert not win.pause_button.isVisible()  # no shop to pause yet
    assert win.settings_button.isVisible()


def test_the_button_opens_settings_on_the_pairing_box(qtbot, unpaired_app):
    install_translator(QApplication.instance(), "fr")
    win = _window(qtbot, unpaired_app)
    seen: dict[str, Any] = {}

    def look(dialog: Any) -> None:
        seen["tab"] = dialog.tabs.currentIndex()
        seen["box shown"] = dialog.pair_button.isVisible() and dialog.code.isVisible()
        seen["focus"] = dialog.focusWidget()
        dialog.reject()

    made = _while_settings_open(win, look)
    QTest.mouseClick(win.orders_page.first_run.pair_button, Qt.MouseButton.LeftButton)
    assert len(made) == 1
    dialog = made[0]
    # The address first: the code alone cannot pair.
    assert seen == {"tab": 0, "box shown": True, "focus": dialog.url}

    unpaired_app.set_setting("marketplace_url", "https://place.example")  # known already
    made = _while_settings_open(win, look)
    QTest.mouseClick(win.orders_page.first_run.pair_button, Qt.MouseButton.LeftButton)
    assert seen["focus"] is made[0].code


def test_the_first_run_screen_at_1366x768(qtbot, unpaired_app, tmp_path):
    install_translator(QApplication.instance(), "fr")
    win = _window(qtbot, unpaired_app)
    # The path a shop would see, not pytest's (whose length varies from run to run).
    win.status.set_printer_file(Path("/home/boutique/comptoir/tickets.escpos"))
    win.status.set_sync_status(SyncStatus())  # never synced, as a first start
    win.sound_warning.hide()  # a machine without sound has its own screenshot
    qtbot.waitUntil(lambda: bool(win.clock.text()), timeout=3000)
    win.setWindowState(Qt.WindowState.WindowNoState)
    win.resize(SCREENSHOT_SIZE)
    shot = grab(win, Path(os.environ.get("COMPTOIR_SCREENSHOTS") or tmp_path) / "first-run.png")
    image = QImage(str(shot))
    assert (image.width(), image.height()) == SCREENSHOT_SIZE.toTuple()


def test_a_paired_counter_shows_its_board_and_pause_button(qtbot, window):
    assert not window.orders_page.first_run.isVisible()
    assert window.board.isVisible() and window.pause_button.isVisible()


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_panel_speaks_the_window_language(qtbot, unpaired_app, lang):
    try:
        install_translator(QApplication.instance(), lang)
        win = _window(qtbot, unpaired_app)
        QCoreApplication.processEvents()
        assert english_on(win, foreign_patterns(installed_language()),
                          raw_values=lang == "fr") == []
        if lang == "en":
            assert win.orders_page.first_run.pair_button.text() == "Pair this counter"
    finally:
        install_translator(QApplication.instance(), "fr")


def test_pairing_from_the_panel_brings_the_board_without_a_restart(qtbot, tmp_path, market,
                                                                    demo_shop):
    """The real app against the real marketplace: type the address and the code, Enter."""
    from posapp.app import AppConfig, ShopApp
    from posapp.ui.main_window import MainWindow
    from sync.credentials import MemoryVault

    install_translator(QApplication.instance(), "fr")
    app = ShopApp(AppConfig(data_dir=tmp_path / "shop", vault=MemoryVault(), sync_wait=5.0))
    app.start()
    window = None
    try:
        window = MainWindow(app)
        window.show()
        qtbot.waitExposed(window)
        assert window.orders_page.first_run.isVisible()
        assert not window.pause_button.isVisible()
        answers: list[dict] = []

        def pair(dialog: Any) -> None:
            dialog.paired.connect(answers.append)
            dialog.paired.connect(lambda _answer: dialog.accept())
            QTimer.singleShot(15000, dialog, dialog.reject)  # never hang the suite
            QTest.keyClicks(dialog.focusWidget(), market.url)
            dialog.code.setFocus()
            QTest.keyClicks(dialog.code, demo_shop[1])
            QTest.keyClick(dialog.code, Qt.Key.Key_Return)  # the pairing button is the default

        _while_settings_open(window, pair)
        QTest.mouseClick(window.orders_page.first_run.pair_button, Qt.MouseButton.LeftButton)
        assert [a["shop_id"] for a in answers] == [demo_shop[0]]
        assert not window.orders_page.first_run.isVisible()
        assert window.board.isVisible() and window.pause_button.isVisible()
        assert window.shop_label.text() == app.setting("shop_name")
        qtbot.waitUntil(lambda: bool(app.stock.products()), timeout=10000)  # sync started
    finally:
        stop_real_app(app, window)
