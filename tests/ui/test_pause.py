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
    assert local in window.pause_button.text()  # "Commandes EN PAUSE jusqu'à 11:05 — reprendre"
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
