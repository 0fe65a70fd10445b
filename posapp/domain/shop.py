"""Shop-wide decisions and facts at the counter: pausing online orders, the shop's clock.

Pausing is an outbox mutation (``shop.pause``, optionally with ``paused_until``:
the marketplace then reopens the shop by itself); the shown state is the newest
pending one, else what the marketplace last confirmed, and a timed pause whose
time has passed shows as open even before the pull says so.

One clock: every time the counter shows or prints (screen, tickets, Z report,
day report) is in the shop's zone, ``posapp.store.shop_time.shop_zone``: the
counter's setting, else the zone the marketplace suggests for the shop, else the
computer's.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from zoneinfo import ZoneInfo

from posapp.store import outbox
from posapp.store.db import Store
from posapp.store.shop_time import shop_zone
from sync.protocol import parse_iso, to_iso

__all__ = [
    "ShopService",
    "PAUSE_CHOICES",
    "OPENING_SETTING",
    "DEFAULT_OPENING",
    "pause_end",
    "zone_name",
]

OPENING_SETTING = "opening_time"  # "HH:MM" in the shop's zone ("until tomorrow's opening")
DEFAULT_OPENING = "07:00"
# How long a pause lasts: minutes, "tomorrow" (tomorrow's opening) or None (until resumed).
PAUSE_CHOICES: tuple[int | str | None, ...] = (15, 30, 60, "tomorrow", None)


def zone_name(conn: sqlite3.Connection) -> str:
    """The shop's zone (``posapp.store.shop_time.shop_zone``), by its IANA name ("UTC" when
    it has none: callers that can should take the zone itself)."""
    return shop_zone(conn).key or "UTC"


def _opening(value: str | None) -> dt.time:
    try:
        return dt.time.fromisoformat(value or DEFAULT_OPENING)
    except ValueError:
        return dt.time.fromisoformat(DEFAULT_OPENING)


def pause_end(choice: int | str | None, now: dt.datetime, zone: ZoneInfo,
              opening: str | None = None) -> dt.datetime | None:
    """When a pause chosen now ends (UTC); None: until resumed by hand."""
    if choice is None:
        return None
    if choice == "tomorrow":  # the next opening still to come: today's, after midnight
        local = now.astimezone(zone)
        today = dt.datetime.combine(local.date(), _opening(opening), tzinfo=zone)
        end = today if today > local else dt.datetime.combine(
            local.date() + dt.timedelta(days=1), _opening(opening), tzinfo=zone)
        return end.astimezone(dt.UTC)
    if isinstance(choice, int) and choice > 0:
        return now.astimezone(dt.UTC) + dt.timedelta(minutes=choice)
    raise ValueError(f"unknown pause duration {choice!r}")


class ShopService:
    def __init__(self, store: Store):
        self.store = store

    # -- pause --------------------------------------------------------------------------
    def set_paused(self, paused: bool, until: dt.datetime | None = None) -> int:
        args: dict[str, object] = {"paused": bool(paused)}
        if paused and until is not None:
            args["paused_until"] = to_iso(until)
        with self.store.transaction() as conn:
            return outbox.enqueue(conn, "shop.pause", args)

    def pause_for(self, choice: int | str | None, now: dt.datetime | None = None) -> int:
        """Pause for one of PAUSE_CHOICES (the marketplace reopens the shop at its end)."""
        now = now or dt.datetime.now(dt.UTC)
        return self.set_paused(True, pause_end(choice, now, self.zone(), self.opening()))

    def next_opening_is_today(self, now: dt.datetime | None = None) -> bool:
        """After midnight, before opening: "until the opening" ends this very day."""
        now = now or dt.datetime.now(dt.UTC)
        zone = self.zone()
        end = pause_end("tomorrow", now, zone, self.opening())
        return end is not None and end.astimezone(zone).date() == now.astimezone(zone).date()

    def opening(self) -> str:
        row = self.store.query_one("SELECT value FROM settings WHERE key = ?", (OPENING_SETTING,))
        return _opening(row["value"] if row else None).strftime("%H:%M")

    def _pause_state(self) -> tuple[bool, str | None]:
        row = self.store.query_one(
            "SELECT args FROM outbox WHERE name = 'shop.pause' ORDER BY id DESC LIMIT 1"
        )
        if row is not None:
            args = json.loads(row["args"])
            return bool(args["paused"]), args.get("paused_until")
        shop = self.store.query_one("SELECT value FROM sync_state WHERE key = 'shop'")
        state = json.loads(shop["value"]) if shop and shop["value"] else {}
        return bool(state.get("paused")), state.get("paused_until")

    def paused_until(self, now: dt.datetime | None = None) -> dt.datetime | None:
        """When the current timed pause ends; None when open or paused until resumed."""
        paused, until = self._pause_state()
        end = parse_iso(until) if paused else None
        return end if end is not None and end > (now or dt.datetime.now(dt.UTC)) else None

    def paused(self, now: dt.datetime | None = None) -> bool:
        paused, until = self._pause_state()
        end = parse_iso(until)
        if paused and end is not None and end <= (now or dt.datetime.now(dt.UTC)):
            return False  # over: the marketplace reopens it by itself
        return paused

    def confirmed_paused(self, now: dt.datetime | None = None) -> bool:
        """Paused as the marketplace last confirmed it (a pause still in the outbox is not)."""
        shop = self.store.query_one("SELECT value FROM sync_state WHERE key = 'shop'")
        state = json.loads(shop["value"]) if shop and shop["value"] else {}
        end = parse_iso(state.get("paused_until"))
        if end is not None and end <= (now or dt.datetime.now(dt.UTC)):
            return False
        return bool(state.get("paused"))

    def pause_pending(self) -> bool:
        return self.store.query_one("SELECT 1 AS x FROM outbox WHERE name = 'shop.pause'") is not None

    # -- clock ----------------------------------------------------------------------------
    def zone_name(self) -> str:
        return zone_name(self.store.conn)

    def zone(self) -> ZoneInfo:
        return shop_zone(self.store.conn)
