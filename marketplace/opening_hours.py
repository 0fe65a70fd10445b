"""A shop's opening hours, and the pickup slots a customer may choose from them.

Stored on the shop as JSON text (``shops.opening_hours``, '' = not given):
``{"mon": [["07:00", "13:00"], ["15:00", "19:30"]], ..., "sun": []}``, wall-clock
times in the shop's time zone ("24:00" closes at midnight) (``shops.time_zone``, or the marketplace's
default). A day missing from the mapping is closed. Pickup slots are every
quarter hour of an opening interval, from a preparation lead onwards, over
the next two days the shop opens: the storefront lists them, and an order's
``pickup_slot`` outside the hours is refused (409 pickup_slot_unavailable).
A shop without hours takes orders "as soon as possible" only, as before.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from marketplace.shops import valid_time_zone
from sync.protocol import to_iso

__all__ = ["DAYS", "DAY_NAMES", "MIDNIGHT", "DEFAULT_TIME_ZONE", "DEMO_HOURS", "Hours", "parse_hours", "load_hours",
           "dump_hours", "shop_zone", "open_at", "pickup_slots", "slot_allowed"]

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # datetime.weekday() order
DEFAULT_TIME_ZONE = "Europe/Paris"  # a shop that gave none: the marketplace's own
SLOT_STEP = dt.timedelta(minutes=15)
LEAD = dt.timedelta(minutes=15)  # the earliest slot leaves the shop this long to prepare
SLOT_DAYS = 2  # opening days listed
LOOKAHEAD_DAYS = 8  # a slot further away than this is refused (and a week's closing skipped)
PAST_GRACE = dt.timedelta(minutes=5)  # a slot chosen just before it passed still counts
MAX_INTERVALS_PER_DAY = 4

DAY_NAMES = dict(zip(DAYS, ("Lundi", "Mardi", "Mercredi", "Jeudi", "Vendredi", "Samedi",
                            "Dimanche"), strict=True))

Hours = dict[str, list[tuple[str, str]]]
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
MIDNIGHT = "24:00"  # a closing time only: the end of the day

# The demo bakery: early mornings, a short Sunday.
DEMO_HOURS: Hours = {**{day: [("06:30", "19:30")] for day in DAYS[:6]},
                     "sun": [("07:00", "13:00")]}


def parse_hours(value: Any) -> Hours:
    """Checked opening hours from JSON-like data; ValueError with a French message."""
    if not isinstance(value, Mapping):
        raise ValueError("Les horaires sont un objet : jour → liste de plages [début, fin].")
    unknown = set(value) - set(DAYS)
    if unknown:
        raise ValueError(f"Jour inconnu dans les horaires : {', '.join(sorted(map(str, unknown)))}"
                         f" (attendu : {', '.join(DAYS)}).")
    hours: Hours = {}
    for day in DAYS:
        ranges = value.get(day) or []
        label = DAY_NAMES[day]
        if not isinstance(ranges, list) or len(ranges) > MAX_INTERVALS_PER_DAY:
            raise ValueError(f"{label} : au plus {MAX_INTERVALS_PER_DAY} plages horaires.")
        checked: list[tuple[str, str]] = []
        for item in ranges:
            if (not isinstance(item, (list, tuple)) or len(item) != 2
                    or not isinstance(item[0], str) or not _TIME.match(item[0])
                    or not isinstance(item[1], str)
                    or not (_TIME.match(item[1]) or item[1] == MIDNIGHT)):
                raise ValueError(f"{label} : une plage s’écrit comme 07:00-13:00, de 00:00"
                                 " à 24:00.")
            start, end = item
            if start >= end or (checked and start < checked[-1][1]):
                raise ValueError(f"{label} : les plages se suivent dans l’ordre de la journée,"
                                 " chacune finissant après son début (07:00-13:00,"
                                 " 15:00-19:30).")
            checked.append((start, end))
        hours[day] = checked
    return hours


def load_hours(text: str | None) -> Hours | None:
    """The hours stored on a shop, or None when it gave none (or they no longer parse)."""
    if not text:
        return None
    try:
        return parse_hours(json.loads(text))
    except ValueError:  # json.JSONDecodeError included: never a 500 for a customer
        return None


def dump_hours(hours: Mapping[str, Any]) -> str:
    """Checked hours as the text stored on the shop."""
    checked = parse_hours(hours)
    return json.dumps({day: [list(r) for r in checked[day]] for day in DAYS})


def shop_zone(name: str | None) -> ZoneInfo:
    """The shop's zone; the default one for none or one no browser knows (shops.py)."""
    return ZoneInfo(name if name and valid_time_zone(name) else DEFAULT_TIME_ZONE)


def _intervals(hours: Hours, day: dt.date, zone: ZoneInfo) -> list[tuple[dt.datetime, dt.datetime]]:
    def at(wall: str) -> dt.datetime:
        if wall == MIDNIGHT:
            return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), zone)
        return dt.datetime.combine(day, dt.time.fromisoformat(wall), zone)

    return [(at(start), at(end)) for start, end in hours.get(DAYS[day.weekday()], [])]


def open_at(hours: Hours, zone: ZoneInfo, moment: dt.datetime) -> bool:
    local = moment.astimezone(zone)
    return any(start <= local < end for start, end in _intervals(hours, local.date(), zone))


def pickup_slots(hours: Hours, zone: ZoneInfo, now: dt.datetime) -> list[str]:
    """The slots offered now (ISO UTC), earliest first, over the next SLOT_DAYS opening days."""
    earliest = now + LEAD
    slots: list[str] = []
    days_with_slots = 0
    today = now.astimezone(zone).date()
    for offset in range(LOOKAHEAD_DAYS):
        day = today + dt.timedelta(days=offset)
        before = len(slots)
        shown: set[dt.datetime] = set()
        for start, end in _intervals(hours, day, zone):
            # Slots on the quarter hours of the interval (wall clock), from `earliest` on;
            # the hour the clocks go back is lived twice: offered once (one label, one time).
            slot = start
            while slot < end:
                wall = slot.replace(tzinfo=None)
                if slot >= earliest and wall not in shown:
                    slots.append(to_iso(slot.astimezone(dt.UTC)))
                shown.add(wall)
                slot = (slot.astimezone(dt.UTC) + SLOT_STEP).astimezone(zone)
        days_with_slots += len(slots) > before
        if days_with_slots >= SLOT_DAYS:
            break
    return slots


def slot_allowed(hours: Hours, zone: ZoneInfo, slot: dt.datetime, now: dt.datetime) -> bool:
    """A pickup time the shop can honour: inside its hours, not past, not too far."""
    if slot < now - PAST_GRACE or slot > now + dt.timedelta(days=LOOKAHEAD_DAYS):
        return False
    return open_at(hours, zone, slot)
