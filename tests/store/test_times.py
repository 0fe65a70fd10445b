"""Times are stored in UTC whatever the wire's offset; "today" is the shop's day."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from babel.localtime import get_localzone

from posapp.domain.orders import OrdersService
from posapp.store import outbox, shop_time
from posapp.store.db import Store, open_store
from posapp.store.replica import ShopReplica
from tests.factories import pull, wire_order, wire_product


@pytest.fixture
def store(tmp_path):
    s = open_store(tmp_path)
    yield s
    s.close()


def test_offsets_from_the_wire_are_stored_in_utc_and_sort_right(store):
    early = wire_order("ord_early", 1, created_at="2026-11-23T10:30:00+01:00",  # 09:30 UTC
                       updated_at="2026-11-23T10:30:00+01:00", ready_by="2026-11-23T11:00+01:00",
                       pickup_slot="2026-11-23T12:00:00.000+01:00",
                       history=[{"status": "new", "at": "2026-11-23T10:30:00+01:00", "by": "c"}])
    late = wire_order("ord_late", 2, created_at="2026-11-23T09:45:00.000Z",
                      updated_at="2026-11-23T09:45:00.000Z")
    ShopReplica(store).apply_pull(pull(products=[wire_product("ECL", stock=9)]))
    ShopReplica(store).apply_pull(pull(cursor=2, orders=[late, early]))
    assert [r["id"] for r in store.query("SELECT id FROM orders ORDER BY created_at")] == [
        "ord_early", "ord_late"]
    row = store.query_one("SELECT created_at, updated_at, ready_by, pickup_slot FROM orders"
                          " WHERE id = 'ord_early'")
    assert row == {"created_at": "2026-11-23T09:30:00.000Z",
                   "updated_at": "2026-11-23T09:30:00.000Z",
                   "ready_by": "2026-11-23T10:00:00.000Z", "pickup_slot": "2026-11-23T11:00:00.000Z"}
    assert store.query_one("SELECT at FROM order_history WHERE order_id = 'ord_early'") == {
        "at": "2026-11-23T09:30:00.000Z"}
    assert store.query_one("SELECT at FROM stock_ledger WHERE order_id = 'ord_early'") == {
        "at": "2026-11-23T09:30:00.000Z"}


def test_a_ready_by_chosen_with_an_offset_is_queued_in_utc(store):
    ShopReplica(store).apply_pull(pull(products=[wire_product("ECL")], orders=[wire_order()]))
    with store.transaction() as conn:
        outbox.enqueue(conn, "order.accept", {"order_id": "ord_1",
                                              "ready_by": "2026-11-23T12:00:00+01:00"})
    assert store.query_one("SELECT args FROM outbox")["args"].endswith(
        '"ready_by": "2026-11-23T11:00:00.000Z"}')
    assert store.query_one("SELECT pending_ready_by FROM orders") == {
        "pending_ready_by": "2026-11-23T11:00:00.000Z"}


def test_times_already_stored_with_an_offset_are_brought_to_utc(tmp_path):
    store = open_store(tmp_path)
    ShopReplica(store).apply_pull(pull(products=[wire_product("ECL")], orders=[wire_order()]))
    store.conn.execute("UPDATE orders SET created_at = '2026-11-23T10:30:00+01:00'")
    store.conn.execute("DELETE FROM _sqlite_migrations WHERE name = '0008_utc_times'")
    store.close()
    store = Store(store.path)
    assert store.query_one("SELECT created_at FROM orders") == {
        "created_at": "2026-11-23T09:30:00.000Z"}
    store.close()


@pytest.mark.parametrize("stored, utc", [
    ("2026-11-23T09:30:00Z", "2026-11-23T09:30:00.000Z"),  # no milliseconds: sorted last
    ("2026-11-23T10:30:00+0100", "2026-11-23T09:30:00.000Z"),  # offset without a colon
    ("2026-11-23T04:30:00.250-0500", "2026-11-23T09:30:00.250Z"),
    ("2026-11-23T09:30:00.000Z", "2026-11-23T09:30:00.000Z"),  # already right
    ("bientôt", "bientôt"),  # not a time: left alone
])
def test_other_spellings_stored_before_are_brought_to_utc(tmp_path, stored, utc):
    store = open_store(tmp_path)
    ShopReplica(store).apply_pull(pull(products=[wire_product("ECL")], orders=[wire_order()]))
    store.conn.execute("UPDATE orders SET created_at = ?, ready_by = ?", (stored, stored))
    store.conn.execute("UPDATE order_history SET at = ?", (stored,))
    store.conn.execute("DELETE FROM _sqlite_migrations WHERE name = '0012_utc_times_again'")
    store.close()
    store = Store(store.path)
    assert store.query_one("SELECT created_at, ready_by FROM orders") == {
        "created_at": utc, "ready_by": utc}
    assert {r["at"] for r in store.query("SELECT at FROM order_history")} == {utc}
    store.close()


def test_the_shop_zone_is_the_setting_else_the_computers(store):
    assert shop_time.shop_zone(store.conn) == get_localzone()
    shop_time.set_shop_zone(store.conn, "America/Guadeloupe")
    assert shop_time.shop_zone(store.conn) == ZoneInfo("America/Guadeloupe")
    with pytest.raises(ValueError, match="inconnu"):
        shop_time.set_shop_zone(store.conn, "Mars/Olympus_Mons")
    store.conn.execute("UPDATE settings SET value = 'Gone/Zone' WHERE key = 'shop_timezone'")
    assert shop_time.shop_zone(store.conn) == get_localzone()  # never a crash


def test_day_start_is_midnight_in_the_shop_zone(store):
    shop_time.set_shop_zone(store.conn, "Europe/Paris")
    at_00_30_paris = dt.datetime(2026, 11, 23, 23, 30, tzinfo=dt.UTC)
    assert shop_time.day_start(store.conn, at_00_30_paris) == "2026-11-23T23:00:00.000Z"
    summer = dt.datetime(2026, 7, 1, 12, 0, tzinfo=dt.UTC)
    assert shop_time.day_start(store.conn, summer) == "2026-06-30T22:00:00.000Z"


def test_the_board_done_today_column_is_the_shops_day(store):
    """Collected at 00:20 in Paris: today for the shop, although yesterday in UTC."""
    shop_time.set_shop_zone(store.conn, "Pacific/Kiritimati")  # UTC+14: far from UTC's day
    now = dt.datetime.now(dt.UTC)
    local_midnight = dt.datetime.combine(now.astimezone(ZoneInfo("Pacific/Kiritimati")).date(),
                                         dt.time(), tzinfo=ZoneInfo("Pacific/Kiritimati"))
    done = (local_midnight + dt.timedelta(minutes=1)).astimezone(dt.UTC)
    stamp = done.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    yesterday = (local_midnight - dt.timedelta(minutes=1)).astimezone(dt.UTC)
    ShopReplica(store).apply_pull(pull(products=[wire_product("ECL")], orders=[
        wire_order("ord_today", 1, status="completed", updated_at=stamp),
        wire_order("ord_yday", 2, status="completed",
                   updated_at=yesterday.strftime("%Y-%m-%dT%H:%M:%S.000Z"))]))
    store.conn.execute("UPDATE orders SET received_at = updated_at")
    done_ids = [o["id"] for col in OrdersService(store).board().values() for o in col]
    assert done_ids == ["ord_today"]


def test_a_bad_stored_time_is_left_alone_not_a_crash():
    assert shop_time.to_utc(None) is None
    assert shop_time.to_utc("") == ""
    assert shop_time.to_utc("2026-11-23T12:00:00Z") == "2026-11-23T12:00:00.000Z"


def test_tickets_show_times_in_the_shop_zone(store, tmp_path):
    import json

    from posapp.bridge import CoreBridge
    from posapp.printing_setup import PrintingSetup

    shop_time.set_shop_zone(store.conn, "America/Guadeloupe")  # UTC-4, no summer time
    from printing.config import PrintMoment

    setup = PrintingSetup(tmp_path, store, CoreBridge())
    setup.save_config(setup.config().with_changes(print_on=PrintMoment.ARRIVAL))
    ShopReplica(store, on_order_changes=setup.on_order_changes).apply_pull(pull(products=[wire_product("ECL")], orders=[
        wire_order(pickup_slot="2026-11-23T16:00:00.000Z")]))
    (document,) = [r["document"] for r in store.query("SELECT document FROM print_jobs")]
    assert "12:00" in document and "17:00" not in document, json.loads(document)
