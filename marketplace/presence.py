"""Presence: which shops have a counter watching (DESIGN.md, "a shop nobody watches").

A counter is connected while it holds a long-poll. This process counts the pulls
it holds per shop; the database keeps, per device, when it was last connected
(noted at the start and at the end of its pulls, at most every
``presence_write_interval_s`` per device, and written in one transaction per
sweep: a thousand counters reconnecting after a restart cost one write, not a
thousand), so a counter between two pulls, or polling another server process,
still counts.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from sync.protocol import parse_iso, utcnow_iso

__all__ = ["Presence"]


class Presence:
    def __init__(self, unattended_after_s: float, write_interval_s: float,
                 clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        self.unattended_after_s = unattended_after_s
        self.write_interval_s = write_interval_s
        self._held: Counter[str] = Counter()
        self._written: dict[int, float] = {}  # device id → monotonic time of its last note
        self._pending: dict[int, str] = {}  # device id → when seen, not yet in the database
        self._shop_seen: dict[str, float] = {}  # shop id → monotonic time a counter was seen

    def enter(self, shop_id: str) -> None:
        self._held[shop_id] += 1

    def leave(self, shop_id: str) -> None:
        self._held[shop_id] -= 1
        if self._held[shop_id] <= 0:
            del self._held[shop_id]

    def holding(self, shop_id: str) -> bool:
        """A pull of this shop is held by this process right now."""
        return self._held[shop_id] > 0

    def note(self, shop_id: str, device_id: int) -> None:
        """The device is connected now: known here at once, written at the next flush
        (throttled per device)."""
        now = self.clock()
        if len(self._shop_seen) > 100_000:  # bounded: forget the oldest half
            for key in sorted(self._shop_seen, key=self._shop_seen.__getitem__)[:50_000]:
                del self._shop_seen[key]
        self._shop_seen[shop_id] = now
        last = self._written.get(device_id)
        if last is not None and now - last < self.write_interval_s:
            return
        if len(self._written) > 100_000:  # bounded: forget the oldest half
            for key in sorted(self._written, key=self._written.__getitem__)[:50_000]:
                del self._written[key]
        self._written[device_id] = now
        self._pending[device_id] = utcnow_iso()

    def take_pending(self) -> list[tuple[str, int]]:
        """(seen_at, device id) pairs to write; they leave the pending set."""
        taken = [(seen, device) for device, seen in self._pending.items()]
        self._pending.clear()
        return taken

    def put_back(self, items: list[tuple[str, int]]) -> None:
        """A flush failed: keep its items for the next one (newer notes win)."""
        for seen, device in items:
            self._pending.setdefault(device, seen)

    def attended(self, shop_id: str, gate: dict[str, Any], now: dt.datetime) -> bool:
        """Is someone watching ``shop_id``? ``gate`` is ``shops.order_gate``'s row."""
        if self.holding(shop_id):
            return True
        here = self._shop_seen.get(shop_id)
        if here is not None and self.clock() - here <= self.unattended_after_s:
            return True
        seen = parse_iso(gate.get("last_seen"))
        return seen is not None and (now - seen).total_seconds() <= self.unattended_after_s
