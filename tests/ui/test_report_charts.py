"""Day report charts: what they draw is the day's data (hours, answer times, revenue)."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from posapp.domain.day_charts import DEFAULT_ACCEPT_TARGET_S
from posapp.ui.report_page import ReportPage
from tests.ui.conftest import make_order, make_pull
from tests.ui.test_report import DAY, at, day_orders

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def page(qtbot, shop_app, qapp) -> ReportPage:
    from posapp.ui.i18n import install_translator

    install_translator(qapp, "fr")
    shop_app.pull(make_pull(day_orders(), cursor=2))
    widget = ReportPage(shop_app)
    qtbot.addWidget(widget)
    widget.set_day(DAY)
    return widget


def bar_values(bar_set) -> list[float]:
    return [bar_set.at(i) for i in range(bar_set.count())]


def test_orders_per_hour_in_the_shops_local_hours(page):
    hours = page.charts.hours
    # Orders placed at 09:00, 10:00, 11:00 and 12:00 UTC: 10 h to 13 h in Paris (UTC+1).
    assert list(hours.hours) == list(range(8, 20))  # the usual day at least
    counts = dict(enumerate(bar_values(hours.bars)))  # bar i is local hour i
    assert {h: n for h, n in counts.items() if n} == {10: 1.0, 11: 1.0, 12: 1.0, 13: 1.0}
    axis = hours.chart().axes(Qt.Orientation.Horizontal)[0]
    assert (axis.min(), axis.max()) == (7.5, 19.5)


def test_a_late_evening_order_widens_the_hours(page, shop_app):
    late = make_order("r9", 109, "accepted", created_at=at("21:30"), total_cents=100)
    shop_app.pull(make_pull([late], cursor=3))
    page.reload()
    assert page.charts.hours.hours == range(8, 23)  # 22 h 30 in Paris
    assert bar_values(page.charts.hours.bars)[22] == 1.0


def test_acceptance_delay_per_order_against_the_target(page, shop_app):
    delays = page.charts.delays
    # Sold orders only: No. 101 accepted after 2 min, No. 102 after 4 min; default target 5 min.
    assert [d.number for d in page.charts_data.accept_delays] == [101, 102]
    assert bar_values(delays.on_time) == [2.0, 4.0]
    assert bar_values(delays.late) == [0.0, 0.0]
    assert {p.y() for p in delays.target.points()} == {DEFAULT_ACCEPT_TARGET_S / 60}

    shop_app.set_setting("accept_target_min", "3")
    page.reload()
    delays = page.charts.delays
    assert bar_values(delays.on_time) == [2.0, 0.0]
    assert bar_values(delays.late) == [0.0, 4.0]  # No. 102 answered over the target
    assert {p.y() for p in delays.target.points()} == {3.0}
    assert "3 min" in delays.target.name()
    assert page.charts_data.late_answers() == 1


def test_revenue_by_channel_matches_the_tiles(page, shop_app):
    slices = {s.property("channel"): s for s in page.charts.revenue.pie.slices()}
    assert set(slices) == {"collect", "delivery"}  # no counter sale that day: no slice
    assert slices["collect"].value() == 12.5 and slices["delivery"].value() == 8.0
    assert slices["collect"].label() == "12,50\u00a0€"
    assert slices["delivery"].label() == "8,00\u00a0€"
    chart = page.charts.revenue.chart()
    names = [m.label() for m in chart.legend().markers(page.charts.revenue.pie)]
    assert names == ["Click & collect", "Livraison"]
    assert page.tiles["collect"].value.text() == "12,50\u00a0€"  # same figures as the tiles


def test_a_day_without_orders_draws_empty_charts(page):
    page.set_day(DAY + dt.timedelta(days=1))
    assert sum(bar_values(page.charts.hours.bars)) == 0
    assert page.charts_data.accept_delays == ()
    assert page.charts.revenue.pie.count() == 0
    assert "rien" in page.charts.revenue.chart().title()


def test_printed_z_figures_are_unchanged(page, printing):
    job_id = page.print_z()
    job = next(j for j in printing.queue.jobs("queued") if j.id == job_id)
    text = json.dumps(json.loads(job.document), ensure_ascii=False)
    assert "20,50 €" in text and "12,50 €" in text and "8,00 €" in text


def test_other_tabs_and_qtcharts_load_only_when_opened(tmp_path):
    """Start-up builds the board only; the report tab (and QtCharts) comes on first view."""
    script = f"""
import json, sys
sys.path.insert(0, {str(ROOT)!r})
from PySide6.QtWidgets import QApplication
app = QApplication([])
import posapp.ui
from tests.ui.conftest import FakeShopApp, make_pull, PRODUCTS
from pathlib import Path
shop = FakeShopApp(Path({str(tmp_path)!r}) / "data")
shop.replica.apply_pull(make_pull([], PRODUCTS))
from posapp.ui.main_window import MainWindow
window = MainWindow(shop)
window.show()
app.processEvents()
loaded = lambda: sorted(m for m in ("PySide6.QtCharts", "posapp.ui.report_page",
                                    "posapp.ui.history_page", "posapp.ui.data_page",
                                    "posapp.ui.stock_page", "posapp.ui.settings_dialog")
                        if m in sys.modules)
at_start = loaded()
window.tabs.setCurrentIndex(3)
app.processEvents()
page = window.tabs.currentWidget()
print(json.dumps({{"at_start": at_start, "after": loaded(),
                  "report_shown": type(page).__name__, "tabs": window.tabs.count(),
                  "same": page is window.report_page}}))
window.close()
shop.store.close()
"""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60, env=env, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["at_start"] == []
    assert result["after"] == ["PySide6.QtCharts", "posapp.ui.report_page"]
    assert result == {**result, "report_shown": "ReportPage", "tabs": 5, "same": True}
