"""The new-order alert: rings while any order is new, a minute of quiet at most, countdowns,
louder in the last two minutes, lost orders heard and seen."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt

from posapp.ui.alerts import SNOOZE_S, OrderAlert, available_sounds
from sync.protocol import to_iso
from tests.ui.conftest import make_order, make_pull


def iso_in(seconds: float) -> str:
    return to_iso(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=seconds))


def test_alert_rings_until_every_new_order_has_an_answer(window, shop_app, qtbot):
    window.alert.timer.setInterval(40)
    assert window.alert.rings == 0 and not window.alert.active
    assert not window.alert_band.isVisible() and not window.alert_band.flash.isActive()
    shop_app.pull(make_pull([make_order("o1", 12, respond_by=iso_in(480))], cursor=2))
    assert window.alert.active and window.alert_band.isVisible()
    qtbot.waitUntil(lambda: window.alert.rings >= 3, timeout=2000)
    window.tabs.setCurrentWidget(window.history_page)  # seen on every tab
    assert window.alert_band.isVisible()
    window.tabs.setCurrentWidget(window.orders_page)

    # "OK, seen" silences for a minute at most, and the band stays.
    window.ack_button.click()
    assert window.alert.snoozed and window.alert.active
    assert 0 < window.alert.snooze_remaining_s() <= SNOOZE_S
    rings = window.alert.rings
    qtbot.wait(150)
    assert window.alert.rings == rings
    assert window.alert_band.isVisible() and window.alert_band.flash.isActive()
    assert "son de retour dans" in window.alert_band.text.text()
    assert shop_app.orders.unacknowledged() == []  # the cards no longer look unseen

    # The minute over, it rings again: the order still has no answer.
    window.alert.set_snooze_ms(50)
    qtbot.waitUntil(lambda: window.alert.rings > rings + 1, timeout=2000)

    # Only an answer stops it.
    assert window.accept_order("o1", 10)
    assert not window.alert.active and not window.alert.timer.isActive()
    assert not window.alert_band.isVisible()


def test_v_key_snoozes_and_a_new_order_rings_at_once(window, shop_app, qtbot):
    from PySide6.QtTest import QTest

    window.alert.timer.setInterval(10_000)
    shop_app.pull(make_pull([make_order("o1", 1)], cursor=2))
    window.activateWindow()
    QTest.keyClick(window, Qt.Key.Key_V)
    assert window.alert.snoozed
    rings = window.alert.rings
    shop_app.pull(make_pull([make_order("o2", 2)], cursor=3))
    assert not window.alert.snoozed and window.alert.rings == rings + 1
    assert "2 nouvelles commandes attendent une réponse" in window.alert_band.text.text()


def test_clicking_the_order_acknowledges_it_but_the_alert_goes_on(window, shop_app, qtbot):
    shop_app.pull(make_pull([make_order("o1", 12)], cursor=2))
    qtbot.mouseClick(window.board.card("o1"), Qt.MouseButton.LeftButton)
    assert window.detail.order["id"] == "o1"
    assert shop_app.orders.unacknowledged() == []
    assert window.alert.active  # seen is not answered


def test_each_new_order_counts_down_to_its_automatic_refusal(window, shop_app, qtbot):
    shop_app.pull(make_pull([make_order("o1", 12, respond_by=iso_in(7 * 60 + 30))], cursor=2))
    card = window.board.card("o1")
    assert "répondre sous 7:3" in card.countdown.text()
    assert "refus automatique dans 7:3" in window.alert_band.text.text()
    assert card.property("late") is not True and not window.alert.urgent
    first = card.countdown.text()
    qtbot.waitUntil(lambda: card.countdown.text() != first, timeout=2500)  # live, per second


def test_last_two_minutes_are_louder_faster_red_and_end_the_snooze(window, shop_app, qtbot,
                                                                    monkeypatch):
    raised = []
    monkeypatch.setattr(window, "_bring_to_front", lambda: raised.append(True))
    alert = window.alert
    alert.set_volume(0.3)
    shop_app.pull(make_pull([make_order("o1", 12, respond_by=iso_in(300))], cursor=2))
    normal_interval = alert.timer.interval()
    window.ack_button.click()
    assert alert.snoozed
    raised.clear()  # (the order's arrival raised it already)
    with qtbot.waitSignal(alert.resumed, timeout=1000):
        # The marketplace's deadline is now 90 s away (e.g. a later pull with another delay).
        shop_app.pull(make_pull([make_order("o1", 12, respond_by=iso_in(90))], cursor=3))
    assert alert.urgent and not alert.snoozed and alert.timer.isActive()
    assert raised  # the window comes forward by itself
    assert alert.timer.interval() < normal_interval
    assert alert.effect.volume() == 1.0 > alert.volume
    assert window.alert_band.property("urgent") is True
    assert window.board.card("o1").property("late") is True
    window.ack_button.click()  # in the last minutes, quiet lasts less than a minute
    assert 0 < alert.snooze_remaining_s() < SNOOZE_S / 2


def test_a_deadline_passed_unheard_is_not_shown_as_a_countdown(window, shop_app):
    shop_app.pull(make_pull([make_order("o1", 12, respond_by=iso_in(-30))], cursor=2))
    assert "délai de réponse est dépassé" in window.alert_band.text.text()
    assert "délai de réponse dépassé" in window.board.card("o1").countdown.text()
    assert window.alert.active  # still new here: it still rings


def test_order_refused_on_timeout_is_seen_and_heard_until_acknowledged(window, shop_app, qtbot):
    created = to_iso(dt.datetime.now(dt.UTC) - dt.timedelta(minutes=10))
    shop_app.pull(make_pull([make_order("o1", 12, created_at=created, respond_by=iso_in(1))],
                            cursor=2))
    refused = make_order("o1", 12, "rejected", created_at=created, respond_by=iso_in(0),
                         reject_reason="timeout")
    shop_app.pull(make_pull([refused], cursor=3))
    texts = window.banners.texts("cancelled")
    assert len(texts) == 1 and "n° 12" in texts[0] and "REFUSÉE" in texts[0]
    assert window.alert.announcements == 1
    assert not window.alert.active  # nothing is waiting any more
    for i in range(10):  # later banners never push it out, nor does time
        window.banners.show_banner(f"info {i}", "info")
    assert window.banners.texts("cancelled") == texts
    banner = next(b for b in window.banners.banners if b.kind == "cancelled")
    banner.findChild(type(window.ack_button)).click()
    assert window.banners.texts("cancelled") == []


def test_a_lost_order_banner_survives_a_restart_until_ok(window, shop_app, qtbot):
    from posapp.ui.main_window import MainWindow

    shop_app.pull(make_pull([make_order("o1", 12)], cursor=2))
    shop_app.pull(make_pull([make_order("o1", 12, "rejected", reject_reason="timeout")],
                            cursor=3))
    shop_app.pull(make_pull([make_order("o1", 12, "rejected", reject_reason="timeout")],
                            cursor=4))  # pulled again: still one banner
    assert len(window.banners.texts("cancelled")) == 1
    window.close()

    again = MainWindow(shop_app)  # the app restarted before anyone pressed OK
    qtbot.addWidget(again)
    [text] = again.banners.texts("cancelled")
    assert "n° 12" in text and "REFUSÉE" in text
    again.banners.banners[0].findChild(type(again.ack_button)).click()
    again.close()

    third = MainWindow(shop_app)
    qtbot.addWidget(third)
    assert third.banners.texts("cancelled") == []
    third.close()


def test_many_lost_orders_share_one_banner_that_fits(window, shop_app, qtbot):
    window.resize(1366, 768)
    numbers = range(1, 28)  # the 27 orders nobody answered
    shop_app.pull(make_pull([make_order(f"o{n}", n) for n in numbers], cursor=2))
    shop_app.pull(make_pull([make_order(f"o{n}", n, "rejected", reject_reason="timeout")
                             for n in numbers[:-1]], cursor=3))
    shop_app.pull(make_pull([make_order("o27", 27, "cancelled")], cursor=4))
    [text] = window.banners.texts("cancelled")
    assert text.startswith("27 commandes perdues")
    assert "N° 1, N° 2" in text and "N° 12 …" in text and "ANNULÉES par le client : N° 27" in text
    assert window.alert.announcements == 2
    qtbot.waitUntil(lambda: window.banners.height() < 160, timeout=1000)
    assert window.height() == 768


def test_customer_cancellation_is_heard_too(window, shop_app):
    shop_app.pull(make_pull([make_order("o1", 12, "accepted", ready_by=iso_in(600))], cursor=2))
    shop_app.pull(make_pull([make_order("o1", 12, "cancelled")], cursor=3))
    assert window.alert.announcements == 1
    assert any("ANNULÉE" in t for t in window.banners.texts("cancelled"))


def test_a_lost_order_the_window_never_heard_of_is_shown_at_start(shop_app, qtbot):
    from posapp.ui.main_window import MainWindow

    # The sync thread committed the pull, then the app was killed before the window got
    # the signal (here: no signal at all).
    shop_app.replica.apply_pull(make_pull([make_order("o1", 12)], cursor=2))
    shop_app.replica.apply_pull(make_pull(
        [make_order("o1", 12, "rejected", reject_reason="timeout")], cursor=3))
    window = MainWindow(shop_app)
    qtbot.addWidget(window)
    [text] = window.banners.texts("cancelled")
    assert "n° 12" in text and "REFUSÉE" in text
    window.close()


def test_ok_acknowledges_only_the_orders_the_banner_listed(window, shop_app):
    shop_app.pull(make_pull([make_order("o1", 12), make_order("o2", 13)], cursor=2))
    shop_app.pull(make_pull([make_order("o1", 12, "cancelled")], cursor=3))
    # Order 13 is lost by a pull the window has not heard of yet when OK is pressed.
    shop_app.replica.apply_pull(make_pull([make_order("o2", 13, "cancelled")], cursor=4))
    banner = next(b for b in window.banners.banners if b.kind == "cancelled")
    banner.findChild(type(window.ack_button)).click()
    [text] = window.banners.texts("cancelled")
    assert "n° 13" in text and "12" not in text
    assert [e["id"] for e in shop_app.orders.lost_unseen()] == ["o2"]


def test_alert_works_without_audio_device(qtbot):
    alert = OrderAlert(repeat_ms=20)
    alert.update(1)
    alert.update(1)  # already ringing: no second immediate ring
    assert alert.rings == 1
    qtbot.waitUntil(lambda: alert.rings >= 2, timeout=1000)
    alert.update(0)
    assert not alert.active


def test_sounds_are_shipped():
    assert {"chime.wav", "triple.wav"} <= set(available_sounds())


def test_an_order_lost_while_offline_is_announced_without_a_new_order_call(window, shop_app,
                                                                          monkeypatch):
    raised: list[int] = []
    monkeypatch.setattr(window, "_bring_to_front", lambda: raised.append(1))
    # The counter was offline while order 12 came and the marketplace refused it on
    # timeout, and while order 13 came and its customer cancelled it.
    shop_app.pull(make_pull([make_order("o1", 12, "rejected", reject_reason="timeout"),
                             make_order("o2", 13, "cancelled")], cursor=3))
    [text] = window.banners.texts("cancelled")
    assert "N° 12" in text and "N° 13" in text
    assert window.alert.announcements == 2
    assert raised == [1, 1]  # for the loss only, not as if a new order waited
    assert not window.alert.active and window.alert.rings == 0
