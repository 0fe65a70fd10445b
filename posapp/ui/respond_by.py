"""Time left to answer a new order before the marketplace refuses it (protocol: respond_by)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sync.protocol import parse_iso

__all__ = ["URGENT_S", "clock_text", "seconds_left", "soonest_deadline"]

URGENT_S = 120  # the last two minutes: the alert gets louder, faster and red


def seconds_left(order: dict[str, Any], now: dt.datetime | None = None) -> float | None:
    """Seconds until the automatic refusal of a new order; None if none is scheduled."""
    if order.get("status") != "new":
        return None
    deadline = parse_iso(order.get("respond_by"))
    if deadline is None:
        return None
    return (deadline - (now or dt.datetime.now(dt.UTC))).total_seconds()


def soonest_deadline(orders: Iterable[dict[str, Any]],
                     now: dt.datetime | None = None) -> float | None:
    """Seconds left for the order closest to its automatic refusal."""
    lefts = [s for s in (seconds_left(o, now) for o in orders) if s is not None]
    return min(lefts) if lefts else None


def clock_text(seconds: float) -> str:
    """"7:05" for the countdowns; never negative (0:00 once the deadline passed)."""
    whole = max(0, int(seconds + 0.999))  # 0.2 s left still reads 0:01, never 0:00 early
    return f"{whole // 60}:{whole % 60:02d}"
