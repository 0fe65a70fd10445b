"""What the day report's charts draw: orders per hour, acceptance delay per order, revenue.

Same rules as ``posapp.domain.day_report`` (one source of truth for the figures):
an order belongs to the local day it was placed; the acceptance delay runs from
its first ``new`` (else its creation) to its first ``accepted`` in
``order_history``, for the orders sold that day; revenue by channel is the
``DaySummary``'s, so charts and tiles can never disagree.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from typing import Any

import l10n
from posapp.domain.day_report import DEFAULT_TZ, SOLD_STATUSES, DaySummary, day_bounds
from sync.protocol import parse_iso

__all__ = ["AcceptDelay", "DayCharts", "DEFAULT_ACCEPT_TARGET_S", "day_charts", "CHANNELS"]

DEFAULT_ACCEPT_TARGET_S = 5 * 60  # a good answer time; the marketplace refuses much later
CHANNELS = ("collect", "delivery", "counter")

_ORDERS = f"""
    SELECT o.number, o.created_at,
           COALESCE(o.pending_status, o.status) IN ({", ".join("?" * len(SOLD_STATUSES))}),
           (SELECT h.at FROM order_history h WHERE h.order_id = o.id AND h.status = 'new'
            ORDER BY h.seq LIMIT 1),
           (SELECT h.at FROM order_history h WHERE h.order_id = o.id AND h.status = 'accepted'
            ORDER BY h.seq LIMIT 1)
    FROM orders o WHERE o.created_at >= ? AND o.created_at < ?
    ORDER BY o.created_at, o.number
"""


@dataclass(frozen=True, slots=True)
class AcceptDelay:
    number: int
    seconds: float


@dataclass(frozen=True, slots=True)
class DayCharts:
    day: dt.date
    orders_per_hour: tuple[int, ...]  # 24 local hours (23/25 real ones on DST days: by clock)
    accept_delays: tuple[AcceptDelay, ...]  # sold orders, in the order they were placed
    accept_target_s: float
    revenue_cents: dict[str, int]  # CHANNELS → cents

    def late_answers(self) -> int:
        return sum(1 for d in self.accept_delays if d.seconds > self.accept_target_s)


def day_charts(store: Any, summary: DaySummary, tz: str | dt.tzinfo = DEFAULT_TZ,
               accept_target_s: float = DEFAULT_ACCEPT_TARGET_S) -> DayCharts:
    """Read with the caller's store (GUI thread): one indexed pass over the day's orders."""
    conn: sqlite3.Connection = store.conn if hasattr(store, "conn") else store
    zone = l10n.as_zone(tz)
    per_hour = [0] * 24
    delays: list[AcceptDelay] = []
    start, end = day_bounds(summary.day, tz)
    for number, created_at, sold, new_at, accepted_at in conn.execute(
            _ORDERS, (*SOLD_STATUSES, start, end)):
        created = parse_iso(created_at)
        if created is not None:
            per_hour[created.astimezone(zone).hour] += 1
        placed = parse_iso(new_at) or created
        accepted = parse_iso(accepted_at)
        if sold and placed is not None and accepted is not None:
            delays.append(AcceptDelay(int(number), max(0.0, (accepted - placed).total_seconds())))
    revenue = {"collect": summary.channel("collect").revenue_cents,
               "delivery": summary.channel("delivery").revenue_cents,
               "counter": summary.counter_revenue_cents}
    return DayCharts(summary.day, tuple(per_hour), tuple(delays), float(accept_target_s),
                     revenue)
