"""The "Day report" tab: the day's figures in big tiles, charts, best sellers, Z ticket, CSV.

Figures come from ``posapp.domain.day_report`` (a few ms over a year of orders,
so they are read on the GUI thread like the other tabs). The Z ticket goes
through the print queue like any ticket; Comptoir is no cash register, and
the page and the ticket say so.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QSize, QStandardPaths, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

import l10n
from posapp.domain.day_charts import DEFAULT_ACCEPT_TARGET_S, DayCharts, day_charts
from posapp.domain.day_report import DEFAULT_TZ, DayReport, DaySummary
from posapp.ui import fmt
from posapp.ui.core_messages import file_error_text, user_text
from posapp.ui.i18n import tr, trn
from posapp.ui.report_charts import DayChartsView
from printing import build_z_report

__all__ = ["BestSellers", "ReportPage", "Tile"]

log = logging.getLogger(__name__)

_STYLE = """
#reportTile { background: #ffffff; border-radius: 14px; }
#tileTitle { color: #7a6f66; font-size: 15px; font-weight: 600; }
#tileValue { font-size: 34px; font-weight: 800; }
#tileValue[problem="true"] { color: #c0392b; }
#tileNote { color: #7a6f66; font-size: 14px; }
"""


class Tile(QFrame):
    """One figure readable from a metre away: title, big value, small note."""

    def __init__(self, title: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("reportTile")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        self.title = QLabel(title)
        self.title.setObjectName("tileTitle")
        self.value = QLabel("—")
        self.value.setObjectName("tileValue")
        self.note = QLabel("")
        self.note.setObjectName("tileNote")
        self.note.setWordWrap(True)
        for label in (self.title, self.value, self.note):
            layout.addWidget(label)
        # A huge figure is cut at the tile's edge rather than widen the page (which
        # scrolls only up and down).
        self.value.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def show_value(self, value: str, note: str = "", problem: bool = False) -> None:
        self.value.setText(value)
        self.note.setText(note)
        self.value.setProperty("problem", problem)
        self.value.style().unpolish(self.value)
        self.value.style().polish(self.value)


class BestSellers(QTableWidget):
    """The best-sellers table: never narrower than its column titles ("Meilleures ventes"
    was cut on a 1280-px screen, the charts beside it taking the width)."""

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        hint = super().minimumSizeHint()
        header = self.horizontalHeader()
        titles = sum(max(header.sectionSizeHint(i), self.sizeHintForColumn(i) if i else 0)
                     for i in range(header.count()))  # product names wrap; figures do not
        scroll_bar = self.verticalScrollBar().sizeHint().width()
        return QSize(max(hint.width(), titles + 2 * self.frameWidth() + scroll_bar),
                     hint.height())


def duration_text(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 60:
        return tr("{s} s").format(s=round(seconds))
    minutes = round(seconds / 60)
    if minutes < 60:
        return tr("{m} min").format(m=minutes)
    return tr("{h} h {m:02d}").format(h=minutes // 60, m=minutes % 60)


class ReportPage(QWidget):
    z_queued = Signal(int)  # print job id
    exported = Signal(Path)

    def __init__(self, shop_app: Any, tz: str | dt.tzinfo = DEFAULT_TZ, parent: QWidget | None = None):
        super().__init__(parent)
        self.shop_app = shop_app
        self.tz = tz
        self.report = DayReport(shop_app.store)
        self.summary: DaySummary | None = None
        self.charts_data: DayCharts | None = None
        self.setStyleSheet(_STYLE)
        # The page scrolls rather than squeeze: on a 1280×720 screen, under the alert band
        # and a banner or two, the tiles were given a few pixels and their figures cut through.
        body = QWidget()
        body.setObjectName("reportBody")
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setWidget(body)
        self.scroll.viewport().setAutoFillBackground(False)
        body.setAutoFillBackground(False)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.scroll)
        layout = QVBoxLayout(body)
        layout.addLayout(self._build_bar())
        layout.addLayout(self._build_tiles())
        self.charts = DayChartsView()
        self.best = BestSellers(0, 3)
        self.best.setHorizontalHeaderLabels([tr("Best sellers"), tr("Quantity"), tr("Revenue")])
        self.best.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.best.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.best.verticalHeader().hide()
        self.best.verticalHeader().setDefaultSectionSize(40)
        self.best.setShowGrid(False)
        header = self.best.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        # Charts and best sellers share one row: the page must fit a 1280×720 screen.
        row = QHBoxLayout()
        row.addWidget(self.charts, 2)
        row.addWidget(self.best, 1)
        layout.addLayout(row, 1)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        notice = QLabel(tr("Indicative summary: Comptoir is not a cash register; this is not a "
                           "fiscal Z report."))
        notice.setObjectName("hint")
        layout.addWidget(notice)
        shop_app.orders_changed.connect(self._refresh_if_visible)

    # -- building ---------------------------------------------------------------------
    def _build_bar(self) -> QHBoxLayout:
        bar = QHBoxLayout()
        self.date = QDateEdit()
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("dd/MM/yyyy")
        self.date.setMinimumHeight(48)
        today = self.today()
        self.date.setDate(QDate(today.year, today.month, today.day))
        self.date.setMaximumDate(self.date.date())
        self.date.dateChanged.connect(lambda _d: self.reload())
        self.today_button = QPushButton(tr("Today"))
        self.print_button = QPushButton(tr("Print the Z report"))
        self.export_button = QPushButton(tr("Export CSV"))
        self.today_button.clicked.connect(self.show_today)
        self.print_button.clicked.connect(self.print_z)
        self.export_button.clicked.connect(lambda: self.export_csv())
        bar.addWidget(QLabel(tr("Day")))
        bar.addWidget(self.date)
        bar.addWidget(self.today_button)
        bar.addStretch(1)
        for button in (self.today_button, self.print_button, self.export_button):
            button.setMinimumHeight(48)
        bar.addWidget(self.print_button)
        bar.addWidget(self.export_button)
        return bar

    def _build_tiles(self) -> QGridLayout:
        grid = QGridLayout()
        grid.setSpacing(10)
        titles = {
            "orders": tr("Orders"), "revenue": tr("Revenue"), "collect": tr("Click & collect"),
            "delivery": tr("Delivery"), "counter": tr("Counter"),
            "accept": tr("Average acceptance time"), "prep": tr("Average preparation time"),
            "late": tr("Late orders"), "rejected": tr("Refused orders"),
            "cancelled": tr("Cancelled orders"),
        }
        self.tiles = {key: Tile(title) for key, title in titles.items()}
        for i, tile in enumerate(self.tiles.values()):
            grid.addWidget(tile, i // 5, i % 5)
        return grid

    # -- data ---------------------------------------------------------------------------
    def today(self) -> dt.date:
        return dt.datetime.now(l10n.as_zone(self.tz)).date()

    def day(self) -> dt.date:
        return self.date.date().toPython()

    def set_day(self, day: dt.date) -> None:
        latest = max(day, self.today())
        self.date.setMaximumDate(QDate(latest.year, latest.month, latest.day))
        self.date.setDate(QDate(day.year, day.month, day.day))
        self.reload()

    def show_today(self) -> None:
        self.set_day(self.today())

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt API)
        super().showEvent(event)
        self.reload()  # orders may have moved on while another tab was shown

    def _refresh_if_visible(self) -> None:
        if self.isVisible():
            self.reload()

    def reload(self) -> DaySummary:
        self.summary = summary = self.report.compute(self.day(), self.tz)
        t = self.tiles
        t["orders"].show_value(str(summary.received), tr("{s} sold · {w} waiting").format(
            s=summary.sold, w=summary.waiting))
        t["revenue"].show_value(fmt.euros(summary.revenue_total_cents), tr("online and counter"))
        for channel in ("collect", "delivery"):
            figures = summary.channel(channel)
            t[channel].show_value(fmt.euros(figures.revenue_cents),
                                  trn("%n order(s)", figures.orders))
        if summary.counter_known:
            t["counter"].show_value(fmt.euros(summary.counter_revenue_cents),
                                    trn("%n item(s)", summary.counter_items))
        else:
            t["counter"].show_value("—", tr("Counter sales are not recorded yet."))
        t["accept"].show_value(duration_text(summary.avg_accept_s), tr("from order to acceptance"))
        t["prep"].show_value(duration_text(summary.avg_prep_s), tr("from acceptance to ready"))
        t["late"].show_value(str(summary.late), tr("ready after the promised time"),
                             problem=summary.late > 0)
        t["rejected"].show_value(str(summary.rejected))
        t["cancelled"].show_value(str(summary.cancelled))
        self.best.setRowCount(len(summary.best_sellers))
        for row, item in enumerate(summary.best_sellers):
            for col, text in enumerate((item.name, str(item.qty), fmt.euros(item.revenue_cents))):
                cell = QTableWidgetItem(text)
                if col:  # figures line up on the right
                    cell.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.best.setItem(row, col, cell)
        self.best.updateGeometry()  # wider figures: a wider minimum
        self.charts_data = day_charts(self.shop_app.store, summary, self.tz, self.accept_target_s())
        self.charts.show_data(self.charts_data)
        return summary

    def accept_target_s(self) -> float:
        """The answer time the shop aims at (setting ``accept_target_min``, in minutes)."""
        try:
            minutes = float(self.shop_app.setting("accept_target_min", "") or 0)
        except (TypeError, ValueError):
            minutes = 0
        return minutes * 60 if 0 < minutes <= 60 else DEFAULT_ACCEPT_TARGET_S

    # -- actions --------------------------------------------------------------------------
    def print_z(self) -> int | None:
        summary = self.reload()
        printing = getattr(self.shop_app, "printing", None)
        queue = getattr(printing, "queue", None)
        if queue is None:
            self._say(tr("Printing is not available."), problem=True)
            return None
        try:
            config = printing.config()
            document = build_z_report(summary.to_z_summary(), self.shop_app.shop or {},
                                      config.line_columns, self.tz, code_page=config.code_page)
            job_id = queue.submit(document)
        except Exception as exc:  # a printer problem must never close the app
            self._say(tr("The Z report could not be printed: {e}").format(e=user_text(exc)),
                      problem=True)
            return None
        self._say(tr("Z report of {d} sent to the printer.").format(
            d=summary.day.strftime("%d/%m/%Y")))
        self.z_queued.emit(job_id)
        return job_id

    def ask_csv_path(self, suggested: Path) -> str | None:
        """The file to write (tests replace it); None when the shopkeeper cancels."""
        path, _filter = QFileDialog.getSaveFileName(
            self, tr("Export the day report"), str(suggested), tr("CSV files (*.csv)"))
        return path or None

    def export_csv(self, path: str | Path | None = None) -> Path | None:
        summary = self.reload()
        if path is None:
            folder = QStandardPaths.writableLocation(
                QStandardPaths.StandardLocation.DocumentsLocation) or str(Path.home())
            path = self.ask_csv_path(Path(folder) / f"bilan-{summary.day.isoformat()}.csv")
            if path is None:
                return None
        try:
            written = summary.to_csv(path)
        except OSError as exc:
            log.warning("day report export to %s failed: %s", path, exc)
            self._say(tr("The file could not be written: {e}").format(e=file_error_text(exc)),
                      problem=True)
            return None
        self._say(tr("Day report saved to {p}").format(p=written))
        self.exported.emit(written)
        return written

    def _say(self, text: str, problem: bool = False) -> None:
        self.message.setText(text)
        self.message.setProperty("problem", problem)
        self.message.setStyleSheet("color: #c0392b; font-weight: 700;" if problem else "")
