"""One clock: screen, tickets and reports show the shop's zone, whatever the system's.

The system zone is patched to America/New_York (TZ + tzset, restored after);
the shop is in Asia/Kolkata, neither the system's nor the printing library's
default (Europe/Paris): 09:45 UTC is 15:15 there, 04:45 in New York, 10:45 in Paris.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtWidgets import QLabel

from posapp.domain.shop import ShopService, pause_end, zone_name
from posapp.store.shop_time import SHOP_TZ_SETTING
from posapp.ui import fmt
from tests.ui.conftest import PRODUCTS, make_order, make_pull

SLOT = "2026-11-27T09:45:00.000Z"


@pytest.fixture
def new_york(monkeypatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    assert dt.datetime(2026, 11, 27, 9, 45, tzinfo=dt.UTC).astimezone().hour == 4
    yield
    monkeypatch.undo()
    time.tzset()
    fmt.set_zone(None)  # the window gave the formatters the shop's zone: forget it


def _texts(widget) -> str:
    return " ".join(label.text() for label in widget.findChildren(QLabel))


def _ticket_json(shop_app) -> str:
    rows = shop_app.store.query("SELECT document FROM print_jobs ORDER BY id")
    return " ".join(r["document"] for r in rows)


def test_screen_and_ticket_show_the_same_time(new_york, window, shop_app, printing):
    shop_app.set_setting(SHOP_TZ_SETTING, "Asia/Kolkata")
    shop_app.replica.on_order_changes = printing.on_order_changes  # as the app wires it
    shop_app.pull(make_pull([make_order("o1", 1, pickup_slot=SLOT)], PRODUCTS, cursor=2))
    # Accepted: the ticket prints now, with its ready-by time (the slot's, here).
    shop_app.pull(make_pull([make_order("o1", 1, status="accepted", pickup_slot=SLOT,
                                        ready_by=SLOT)], PRODUCTS, cursor=3))
    window.select_order("o1")
    screen = _texts(window.board) + " " + _texts(window.detail)
    assert "15:15" in screen and "04:45" not in screen and "10:45" not in screen
    paper = _ticket_json(shop_app)
    assert "15:15" in paper and "04:45" not in paper and "10:45" not in paper
    # The day report (and its Z report) count the shop's day, not New York's.
    assert window.report_page.tz == ZoneInfo("Asia/Kolkata")
    window._on_tick()
    shop_now = dt.datetime.now(ZoneInfo("Asia/Kolkata"))
    assert window.clock.text() in {shop_now.strftime("%H:%M"),
                                   (shop_now - dt.timedelta(minutes=1)).strftime("%H:%M")}


def test_the_zone_is_the_setting_else_the_marketplace_s_else_the_system_s(new_york, shop_app):
    conn = shop_app.store.conn
    assert zone_name(conn) == "America/New_York"  # the system's
    shop_app.replica.apply_pull({**make_pull([], PRODUCTS, cursor=3),
                                 "shop": {"id": "s", "name": "Boulangerie Zoé", "paused": False,
                                          "address": "", "time_zone": "Europe/Paris"}})
    assert zone_name(conn) == "Europe/Paris"  # the marketplace's suggestion
    shop_app.set_setting(SHOP_TZ_SETTING, "Asia/Tokyo")
    assert zone_name(conn) == "Asia/Tokyo"  # the counter's own setting wins
    shop_app.set_setting(SHOP_TZ_SETTING, "Mars/Olympus")  # unknown: ignored
    assert zone_name(conn) == "Europe/Paris"


def test_the_settings_offer_the_zone_and_the_opening_time(qtbot, new_york, shop_app):
    from posapp.ui.settings_dialog import SettingsDialog

    dialog = SettingsDialog(shop_app)
    qtbot.addWidget(dialog)
    assert "America/New_York" in dialog.time_zone.itemText(0)  # automatic = the system's
    dialog.time_zone.setCurrentIndex(dialog.time_zone.findData("Europe/Paris"))
    assert shop_app.setting(SHOP_TZ_SETTING) == "Europe/Paris"
    dialog.opening.setCurrentText("06:30")
    assert shop_app.setting("opening_time") == "06:30"
    # "Until tomorrow's opening" is 06:30 in Paris, not in New York.
    now = dt.datetime(2026, 11, 27, 22, 0, tzinfo=dt.UTC)  # 23:00 in Paris
    shop = ShopService(shop_app.store)
    shop.pause_for("tomorrow", now=now)
    args = json.loads(shop_app.outbox()[-1]["args"])
    assert args == {"paused": True, "paused_until": "2026-11-28T05:30:00.000Z"}
    assert pause_end("tomorrow", now, shop.zone(), "06:30") == dt.datetime(
        2026, 11, 28, 5, 30, tzinfo=dt.UTC)


def _unnamed(name: str) -> ZoneInfo:
    """A zone as babel returns it when read from a file (TZ=:/etc/localtime): key None."""
    with open(f"/usr/share/zoneinfo/{name}", "rb") as file:
        zone = ZoneInfo.from_file(file)
    assert zone.key is None
    return zone


def test_a_computer_zone_without_a_name_is_named_from_its_file(monkeypatch):
    from posapp.store import shop_time

    monkeypatch.setattr(shop_time, "get_localzone", lambda: _unnamed("America/New_York"))
    monkeypatch.setenv("TZ", ":/usr/share/zoneinfo/America/New_York")
    assert shop_time.system_zone().key == "America/New_York"


def test_the_window_opens_when_the_computer_zone_has_no_name(
        monkeypatch, tmp_path, qtbot, shop_app, caplog):
    """TZ=:/some/file with no zone name in its path: UTC, said in the log, no crash."""
    from posapp.store import shop_time
    from posapp.ui.main_window import MainWindow

    copy = tmp_path / "localtime"
    copy.write_bytes(open("/usr/share/zoneinfo/Asia/Kolkata", "rb").read())
    monkeypatch.setenv("TZ", f":{copy}")
    monkeypatch.setattr(shop_time, "get_localzone", lambda: _unnamed("Asia/Kolkata"))
    try:
        window = MainWindow(shop_app)
        qtbot.addWidget(window)
        assert "has no name" in caplog.text
        assert zone_name(shop_app.store.conn) == "UTC"
        assert window.report_page.today()  # the day report reads its day in that zone
    finally:
        fmt.set_zone(None)


def test_the_day_report_takes_a_zone_without_a_name(shop_app):
    from posapp.domain.day_report import DayReport

    summary = DayReport(shop_app.store).compute(dt.date(2026, 11, 27), _unnamed("Asia/Kolkata"))
    assert summary.day == dt.date(2026, 11, 27)
