"""Pause offers durations; a timed pause carries paused_until and ends by itself."""

from __future__ import annotations

import datetime as dt
import json

from posapp.domain.shop import ShopService
from posapp.ui.pause_dialog import PauseDialog
from sync.protocol import parse_iso, to_iso
from tests.ui.conftest import PRODUCTS, make_pull


def _last_pause(shop_app) -> dict:
    rows = [r for r in shop_app.outbox() if r["name"] == "shop.pause"]
    return json.loads(rows[-1]["args"]) if rows else {}


def test_a_pause_of_30_minutes_goes_out_with_its_end(window, shop_app):
    window.ask_pause_duration = lambda: 30
    before = dt.datetime.now(dt.UTC)
    window.pause_button.click()
    args = _last_pause(shop_app)
    until = parse_iso(args["paused_until"])
    assert args["paused"] is True and until is not None
    assert dt.timedelta(minutes=29) < until - before < dt.timedelta(minutes=31)
    assert window.pause_button.property("paused") is True
    local = until.astimezone(window.shop_service.zone()).strftime("%H:%M")
    assert local in window.pause_button.text()  # "Commandes EN PAUSE jusqu’à 11:05 — reprendre"
    window.pause_button.click()  # resume: no question
    assert _last_pause(shop_app) == {"paused": False}


def test_dismissing_the_question_pauses_nothing(window, shop_app):
    from posapp.ui import main_window

    window.ask_pause_duration = lambda: main_window._NO_CHOICE
    window.pause_button.click()
    assert _last_pause(shop_app) == {}
    assert window.pause_button.property("paused") is False


def test_a_pause_that_is_over_shows_open_before_the_marketplace_says_so(window, shop_app):
    past = to_iso(dt.datetime.now(dt.UTC) - dt.timedelta(seconds=5))
    shop_app.pull({**make_pull([], PRODUCTS, cursor=5), "shop": {
        "id": "s", "name": "Boulangerie Zoé", "paused": True, "paused_until": past,
        "address": ""}})
    window._on_tick()
    assert window.pause_button.property("paused") is False
    service = ShopService(shop_app.store)
    assert not service.paused() and service.paused_until() is None


def test_the_dialog_offers_the_durations_with_big_buttons(qtbot, shop_app):
    dialog = PauseDialog("07:30")
    qtbot.addWidget(dialog)
    labels = [b.text() for b in dialog.buttons.values()]
    assert labels[:3] == ["15 min", "30 min", "1 h"]
    assert "07:30" in labels[3]
    assert all(b.minimumHeight() >= 48 for b in dialog.buttons.values())
    dialog.buttons[60].click()
    assert dialog.choice == 60 and dialog.result() == PauseDialog.DialogCode.Accepted


def test_until_the_opening_after_midnight_is_this_morning_s():
    """Chosen at 00:30, "until tomorrow's opening" means 06:30 the same day, not a day lost."""
    from zoneinfo import ZoneInfo

    from posapp.domain.shop import pause_end

    paris = ZoneInfo("Europe/Paris")
    at = lambda h, m, day=28: dt.datetime(2026, 11, day, h, m, tzinfo=paris)  # noqa: E731
    assert pause_end("tomorrow", at(0, 30), paris, "06:30") == at(6, 30).astimezone(dt.UTC)
    assert pause_end("tomorrow", at(6, 29), paris, "06:30") == at(6, 30).astimezone(dt.UTC)
    assert pause_end("tomorrow", at(6, 30), paris, "06:30") == at(6, 30, 29).astimezone(dt.UTC)
    assert pause_end("tomorrow", at(23, 0, 27), paris, "06:30") == at(6, 30).astimezone(dt.UTC)


def test_the_pause_button_shows_the_date_when_the_end_is_not_today(window, shop_app):
    from posapp.ui import fmt

    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=1, hours=1)
    window.shop_service.set_paused(True, later)
    window._on_tick()
    text = window.pause_button.text()
    assert fmt.local_time(to_iso(later), with_date=True) in text
    zone = window.shop_service.zone()
    soon = dt.datetime.now(zone).replace(hour=23, minute=59, second=0, microsecond=0)
    if soon > dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1):  # still today: time only
        window.shop_service.set_paused(True, soon)
        window._on_tick()
        assert "23:59" in window.pause_button.text()
        assert fmt.local_time(to_iso(soon), with_date=True) not in window.pause_button.text()


def test_after_midnight_the_choice_says_this_morning(qtbot, shop_app):
    from posapp.store.shop_time import SHOP_TZ_SETTING
    from posapp.ui.pause_dialog import pause_choice_label

    shop_app.set_setting(SHOP_TZ_SETTING, "Europe/Paris")
    service = ShopService(shop_app.store)
    night = dt.datetime(2026, 11, 27, 23, 30, tzinfo=dt.UTC)  # 00:30 in Paris
    evening = dt.datetime(2026, 11, 27, 20, 0, tzinfo=dt.UTC)
    assert service.next_opening_is_today(night) and not service.next_opening_is_today(evening)
    dialog = PauseDialog("07:00", opening_today=True)
    qtbot.addWidget(dialog)
    assert dialog.buttons["tomorrow"].text() == pause_choice_label("tomorrow", "07:00", True)
    assert pause_choice_label("tomorrow", "07:00", True) != pause_choice_label("tomorrow", "07:00")
