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
  ready-by time given at acceptance, and orders still not ready now past it
  (refused and cancelled orders that never were ready are not late);
- ``cancelled``: orders the customer cancelled.

The SQL is plain and portable (SQLite and PostgreSQL); the arithmetic on times
is done here, not in SQL.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from marketplace.storage import Database, read_tx
from sync.protocol import to_iso

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

    def count(self, row: dict[str, Any]) -> None:
        """Add an aggregate row of ``_COUNTS``."""
        for name in _COUNTED:
            setattr(self, name, getattr(self, name) + int(row[name] or 0))

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.period.label if self.period else "total", "orders": self.orders,
                "revenue_cents": self.revenue_cents, "accept_p50_s": self.accept_p50_s,
                "accept_p90_s": self.accept_p90_s, "refused_timeout": self.refused_timeout,
                "refused_shop": self.refused_shop, "late": self.late,
                "cancelled": self.cancelled}


# Everything but the delays is counted by the database: one pass over the period's orders
# (orders_created / orders_shop_created), whatever their number.
_COUNTED = ("orders", "revenue_cents", "refused_timeout", "refused_shop", "cancelled", "late")
_COUNTS = """
SELECT {key} AS k, {shop_key} AS shop_id, COUNT(*) AS orders,
  CAST(COALESCE(SUM(CASE WHEN o.status IN ('accepted', 'ready', 'completed')
                    THEN o.total_cents ELSE 0 END), 0) AS BIGINT) AS revenue_cents,
  SUM(CASE WHEN o.status = 'rejected' AND o.reject_reason = 'timeout'
      THEN 1 ELSE 0 END) AS refused_timeout,
  SUM(CASE WHEN o.status = 'rejected' AND COALESCE(o.reject_reason, '') <> 'timeout'
      THEN 1 ELSE 0 END) AS refused_shop,
  SUM(CASE WHEN o.status = 'cancelled' THEN 1 ELSE 0 END) AS cancelled,
  SUM(CASE WHEN o.ready_by IS NOT NULL AND COALESCE((SELECT MIN(h.at) FROM order_history h
        WHERE h.order_id = o.id AND h.status IN ('ready', 'completed')),
        CASE WHEN o.status IN ('rejected', 'cancelled') THEN NULL ELSE ? END) > o.ready_by
      THEN 1 ELSE 0 END) AS late
FROM orders o WHERE o.created_at >= ? AND o.created_at < ? {shop} GROUP BY 1, 2
"""
# Times are ISO-8601 UTC text of one format: comparing them as strings compares the times.
_DELAYS = """
SELECT o.shop_id, o.created_at, (SELECT MIN(h.at) FROM order_history h
  WHERE h.order_id = o.id AND h.status = 'accepted') AS accepted_at
FROM orders o WHERE o.created_at >= ? AND o.created_at < ? {shop}
"""


def _seconds_between(start: str, end: str) -> float | None:
    try:
        return (dt.datetime.fromisoformat(end) - dt.datetime.fromisoformat(start)
                ).total_seconds()
    except (TypeError, ValueError):
        return None


def compute(db: Database, spans: list[Period], shop_id: str | None = None,
            by_shop: dict[str, Bucket] | None = None, now: dt.datetime | None = None
            ) -> tuple[list[Bucket], Bucket]:
    """One bucket per period (same order) and their total, overall or for one shop; each
    shop's total too, into ``by_shop`` when given. ``now``: what "still not ready" is
    measured at (the present by default)."""
    buckets = [Bucket(p) for p in spans]
    total = Bucket(None)
    if not spans:
        return buckets, total
    where = (to_iso(spans[0].start), to_iso(spans[-1].end))
    shop, shop_params = ("AND o.shop_id = ?", (shop_id,)) if shop_id else ("", ())
    # The period of an order, in SQL: the first period whose end is after it.
    key = "CASE " + " ".join(f"WHEN o.created_at < ? THEN {i}"
                             for i in range(len(spans) - 1)) + f" ELSE {len(spans) - 1} END"
    ends = tuple(to_iso(p.end) for p in spans[:-1])
    with read_tx(db) as tx:  # one snapshot: the counts and the delays agree
        # One pass for the periods and, when asked, the shops: grouped by both, summed here.
        # (GROUP BY 1: PostgreSQL would not see the CASE with its own parameters as the same.)
        counts = tx.rows(_COUNTS.format(key=key, shop=shop,
                                        shop_key="o.shop_id" if by_shop is not None else "''"),
                         (*ends, to_iso(now or dt.datetime.now(dt.UTC)), *where,
                          *shop_params))
        delays = tx.rows(_DELAYS.format(shop=shop), (*where, *shop_params))
    for row in counts:
        buckets[int(row["k"])].count(row)
        total.count(row)
        if by_shop is not None:
            by_shop.setdefault(row["shop_id"], Bucket(None)).count(row)
    starts = [to_iso(p.start) for p in spans]
    for row in delays:
        shop_of, created_at = row["shop_id"], row["created_at"]
        if row["accepted_at"] is None:  # never accepted
            continue
        delay = _seconds_between(created_at, row["accepted_at"])
        if delay is None:
            continue
        delay = max(0.0, delay)
        buckets[max(0, bisect.bisect_right(starts, created_at) - 1)].accept_delays_s.append(delay)
        total.accept_delays_s.append(delay)
        if by_shop is not None:
            by_shop.setdefault(shop_of, Bucket(None)).accept_delays_s.append(delay)
    return buckets, total
