"""Bar charts as geometry for inline SVG (templates/_chart.html draws them).

No JavaScript and no library: the server computes rectangles and ticks, the
template writes ``<rect>``/``<text>`` elements (autoescaped like any value), and
the page's CSS colours them by class (the CSP allows no inline style).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

__all__ = ["Chart", "Series", "bar_chart", "nice_max"]

WIDTH, HEIGHT = 420, 190
LEFT, RIGHT, TOP, BOTTOM = 50, 6, 10, 24


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]
    css: str  # class of its bars: "s1", "s2"


@dataclass
class Chart:
    title: str
    width: int = WIDTH
    height: int = HEIGHT
    bars: list[dict[str, object]] = field(default_factory=list)
    ticks: list[dict[str, object]] = field(default_factory=list)
    labels: list[dict[str, object]] = field(default_factory=list)
    legend: list[Series] = field(default_factory=list)
    plot: dict[str, int] = field(default_factory=dict)


def nice_max(value: float, integer: bool = False) -> float:
    """An axis top at or above ``value`` made of four steps of 1, 2 or 5 × 10^k (a scale
    that reads well); whole steps for counts."""
    if value <= 0:
        return 4.0
    quarter = value / 4
    power = 10 ** math.floor(math.log10(quarter))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= quarter)
    if integer:
        step = max(1.0, math.ceil(step))
    return 4 * step


def bar_chart(title: str, labels: Sequence[str], series: Sequence[Series],
              fmt: Callable[[float], str] = lambda v: f"{v:g}", *, integer: bool = False,
              tick_fmt: Callable[[float], str] | None = None) -> Chart:
    """Grouped bars: one group per label, one bar per series; None draws nothing. ``fmt``
    writes a bar's value (its tooltip), ``tick_fmt`` the axis (default ``fmt``)."""
    chart = Chart(title, legend=list(series))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    chart.plot = {"x": LEFT, "y": TOP, "w": plot_w, "h": plot_h, "bottom": TOP + plot_h}
    top = nice_max(max((v for s in series for v in s.values if v is not None), default=0),
                   integer)
    for i in range(5):
        value = top * i / 4
        chart.ticks.append({"y": TOP + plot_h - plot_h * i / 4,
                            "text": (tick_fmt or fmt)(value)})
    n = max(1, len(labels))
    group = plot_w / n
    bar_w = max(1.0, group * 0.8 / max(1, len(series)))
    # Thin out the labels under the axis: at most ~12 fit.
    every = max(1, math.ceil(n / 12))
    for i, label in enumerate(labels):
        x0 = LEFT + group * i + group * 0.1
        if i % every == 0:
            chart.labels.append({"x": LEFT + group * (i + 0.5), "text": label})
        for k, s in enumerate(series):
            value = s.values[i] if i < len(s.values) else None
            if value is None:
                continue
            h = plot_h * value / top
            chart.bars.append({"x": round(x0 + k * bar_w, 1), "y": round(TOP + plot_h - h, 1),
                               "w": round(bar_w, 1), "h": round(h, 1), "css": s.css,
                               "title": f"{label} · {s.name} : {fmt(value)}"})
    return chart
