"""Presence: which shops have a counter watching (DESIGN.md, "a shop nobody watches").

A counter is connected while it holds a long-poll (until it answers or the
client goes away). This process counts the pulls it holds per shop and device;
the database keeps, per device, when it was last connected (noted at the start
of its pulls and at their end when the client is still there, at most every
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
        self._held: dict[str, Counter[int]] = {}  # shop id → device id → pulls held
        self._written: dict[int, float] = {}  # device id → monotonic time of its last note
        self._pending: dict[int, str] = {}  # device id → when seen, not yet in the database
        # shop id → device id → monotonic time the device was seen (by device: a revoked
        # counter stops counting at once)
        self._seen: dict[str, dict[int, float]] = {}
        self._gone: set[int] = set()  # revoked devices (ids are never reused)

    def enter(self, shop_id: str, device_id: int) -> None:
        if device_id not in self._gone:
            self._held.setdefault(shop_id, Counter())[device_id] += 1

    def leave(self, shop_id: str, device_id: int) -> None:
        held = self._held.get(shop_id)
        if held is None or device_id not in held:
            return  # forgotten meanwhile (revoked)
        held[device_id] -= 1
        if held[device_id] <= 0:
            del held[device_id]
        if not held:
            del self._held[shop_id]

    def holding(self, shop_id: str) -> bool:
        """A pull of this shop is held by this process right now."""
        return bool(self._held.get(shop_id))

    def held_devices(self, shop_id: str) -> set[int]:
        """The devices of the shop holding a pull in this process right now (the console)."""
        return set(self._held.get(shop_id, ()))

    def forget(self, device_id: int) -> None:
        """The device was revoked: it no longer says anyone watches its shop."""
        if len(self._gone) > 100_000:  # bounded; the database says revoked anyway
            self._gone.clear()
        self._gone.add(device_id)
        for table in (*self._held.values(), *self._seen.values()):
            table.pop(device_id, None)
        self._pending.pop(device_id, None)

    def note(self, shop_id: str, device_id: int) -> None:
        """The device is connected now: known here at once, written at the next flush
        (throttled per device)."""
        if device_id in self._gone:
            return
        now = self.clock()
        if len(self._seen) > 100_000:  # bounded: forget the shops seen longest ago
            for key in sorted(self._seen, key=lambda k: max(self._seen[k].values(), default=0)
                              )[:50_000]:
                del self._seen[key]
        self._seen.setdefault(shop_id, {})[device_id] = now
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
        return self.attended_here(shop_id) or self.seen_recently(gate.get("last_seen"), now)

    def attended_here(self, shop_id: str) -> bool:
        """A counter of the shop holds a pull in this process, or did a moment ago."""
        if self.holding(shop_id):
            return True
        now_s = self.clock()
        return any(now_s - at <= self.unattended_after_s
                   for at in self._seen.get(shop_id, {}).values())

    def seen_recently(self, last_seen: str | None, now: dt.datetime) -> bool:
        """``last_seen`` (any process's record of the shop's counters, ISO) is recent."""
        seen = parse_iso(last_seen)
        return seen is not None and (now - seen).total_seconds() <= self.unattended_after_s
