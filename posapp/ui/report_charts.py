"""The day report's three charts, drawn with QtCharts (imported only with this tab).

- orders per hour (bars, local hours, the shop's usual day at least);
- acceptance delay per order (stacked bars: within target / over it) and the target line;
- revenue by channel (a pie, each slice labelled with its amount).

Each chart keeps its series as attributes so tests can read what is drawn.
"""

from __future__ import annotations

from PySide6.QtCharts import (
    QAbstractAxis,
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QLineSeries,
    QPieSeries,
    QStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, QPointF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QFrame, QHBoxLayout, QWidget

from posapp.domain.day_charts import CHANNELS, DayCharts
from posapp.ui import fmt
from posapp.ui.i18n import tr

__all__ = ["DayChartsView", "HourChart", "DelayChart", "RevenueChart", "shown_hours"]

OK_COLOUR = QColor("#2e8b57")
LATE_COLOUR = QColor("#c0392b")
BAR_COLOUR = QColor("#3b6ea5")
CHANNEL_COLOURS = {"collect": QColor("#3b6ea5"), "delivery": QColor("#e08e0b"),
                   "counter": QColor("#6c8f3c")}
USUAL_HOURS = range(8, 20)  # always shown, so two days look alike


def shown_hours(per_hour: tuple[int, ...]) -> range:
    busy = [h for h, n in enumerate(per_hour) if n]
    first = min([USUAL_HOURS.start, *busy])
    last = max([USUAL_HOURS.stop - 1, *busy])
    return range(first, last + 1)


def _small_font(size: int = 8, bold: bool = False) -> QFont:
    font = QFont()
    font.setPointSize(size)
    font.setBold(bold)
    return font


def _chart(title: str) -> QChart:
    chart = QChart()
    chart.setTitle(title)
    chart.setTitleFont(_small_font(10, bold=True))
    chart.legend().setFont(_small_font())
    chart.setMargins(QMargins(4, 4, 4, 4))
    chart.setBackgroundRoundness(14)
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
    return chart


def _style(view: QChartView) -> None:
    view.setRenderHint(QPainter.RenderHint.Antialiasing)
    view.setFrameShape(QFrame.Shape.NoFrame)
    view.setBackgroundBrush(Qt.GlobalColor.transparent)
    view.setMinimumSize(200, 150)


def _add_axis(chart: QChart, axis: QAbstractAxis, where: Qt.AlignmentFlag) -> None:
    axis.setLabelsFont(_small_font())
    axis.setTitleFont(_small_font())
    chart.addAxis(axis, where)


def _count_axis(top: float) -> QValueAxis:
    axis = QValueAxis()
    axis.setRange(0, max(1.0, top))
    axis.setLabelFormat("%d")
    axis.setTickCount(5)
    return axis


class HourChart(QChartView):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setChart(_chart(tr("Orders per hour")))
        _style(self)
        self.hours: range = USUAL_HOURS
        self.bars = QBarSet(tr("Orders"))

    def show_data(self, charts: DayCharts) -> None:
        chart = self.chart()
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        self.hours = shown_hours(charts.orders_per_hour)
        self.bars = QBarSet(tr("Orders"))
        self.bars.setColor(BAR_COLOUR)
        self.bars.append([float(n) for n in charts.orders_per_hour])  # bar i is hour i
        series = QBarSeries()
        series.append(self.bars)
        chart.addSeries(series)
        # A value axis clipped to the shown hours: category labels ("10", "11"…) were elided
        # at this width, a value axis labels every other hour.
        hours = QValueAxis()
        hours.setRange(self.hours.start - 0.5, self.hours.stop - 0.5)
        hours.setTickType(QValueAxis.TickType.TicksDynamic)
        hours.setTickAnchor(0)
        hours.setTickInterval(1 if len(self.hours) <= 8 else 2)
        hours.setLabelFormat("%d")
        hours.setGridLineVisible(False)
        hours.setTitleText(tr("hour of the day"))
        count = _count_axis(max(charts.orders_per_hour))
        _add_axis(chart, hours, Qt.AlignmentFlag.AlignBottom)
        _add_axis(chart, count, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(hours)
        series.attachAxis(count)
        chart.legend().hide()


class DelayChart(QChartView):
    """Minutes from arrival to acceptance, one bar per order; red above the target line."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setChart(_chart(tr("Time to accept each order")))
        _style(self)
        self.on_time = QBarSet(tr("Within target"))
        self.late = QBarSet(tr("Over target"))
        self.target = QLineSeries()

    def show_data(self, charts: DayCharts) -> None:
        chart = self.chart()
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        target_min = charts.accept_target_s / 60
        self.on_time = QBarSet(tr("Within target"))
        self.late = QBarSet(tr("Over target"))
        self.on_time.setColor(OK_COLOUR)
        self.late.setColor(LATE_COLOUR)
        minutes = [d.seconds / 60 for d in charts.accept_delays]
        self.on_time.append([m if m <= target_min else 0.0 for m in minutes])
        self.late.append([m if m > target_min else 0.0 for m in minutes])
        bars = QStackedBarSeries()
        bars.append(self.on_time)
        bars.append(self.late)
        chart.addSeries(bars)
        self.target = QLineSeries()
        self.target.setName(tr("Target: {d}").format(d=_duration(charts.accept_target_s)))
        self.target.setPen(QPen(QColor("#333333"), 2, Qt.PenStyle.DashLine))
        # Across the whole category axis: bar i is centred on x = i.
        self.target.append([QPointF(-0.5, target_min),
                            QPointF(max(0, len(minutes) - 1) + 0.5, target_min)])
        chart.addSeries(self.target)
        orders = QBarCategoryAxis()
        orders.append([tr("No. {n}").format(n=d.number) for d in charts.accept_delays] or [""])
        axis = _count_axis(max([target_min * 1.25, *minutes]))
        axis.setTitleText(tr("minutes (target {d})").format(d=_duration(charts.accept_target_s)))
        _add_axis(chart, orders, Qt.AlignmentFlag.AlignBottom)
        _add_axis(chart, axis, Qt.AlignmentFlag.AlignLeft)
        for series in (bars, self.target):
            series.attachAxis(orders)
            series.attachAxis(axis)
        orders.setLabelsVisible(len(minutes) <= 12)  # past that, numbers would overlap
        chart.legend().hide()  # green / red and the dashed line explain themselves


class RevenueChart(QChartView):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setChart(_chart(tr("Revenue by channel")))
        _style(self)
        self.pie = QPieSeries()

    def show_data(self, charts: DayCharts) -> None:
        chart = self.chart()
        chart.removeAllSeries()
        self.pie = QPieSeries()
        names = {"collect": tr("Click & collect"), "delivery": tr("Delivery"),
                 "counter": tr("Counter")}
        shown = []
        for channel in CHANNELS:
            cents = charts.revenue_cents.get(channel, 0)
            if cents <= 0:
                continue
            piece = self.pie.append(fmt.euros(cents), cents / 100)  # the amount by the slice
            piece.setColor(CHANNEL_COLOURS[channel])
            piece.setLabelVisible(True)
            piece.setLabelFont(_small_font())
            piece.setProperty("channel", channel)
            shown.append(names[channel])
        self.pie.setPieSize(0.6)  # room for the amounts around it
        chart.addSeries(self.pie)
        for marker, name in zip(chart.legend().markers(self.pie), shown, strict=True):
            marker.setLabel(name)  # the legend names the channel
        chart.setTitle(tr("Revenue by channel") if self.pie.count()
                       else tr("Revenue by channel: nothing sold yet"))
        chart.legend().setVisible(self.pie.count() > 0)


def _duration(seconds: float) -> str:
    minutes = round(seconds / 60)
    return tr("{m} min").format(m=minutes)


class DayChartsView(QWidget):
    """The three charts side by side."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.hours = HourChart()
        self.delays = DelayChart()
        self.revenue = RevenueChart()
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        for view in (self.hours, self.delays, self.revenue):
            row.addWidget(view, 1)

    def show_data(self, charts: DayCharts) -> None:
        for view in (self.hours, self.delays, self.revenue):
            view.show_data(charts)
