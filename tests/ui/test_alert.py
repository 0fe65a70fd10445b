from __future__ import annotations

from posapp.ui.alerts import OrderAlert, available_sounds
from tests.ui.conftest import make_order, make_pull


def test_alert_repeats_until_acknowledged(window, shop_app, qtbot):
    window.alert.timer.setInterval(40)
    assert window.alert.rings == 0 and not window.alert.active
    shop_app.pull(make_pull([make_order("o1", 12)], cursor=2))
    assert window.alert.active
    assert window.ack_button.isVisible()
    qtbot.waitUntil(lambda: window.alert.rings >= 3, timeout=2000)
    window.ack_button.click()
    assert not window.alert.active
    rings = window.alert.rings
    qtbot.wait(150)
    assert window.alert.rings == rings
    assert shop_app.orders.unacknowledged() == []


def test_clicking_the_order_acknowledges_it(window, shop_app, qtbot):
    from PySide6.QtCore import Qt

    shop_app.pull(make_pull([make_order("o1", 12)], cursor=2))
    assert window.alert.active
    qtbot.mouseClick(window.board.card("o1"), Qt.MouseButton.LeftButton)
    assert not window.alert.active
    assert window.detail.order["id"] == "o1"


def test_alert_works_without_audio_device(qtbot):
    alert = OrderAlert(repeat_ms=20)
    alert.update(1)
    alert.update(1)  # already ringing: no second immediate ring
    assert alert.rings == 1
    qtbot.waitUntil(lambda: alert.rings >= 2, timeout=1000)
    alert.update(0)
    assert not alert.active


def test_sounds_are_shipped():
    assert "chime.wav" in available_sounds()
