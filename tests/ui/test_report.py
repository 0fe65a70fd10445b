"""Day report tab: tiles, best sellers, day picker, Z ticket through the queue, CSV export."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from posapp.ui.report_page import ReportPage, duration_text
from sync.protocol import to_iso
from tests.ui.conftest import make_order, make_pull

DAY = dt.date(2026, 1, 15)  # Paris is UTC+1


def at(hhmm: str, day: dt.date = DAY) -> str:
    hour, minute = map(int, hhmm.split(":"))
    return to_iso(dt.datetime.combine(day, dt.time(hour, minute), tzinfo=dt.UTC))


def day_orders() -> list[dict]:
    def history(*steps: tuple[str, str]) -> list[dict]:
        return [{"status": s, "at": at(t), "by": "shop"} for s, t in steps]

    return [
        make_order("r1", 101, "completed", created_at=at("09:00"), total_cents=1250,
                   ready_by=at("09:20"),
                   history=history(("new", "09:00"), ("accepted", "09:02"), ("ready", "09:30"),
                                   ("completed", "09:40"))),
        make_order("r2", 102, "ready", channel="delivery", created_at=at("10:00"),
                   total_cents=800, ready_by=at("10:30"),
                   history=history(("new", "10:00"), ("accepted", "10:04"), ("ready", "10:14"))),
        make_order("r3", 103, "rejected", created_at=at("11:00"), total_cents=999,
                   history=history(("new", "11:00"), ("rejected", "11:01"))),
        make_order("r4", 104, "cancelled", created_at=at("12:00"), total_cents=300,
                   history=history(("new", "12:00"), ("cancelled", "12:05"))),
        make_order("r5", 105, "completed", created_at=at("09:00", DAY - dt.timedelta(days=1)),
                   total_cents=5000),  # the day before: not counted
    ]


@pytest.fixture
def fr(qapp):
    from posapp.ui.i18n import install_translator

    install_translator(qapp, "fr")



@pytest.fixture
def page(qtbot, shop_app, fr) -> ReportPage:
    shop_app.pull(make_pull(day_orders(), cursor=2))
    widget = ReportPage(shop_app)
    qtbot.addWidget(widget)
    widget.set_day(DAY)
    return widget


def test_day_picker_starts_today(qtbot, shop_app, fr):
    widget = ReportPage(shop_app)
    qtbot.addWidget(widget)
    assert widget.day() == widget.today()
    assert widget.date.maximumDate().toPython() == widget.today()


def test_tiles_show_the_day_figures(page):
    tiles = page.tiles
    assert tiles["orders"].value.text() == "4"
    assert "2 vendues" in tiles["orders"].note.text()
    assert tiles["revenue"].value.text() == "20,50\u00a0€"
    assert tiles["collect"].value.text() == "12,50\u00a0€"
    assert tiles["collect"].note.text() == "1 commande"
    assert tiles["delivery"].value.text() == "8,00\u00a0€"
    assert tiles["accept"].value.text() == "3 min"
    assert tiles["prep"].value.text() == "19 min"  # (28 + 10) / 2
    assert tiles["late"].value.text() == "1" and tiles["late"].value.property("problem") is True
    assert tiles["rejected"].value.text() == "1"
    assert tiles["cancelled"].value.text() == "1"
    assert tiles["counter"].value.text() == "0,00 €"  # no counter sale that day


def test_counter_sales_of_today(qtbot, shop_app, fr):
    shop_app.stock.adjust("A", -2, "counter_sale")  # 2 × 2,50 €, sold at the counter
    widget = ReportPage(shop_app)
    qtbot.addWidget(widget)
    widget.reload()
    assert widget.tiles["counter"].value.text() == "5,00 €"
    assert widget.tiles["counter"].note.text() == "2 articles"
    assert widget.tiles["revenue"].value.text() == "5,00 €"


def test_without_a_ledger_counter_sales_are_unknown(qtbot, shop_app, fr):
    shop_app.store.conn.execute("DROP TABLE stock_ledger")  # a store from before the ledger
    widget = ReportPage(shop_app)
    qtbot.addWidget(widget)
    widget.reload()
    assert widget.tiles["counter"].value.text() == "—"
    assert "pas encore" in widget.tiles["counter"].note.text()


def test_best_sellers_table(page):
    rows = [[page.best.item(r, c).text() for c in range(3)] for r in range(page.best.rowCount())]
    # Both sold orders hold 2 éclairs and 1 baguette (make_order's lines).
    assert rows == [["Éclair café", "4", "10,00\u00a0€"], ["Baguette tradition", "2", "2,60\u00a0€"]]


def test_changing_the_day_recomputes(page):
    page.set_day(DAY - dt.timedelta(days=1))
    assert page.tiles["orders"].value.text() == "1"
    assert page.tiles["revenue"].value.text() == "50,00\u00a0€"
    page.set_day(DAY + dt.timedelta(days=1))
    assert page.tiles["orders"].value.text() == "0"
    assert page.tiles["accept"].value.text() == "—"
    assert page.best.rowCount() == 0


def test_new_orders_refresh_the_visible_page(qtbot, page, shop_app):
    page.show()
    qtbot.waitExposed(page)
    order = make_order("r6", 106, "accepted", created_at=at("15:00"), total_cents=700)
    shop_app.pull(make_pull([order], cursor=3))
    assert page.tiles["orders"].value.text() == "5"
    assert page.tiles["collect"].value.text() == "19,50\u00a0€"


def test_z_report_goes_to_the_print_queue(page, printing):
    job_id = page.print_z()
    assert job_id is not None
    job = next(j for j in printing.queue.jobs("queued") if j.id == job_id)
    assert job.kind == "z_report"
    document = json.loads(job.document)
    text = json.dumps(document, ensure_ascii=False)
    assert "BILAN DU JOUR" in text and "15/01/2026" in text
    assert "20,50 €" in text and "12,50 €" in text
    assert "15/01/2026" in page.message.text() and "imprimante" in page.message.text()


def test_z_report_without_a_print_queue_is_explained(page):
    assert page.print_z() is None  # the test stand-in has no queue
    assert "pas disponible" in page.message.text()
    assert page.message.property("problem") is True


def test_export_csv_asks_for_a_file(page, tmp_path, monkeypatch):
    target = tmp_path / "bilan.csv"
    suggested: list[Path] = []

    def ask(path: Path) -> str:
        suggested.append(path)
        return str(target)

    monkeypatch.setattr(page, "ask_csv_path", ask)
    page.export_button.click()
    assert suggested[0].name == "bilan-2026-01-15.csv"
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"20,50" in raw
    assert str(target) in page.message.text()


def test_export_cancelled_writes_nothing(page, tmp_path, monkeypatch):
    monkeypatch.setattr(page, "ask_csv_path", lambda _path: None)
    assert page.export_csv() is None
    assert list(tmp_path.glob("*.csv")) == []
    assert page.message.text() == ""


def test_export_to_an_unwritable_place_is_explained(page, tmp_path):
    assert page.export_csv(tmp_path / "no-such-folder" / "bilan.csv") is None
    assert "Impossible d’écrire" in page.message.text()


def test_durations():
    assert duration_text(None) == "—"
    assert duration_text(42) == "42 s"
    assert duration_text(170) == "3 min"
    assert duration_text(3 * 3600 + 5 * 60) == "3 h 05"


def test_main_window_has_the_report_tab(window, shop_app):
    titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert "Bilan du jour" in titles
    window.tabs.setCurrentWidget(window.report_page)
    assert window.report_page.day() == window.report_page.today()
    before = int(window.report_page.tiles["orders"].value.text())
    now = to_iso(dt.datetime.now(dt.UTC))
    shop_app.pull(make_pull([make_order("t1", 201, created_at=now)], cursor=5))
    assert int(window.report_page.tiles["orders"].value.text()) == before + 1
