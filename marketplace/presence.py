"""Presence: which shops have a counter watching (DESIGN.md, "a shop nobody watches").

A counter is connected while it holds a long-poll. This process counts the pulls
it holds per shop; the database keeps, per device, when it was last connected
(written at most every ``presence_write_interval_s`` per device, at the start and
at the end of its pulls), so a counter between two pulls, or polling another
server process, still counts.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from typing import Any

from sync.protocol import parse_iso

__all__ = ["Presence"]


class Presence:
    def __init__(self, unattended_after_s: float, write_interval_s: float):
        self.unattended_after_s = unattended_after_s
        self.write_interval_s = write_interval_s
        self._held: Counter[str] = Counter()
        self._written: dict[int, float] = {}  # device id → monotonic time of its last write

    def enter(self, shop_id: str) -> None:
        self._held[shop_id] += 1

    def leave(self, shop_id: str) -> None:
        self._held[shop_id] -= 1
        if self._held[shop_id] <= 0:
            del self._held[shop_id]

    def holding(self, shop_id: str) -> bool:
        """A pull of this shop is held by this process right now."""
        return self._held[shop_id] > 0

    def write_due(self, device_id: int) -> bool:
        """Record this device's presence now? (True at most once per write interval.)"""
        now = time.monotonic()
        last = self._written.get(device_id)
        if last is not None and now - last < self.write_interval_s:
            return False
        if len(self._written) > 100_000:  # bounded: forget the oldest half
            for key in sorted(self._written, key=self._written.__getitem__)[:50_000]:
                del self._written[key]
        self._written[device_id] = now
        return True

    def attended(self, shop_id: str, gate: dict[str, Any], now: dt.datetime) -> bool:
        """Is someone watching ``shop_id``? ``gate`` is ``shops.order_gate``'s row."""
        if self.holding(shop_id):
            return True
        seen = parse_iso(gate.get("last_seen"))
        return seen is not None and (now - seen).total_seconds() <= self.unattended_after_s
