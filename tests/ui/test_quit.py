"""Quitting while the shop takes orders asks first: close it online, leave it open, or stay."""

from __future__ import annotations

import pytest
from PySide6.QtCore import SIGNAL
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QApplication

from posapp.ui.quit_dialog import QuitChoice, QuitDialog
from tests.ui.conftest import PRODUCTS, make_pull, stop_real_app


class UserClose(QCloseEvent):
    """A close from the window's X button / Alt+F4 (Qt marks those spontaneous)."""

    def spontaneous(self) -> bool:  # noqa: D102
        return True


def _close_by_hand(window) -> bool:
    event = UserClose()
    window.closeEvent(event)
    return event.isAccepted()


def _pair(shop_app) -> None:
    shop_app.set_setting("marketplace_url", "http://127.0.0.1:1")
    shop_app.set_setting("shop_id", "s")


@pytest.fixture
def asked(window) -> list[QuitChoice]:
    """The answers the shopkeeper will give, and the questions actually asked."""
    answers: list[QuitChoice] = []
    window.asked = 0

    def ask() -> QuitChoice:
        window.asked += 1
        return answers.pop(0)

    window.ask_quit_choice = ask
    return answers


def test_staying_keeps_the_window_open(window, shop_app, asked):
    _pair(shop_app)
    asked.append(QuitChoice.STAY)
    assert not _close_by_hand(window)
    assert window.asked == 1 and window.isVisible() and window.tick.isActive()
    assert shop_app.outbox() == []


def test_leaving_it_open_quits_without_pausing(window, shop_app, asked):
    _pair(shop_app)
    asked.append(QuitChoice.LEAVE_OPEN)
    assert _close_by_hand(window)
    assert shop_app.outbox() == []


@pytest.mark.parametrize("anyway", [True, False])
def test_closing_the_shop_offline_says_so(window, shop_app, asked, monkeypatch, anyway):
    from posapp.ui import quit_dialog

    monkeypatch.setattr(quit_dialog, "SEND_TIMEOUT_MS", 100)  # no engine here: it stays queued
    told: list[bool] = []
    monkeypatch.setattr(quit_dialog, "quit_anyway_unsent",
                        lambda parent: told.append(parent is window) or anyway)
    _pair(shop_app)
    asked.append(QuitChoice.CLOSE_SHOP)
    assert _close_by_hand(window) is anyway
    assert told == [True]  # the shopkeeper was told it did not reach the marketplace
    assert [r["name"] for r in shop_app.outbox()] == ["shop.pause"]  # sent when back online
    assert shop_app.local_changes == 1  # pushed at once


@pytest.mark.parametrize("state", ["not paired", "paused"])
def test_no_question_when_nothing_is_at_stake(window, shop_app, asked, state):
    if state == "paused":  # as the marketplace confirmed it
        _pair(shop_app)
        shop_app.pull(make_pull([], PRODUCTS, cursor=5, paused=True))
    assert _close_by_hand(window)
    assert window.asked == 0


@pytest.mark.parametrize("anyway", [True, False])
def test_a_pause_still_unsent_is_not_a_closed_shop(window, shop_app, asked, monkeypatch,
                                                   anyway):
    """Paused offline, then quitting: the pause is still in the outbox, the marketplace
    still takes orders; the shopkeeper is told before leaving."""
    from posapp.ui import quit_dialog

    monkeypatch.setattr(quit_dialog, "SEND_TIMEOUT_MS", 100)
    told: list[bool] = []
    monkeypatch.setattr(quit_dialog, "quit_anyway_unsent", lambda parent: told.append(1) or anyway)
    _pair(shop_app)
    window.shop_service.set_paused(True)
    assert _close_by_hand(window) is anyway
    assert told == [1] and window.asked == 0  # already chosen: not asked again, but told
    assert shop_app.local_changes == 1  # pushed once more before leaving


def test_closing_again_while_the_pause_is_sent_does_nothing(window, shop_app, asked,
                                                             monkeypatch):
    """Alt+F4 twice: the second one, inside the 5 s wait, neither skips nor repeats."""
    from PySide6.QtCore import QTimer

    from posapp.ui import quit_dialog

    monkeypatch.setattr(quit_dialog, "SEND_TIMEOUT_MS", 400)
    monkeypatch.setattr(quit_dialog, "quit_anyway_unsent", lambda parent: False)
    _pair(shop_app)
    asked.extend([QuitChoice.CLOSE_SHOP, QuitChoice.LEAVE_OPEN])
    second: list[bool] = []
    QTimer.singleShot(100, lambda: second.append(_close_by_hand(window)))
    assert not _close_by_hand(window)  # offline: the shopkeeper chose to stay
    assert second == [False] and window.asked == 1


def test_the_app_closing_its_own_window_does_not_ask(window, shop_app, asked):
    _pair(shop_app)
    window.close()  # e.g. after Ctrl+C in the terminal, or at the end of a screenshot run
    assert window.asked == 0 and not window.isVisible()


def test_the_dialog_has_three_big_answers(qtbot):
    dialog = QuitDialog()
    qtbot.addWidget(dialog)
    assert set(dialog.buttons) == set(QuitChoice)
    assert all(b.minimumHeight() >= 48 for b in dialog.buttons.values())
    dialog.buttons[QuitChoice.LEAVE_OPEN].click()
    assert dialog.choice is QuitChoice.LEAVE_OPEN


def test_closing_online_really_stops_the_orders(qtbot, tmp_path, market, demo_shop, customer):
    """Real app, real marketplace: the pause reaches it before the window goes."""
    from posapp.app import AppConfig, ShopApp
    from posapp.ui.main_window import MainWindow
    from sync.credentials import MemoryVault

    app = ShopApp(AppConfig(data_dir=tmp_path / "shop", vault=MemoryVault(), sync_wait=5.0))
    app.start()
    window = None
    try:
        app.pair(market.url, demo_shop[1])
        window = MainWindow(app)
        window.show()
        qtbot.waitUntil(lambda: bool(app.stock.products()), timeout=5000)
        assert customer.order([(app.stock.products()[0]["sku"], 1)]).status_code == 201
        window.ask_quit_choice = lambda: QuitChoice.CLOSE_SHOP
        assert _close_by_hand(window)
        assert not window.shop_service.pause_pending()  # confirmed before quitting
        refused = customer.order([(app.stock.products()[0]["sku"], 1)])
        assert refused.status_code == 409
        assert refused.json()["error"]["code"] == "shop_paused"
    finally:
        stop_real_app(app, window)


def test_the_question_has_a_screenshot(window, tmp_path):
    from posapp.ui import quit_dialog

    shot = quit_dialog.screenshot(window, tmp_path / "quit.png")
    assert shot.stat().st_size > 5000


class SessionManager:
    """What QSessionManager tells and is told at logout (Qt gives one only to a real session)."""

    def __init__(self, interaction: bool):
        self.interaction = interaction
        self.cancelled = self.released = False

    def allowsInteraction(self) -> bool:  # noqa: N802 (Qt API)
        return self.interaction

    def cancel(self) -> None:
        self.cancelled = True

    def release(self) -> None:
        self.released = True


@pytest.mark.parametrize("answer", [QuitChoice.STAY, QuitChoice.LEAVE_OPEN])
def test_logging_out_asks_when_the_session_allows(window, shop_app, asked, answer):
    _pair(shop_app)
    asked.append(answer)
    manager = SessionManager(interaction=True)
    app = QApplication.instance()
    assert app.receivers(SIGNAL("commitDataRequest(QSessionManager&)")) >= 1  # wired
    window.on_session_end(manager)  # as Qt calls it at logout
    assert window.asked == 1 and manager.released
    assert manager.cancelled is (answer is QuitChoice.STAY)  # "stay" cancels the logout
    if answer is QuitChoice.LEAVE_OPEN:  # the session then closes the window: not again
        assert _close_by_hand(window) and window.asked == 1


def test_logging_out_without_leave_to_ask_is_logged(window, shop_app, asked, caplog):
    _pair(shop_app)
    manager = SessionManager(interaction=False)
    window.on_session_end(manager)
    assert window.asked == 0 and not manager.cancelled
    assert "without leave to ask" in caplog.text
