"""Day report: which orders belong to the day, revenue, times, lateness, best sellers, CSV."""

from __future__ import annotations

import csv
import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from posapp.domain.day_report import DayReport, day_bounds
from posapp.domain.orders import OrdersService
from posapp.store.db import open_store
from posapp.store.replica import ShopReplica
from printing import build_z_report
from sync.protocol import to_iso
from tests.factories import pull, wire_order, wire_product

DAY = dt.date(2026, 1, 15)  # winter: Paris is UTC+1
NOW = dt.datetime(2026, 1, 15, 19, 0, tzinfo=dt.UTC)


def at(hhmm: str, day: dt.date = DAY) -> str:
    """A UTC time of `day` as the store writes it."""
    hour, minute = map(int, hhmm.split(":"))
    return to_iso(dt.datetime.combine(day, dt.time(hour, minute), tzinfo=dt.UTC))


def order(oid: str, created: str, status: str = "completed", *, channel: str = "collect",
          total: int = 1000, steps: dict[str, str] | None = None, ready_by: str | None = None,
          lines: list[tuple[str, str, int, int]] | None = None) -> dict[str, Any]:
    history = [{"status": "new", "at": created, "by": "customer"}]
    history += [{"status": s, "at": t, "by": "shop"} for s, t in (steps or {}).items()]
    return wire_order(
        oid, number=int(oid.split("_")[1]), status=status, channel=channel, total_cents=total,
        created_at=created, updated_at=created, ready_by=ready_by, history=history,
        lines=[{"sku": sku, "name": name, "qty": qty, "unit_price_cents": price, "options": []}
               for sku, name, qty, price in (lines or [("ECL", "Éclair café", 1, total)])],
    )


@pytest.fixture
def store(tmp_path):
    s = open_store(tmp_path)
    yield s
    s.close()


def load(store, *orders: dict[str, Any]) -> None:
    ShopReplica(store).apply_pull(pull(orders=orders, products=[
        wire_product("ECL", price_cents=250), wire_product("BAG", name="Baguette", price_cents=130),
    ]))


def test_day_is_cut_at_local_midnight_including_dst_days(store):
    load(
        store,
        order("o_1", "2026-01-14T22:30:00.000Z"),  # 23:30 in Paris, the 14th
        order("o_2", "2026-01-14T23:30:00.000Z"),  # 00:30 in Paris, the 15th
        order("o_3", "2026-01-15T22:59:59.000Z"),  # 23:59:59 in Paris
        order("o_4", "2026-01-15T23:00:00.000Z"),  # the 16th
        # 29 March 2026: clocks go forward, the day has 23 hours (UTC+1 → UTC+2).
        order("o_5", "2026-03-28T23:30:00.000Z"),  # 00:30 on the 29th
        order("o_6", "2026-03-29T21:59:00.000Z"),  # 23:59 on the 29th
        order("o_7", "2026-03-29T22:30:00.000Z"),  # 00:30 on the 30th
    )
    report = DayReport(store, now=NOW)
    assert report.compute(DAY).received == 2
    assert report.compute(dt.date(2026, 3, 29)).received == 2
    assert day_bounds(dt.date(2026, 3, 29)) == ("2026-03-28T23:00:00.000Z",
                                                 "2026-03-29T22:00:00.000Z")
    assert report.compute(DAY, tz="UTC").received == 2  # o_3 and o_4 by UTC dates
    assert report.compute(dt.date(2026, 1, 14), tz="UTC").received == 2


def test_revenue_counts_sold_orders_by_channel(store):
    load(
        store,
        order("o_1", at("09:00"), "completed", total=1000),
        order("o_2", at("09:10"), "ready", total=450),
        order("o_3", at("09:20"), "accepted", channel="delivery", total=2000),
        order("o_4", at("09:30"), "new", total=999),
        order("o_5", at("09:40"), "rejected", total=700),
        order("o_6", at("09:50"), "cancelled", channel="delivery", total=300),
    )
    summary = DayReport(store, now=NOW).compute(DAY)
    assert (summary.received, summary.sold, summary.waiting) == (6, 3, 1)
    assert (summary.rejected, summary.cancelled) == (1, 1)
    assert summary.channel("collect").orders == 2
    assert summary.channel("collect").revenue_cents == 1450
    assert summary.channel("delivery").revenue_cents == 2000
    assert summary.revenue_total_cents == 3450


def test_a_decision_still_in_the_outbox_counts_as_the_counter_sees_it(store):
    load(store, order("o_1", at("09:00"), "new", total=800))
    assert DayReport(store, now=NOW).compute(DAY).sold == 0
    OrdersService(store).accept("o_1", ready_in_minutes=15)
    summary = DayReport(store, now=NOW).compute(DAY)
    assert summary.sold == 1 and summary.revenue_total_cents == 800


def test_average_acceptance_and_preparation_times(store):
    load(
        store,
        order("o_1", at("09:00"), steps={"accepted": at("09:02"), "ready": at("09:12"),
                                         "completed": at("09:30")}),
        order("o_2", at("10:00"), steps={"accepted": at("10:04"), "ready": at("10:24")}),
        # Ready skipped: handing over is when it was ready.
        order("o_3", at("11:00"), steps={"accepted": at("11:03"), "completed": at("11:18")}),
        order("o_4", at("12:00"), "rejected", steps={"rejected": at("12:30")}),  # not counted
    )
    summary = DayReport(store, now=NOW).compute(DAY)
    assert summary.avg_accept_s == pytest.approx(3 * 60)
    assert summary.avg_prep_s == pytest.approx(15 * 60)


def test_no_times_without_history(store):
    load(store, order("o_1", at("09:00"), "new"))
    summary = DayReport(store, now=NOW).compute(DAY)
    assert summary.avg_accept_s is None and summary.avg_prep_s is None


def test_late_orders(store):
    load(
        store,
        # ready after ready_by: late
        order("o_1", at("09:00"), "completed", ready_by=at("09:20"),
              steps={"accepted": at("09:01"), "ready": at("09:25")}),
        # ready in time: not late
        order("o_2", at("09:00"), "ready", ready_by=at("09:20"),
              steps={"accepted": at("09:01"), "ready": at("09:15")}),
        # still being prepared and past ready_by ("now" is 19:00): late
        order("o_3", at("17:00"), "accepted", ready_by=at("18:00"),
              steps={"accepted": at("17:01")}),
        # still being prepared, ready_by to come: not late
        order("o_4", at("18:30"), "accepted", ready_by=at("19:30"),
              steps={"accepted": at("18:31")}),
        # cancelled orders are never late
        order("o_5", at("08:00"), "cancelled", ready_by=at("08:30"),
              steps={"accepted": at("08:01"), "cancelled": at("09:00")}),
    )
    assert DayReport(store, now=NOW).compute(DAY).late == 2
    later = dt.datetime(2026, 1, 15, 20, 0, tzinfo=dt.UTC)
    assert DayReport(store, now=later).compute(DAY).late == 3


def test_best_sellers_are_the_top_five_by_quantity_of_sold_orders(store):
    def lines(*items: tuple[str, int]) -> list[tuple[str, str, int, int]]:
        return [(sku, f"Produit {sku}", qty, 100) for sku, qty in items]

    load(
        store,
        order("o_1", at("09:00"), lines=lines(("A", 5), ("B", 1), ("C", 2))),
        order("o_2", at("09:10"), "ready", lines=lines(("B", 3), ("D", 1))),
        order("o_3", at("09:20"), "accepted", lines=lines(("E", 2), ("F", 1), ("G", 1))),
        order("o_4", at("09:30"), "rejected", lines=lines(("Z", 50))),  # never sold
        order("o_5", at("09:40"), "new", lines=lines(("Y", 40))),  # not sold yet
    )
    best = DayReport(store, now=NOW).compute(DAY).best_sellers
    assert [(b.sku, b.qty) for b in best] == [("A", 5), ("B", 4), ("C", 2), ("E", 2), ("D", 1)]
    assert best[0].name == "Produit A" and best[0].revenue_cents == 500


def test_counter_sales_from_the_stock_ledger(store):
    from posapp.domain.stock import StockService

    load(store)
    stock = StockService(store)
    stock.adjust("BAG", -2, "counter_sale")
    stock.adjust("ECL", -1, "counter_sale")
    stock.adjust("ECL", 5, "restock")
    today = dt.datetime.now(ZoneInfo("Europe/Paris")).date()
    summary = DayReport(store).compute(today)
    assert summary.counter_known is True
    assert (summary.counter_items, summary.counter_revenue_cents) == (3, 2 * 130 + 250)
    assert DayReport(store).compute(today - dt.timedelta(days=1)).counter_items == 0


def test_stores_without_a_ledger_have_no_counter_figures(store):
    """An older store (or a ledger of another shape): counter sales are unknown, not zero."""
    load(store, order("o_1", at("09:00"), total=1000))
    store.conn.execute("DROP TABLE IF EXISTS stock_ledger")
    summary = DayReport(store, now=NOW).compute(DAY)
    assert summary.counter_known is False and summary.counter_revenue_cents == 0

    store.conn.execute("CREATE TABLE stock_ledger (sku TEXT, delta INTEGER, reason TEXT,"
                       " at TEXT, price_cents INTEGER)")
    store.conn.executemany(
        "INSERT INTO stock_ledger VALUES (?, ?, ?, ?, ?)",
        [("BAG", -3, "counter_sale", at("10:00"), 120),  # price of the day of the sale
         ("ECL", -1, "counter_sale", at("11:00"), None),  # no price kept: catalogue's (250)
         ("BAG", 20, "restock", at("07:00"), None),
         ("BAG", -1, "counter_sale", at("10:00", dt.date(2026, 1, 16)), 120)],  # another day
    )
    summary = DayReport(store, now=NOW).compute(DAY)
    assert summary.counter_known is True
    assert (summary.counter_items, summary.counter_revenue_cents) == (4, 3 * 120 + 250)
    assert summary.revenue_total_cents == 1000 + 610


def test_counter_ledger_without_price_uses_the_catalogue(store):
    load(store)
    store.conn.execute("DROP TABLE IF EXISTS stock_ledger")
    store.conn.execute("CREATE TABLE stock_ledger (id INTEGER PRIMARY KEY, sku TEXT,"
                       " delta INTEGER, reason TEXT, created_at TEXT)")
    store.conn.execute("INSERT INTO stock_ledger (sku, delta, reason, created_at)"
                       " VALUES ('BAG', -2, 'counter_sale', ?)", (at("12:00"),))
    assert DayReport(store, now=NOW).compute(DAY).counter_revenue_cents == 260


def test_csv_opens_in_french_excel(store, tmp_path):
    load(
        store,
        order("o_1", at("09:00"), total=123456,
              steps={"accepted": at("09:01"), "ready": at("09:11")},
              lines=[("ECL", "Éclair; café « maison »", 2, 61728)]),
        order("o_2", at("09:00"), "rejected", channel="delivery", total=700),
    )
    store.conn.execute("DROP TABLE IF EXISTS stock_ledger")  # counter sales unknown
    summary = DayReport(store, now=NOW).compute(DAY)
    path = summary.to_csv(tmp_path / "bilan.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel then reads UTF-8
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines(), delimiter=";"))
    values = {r[0]: r[1] for r in rows if len(r) == 2}
    assert values["Bilan du jour"] == "15/01/2026"
    assert values["Click & collect : chiffre d’affaires (€)"] == "1234,56"
    assert values["Chiffre d’affaires total (€)"] == "1234,56"
    assert values["Refusées"] == "1"
    assert values["Délai moyen d’acceptation (min)"] == "1,0"
    assert values["Temps moyen de préparation (min)"] == "10,0"
    assert values["Comptoir : chiffre d’affaires (€)"] == ""  # unknown, not zero
    best = rows[rows.index(["Meilleures ventes"]) + 2]
    assert best == ["1", "ECL", "Éclair; café « maison »", "2", "1234,56"]


def test_z_report_shows_the_day_figures(store):
    load(
        store,
        order("o_1", at("09:00"), total=1250),
        order("o_2", at("09:10"), "completed", channel="delivery", total=800),
        order("o_3", at("09:20"), "cancelled", total=300),
    )
    z = DayReport(store, now=NOW).compute(DAY).to_z_summary()
    assert (z.orders_count, z.cancelled_count, z.revenue_total_cents) == (3, 1, 2050)
    text = "\n".join(getattr(b, "text", "") for b in build_z_report(z, {"name": "Zoé"}).blocks)
    assert "12,50 €" in text and "8,00 €" in text and "20,50 €" in text
