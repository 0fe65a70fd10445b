"""The numbers a marketplace is judged by, per day or week, overall or per shop.

Orders count in the period they were placed (``created_at``), days and weeks
(Monday to Sunday) in a time zone (the shop's, or the console's for the whole
marketplace). Per period:

- ``orders``: orders placed;
- ``revenue_cents``: the totals of orders accepted and not undone (status
  accepted, ready or completed: refused and cancelled orders bring nothing);
- ``accept_p50_s`` / ``accept_p90_s``: the delay from placing to acceptance,
  by nearest rank (a delay that really happened; None without acceptances);
- ``refused_timeout``: orders nobody answered, refused by the marketplace;
- ``refused_shop``: orders the shop refused;
- ``late``: orders ready (or handed over, if "ready" was skipped) after the
  ready-by time given at acceptance;
- ``cancelled``: orders the customer cancelled.

The SQL is plain and portable (SQLite and PostgreSQL); the arithmetic on times
is done here, not in SQL.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from marketplace.storage import read_tx
from sync.protocol import parse_iso, to_iso

__all__ = ["Period", "Bucket", "periods", "compute", "nearest_rank", "MAX_PERIODS"]

MAX_PERIODS = 60  # a page of KPIs reads at most 60 days or 60 weeks of orders
_EARNING = ("accepted", "ready", "completed")


def nearest_rank(values: list[float], q: float) -> float | None:
    """The q-quantile (0 < q <= 1) by nearest rank; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


@dataclass(frozen=True)
class Period:
    label: str          # "27/11" for a day, "S48" for an ISO week
    start: dt.datetime  # aware, UTC
    end: dt.datetime


def periods(unit: str, count: int, zone: ZoneInfo, now: dt.datetime | None = None
            ) -> list[Period]:
    """The last ``count`` days or weeks (``unit`` "day" or "week"), oldest first, ending
    with the current one, in ``zone``."""
    count = max(1, min(count, MAX_PERIODS))
    local = (now or dt.datetime.now(dt.UTC)).astimezone(zone)
    day = local.date()
    if unit == "week":
        day -= dt.timedelta(days=day.weekday())
    step = 7 if unit == "week" else 1
    out = []
    for back in range(count - 1, -1, -1):
        first = day - dt.timedelta(days=step * back)
        last = first + dt.timedelta(days=step)
        # Midnight in the zone (a DST change makes some days 23 or 25 hours long).
        start = dt.datetime.combine(first, dt.time(), zone).astimezone(dt.UTC)
        end = dt.datetime.combine(last, dt.time(), zone).astimezone(dt.UTC)
        label = (f"S{first.isocalendar().week:02d}" if unit == "week"
                 else first.strftime("%d/%m"))
        out.append(Period(label, start, end))
    return out


@dataclass
class Bucket:
    period: Period | None  # None: the total of all periods
    orders: int = 0
    revenue_cents: int = 0
    refused_timeout: int = 0
    refused_shop: int = 0
    late: int = 0
    cancelled: int = 0
    accept_delays_s: list[float] = field(default_factory=list)

    @property
    def accept_p50_s(self) -> float | None:
        return nearest_rank(self.accept_delays_s, 0.5)

    @property
    def accept_p90_s(self) -> float | None:
        return nearest_rank(self.accept_delays_s, 0.9)

    def add(self, order: dict[str, Any], steps: dict[str, dt.datetime]) -> None:
        self.orders += 1
        status = order["status"]
        if status in _EARNING:
            self.revenue_cents += int(order["total_cents"])
        if status == "rejected":
            if order["reject_reason"] == "timeout":
                self.refused_timeout += 1
            else:
                self.refused_shop += 1
        elif status == "cancelled":
            self.cancelled += 1
        created = parse_iso(order["created_at"])
        accepted = steps.get("accepted")
        if created is not None and accepted is not None:
            self.accept_delays_s.append(max(0.0, (accepted - created).total_seconds()))
        ready_by = parse_iso(order["ready_by"])
        done = steps.get("ready") or steps.get("completed")
        if ready_by is not None and done is not None and done > ready_by:
            self.late += 1

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.period.label if self.period else "total", "orders": self.orders,
                "revenue_cents": self.revenue_cents, "accept_p50_s": self.accept_p50_s,
                "accept_p90_s": self.accept_p90_s, "refused_timeout": self.refused_timeout,
                "refused_shop": self.refused_shop, "late": self.late,
                "cancelled": self.cancelled}


def _steps(rows: Iterable[dict[str, Any]]) -> dict[str, dict[str, dt.datetime]]:
    """order id → status → when it first reached it."""
    out: dict[str, dict[str, dt.datetime]] = defaultdict(dict)
    for row in rows:
        at = parse_iso(row["at"])
        if at is not None:
            out[row["order_id"]][row["status"]] = at
    return out


def compute(db: Database, spans: list[Period], shop_id: str | None = None,
            by_shop: dict[str, Bucket] | None = None) -> tuple[list[Bucket], Bucket]:
    """One bucket per period (same order) and their total, overall or for one shop; each
    shop's total too, into ``by_shop`` when given."""
    buckets = [Bucket(p) for p in spans]
    total = Bucket(None)
    if not spans:
        return buckets, total
    lo, hi = to_iso(spans[0].start), to_iso(spans[-1].end)
    shop_filter, params = ("AND o.shop_id = ?", (lo, hi, shop_id)) if shop_id else ("", (lo, hi))
    with read_tx(db) as tx:  # one snapshot: the orders and their steps agree
        orders = tx.rows("SELECT o.id, o.shop_id, o.status, o.total_cents, o.reject_reason, o.created_at,"
                         " o.ready_by FROM orders o WHERE o.created_at >= ?"
                         f" AND o.created_at < ? {shop_filter}", params)
        history = tx.rows("SELECT h.order_id, h.status, MIN(h.at) AS at FROM order_history h"
                          " JOIN orders o ON o.id = h.order_id WHERE o.created_at >= ?"
                          f" AND o.created_at < ? {shop_filter}"
                          " AND h.status IN ('accepted', 'ready', 'completed')"
                          " GROUP BY h.order_id, h.status", params)
    steps = _steps(history)
    starts = [to_iso(p.start) for p in spans]
    for order in orders:
        # Periods are contiguous and sorted: the last one starting at or before the order.
        index = max(0, bisect.bisect_right(starts, order["created_at"]) - 1)
        steps_of = steps.get(order["id"], {})
        buckets[index].add(order, steps_of)
        total.add(order, steps_of)
        if by_shop is not None:
            by_shop.setdefault(order["shop_id"], Bucket(None)).add(order, steps_of)
    return buckets, total

