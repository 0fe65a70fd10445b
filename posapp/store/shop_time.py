"""The shop's clock: times stored in UTC, days counted in the shop's time zone.

Times from the wire may carry any offset (``+01:00``); they are stored as
``YYYY-MM-DDTHH:MM:SS.mmmZ`` (``to_utc``), the only form that sorts and
compares right as text. "Today" is the shop's day everywhere (the board, the
day report, the Z report), and every time shown or printed is in the shop's zone
(``shop_zone``): the ``shop_timezone`` setting, else the zone the marketplace
suggests (the pull's ``shop.time_zone``), else the computer's.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import sqlite3
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.localtime import get_localzone

from sync.protocol import parse_iso, to_iso

__all__ = ["SHOP_TZ_SETTING", "day_start", "set_shop_zone", "shop_zone", "suggested_zone",
           "system_zone", "to_utc"]

log = logging.getLogger(__name__)

SHOP_TZ_SETTING = "shop_timezone"  # an IANA name, e.g. "Europe/Paris"; absent: the computer's


def to_utc(value: str | None) -> str | None:
    """A wire time as the store keeps it (UTC, ``Z``); anything else is left as it is."""
    moment = parse_iso(value)
    return to_iso(moment) if moment is not None else value


def system_zone() -> ZoneInfo:
    """The computer's zone, always by its IANA name (settings and the report need one)."""
    try:
        zone = get_localzone()
    except (ZoneInfoNotFoundError, ValueError, LookupError) as exc:  # odd system settings
        log.warning("time zone of this computer unknown, using UTC: %s", exc)
        return ZoneInfo("UTC")
    if isinstance(zone, ZoneInfo) and zone.key:
        return zone
    # Read from a file (TZ=:/etc/localtime): no name; the file's path usually has it.
    name = _zone_file_name()
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            log.warning("time zone file %r not a known zone: %s", name, exc)
    log.warning("time zone of this computer has no name (%r), using UTC", zone)
    return ZoneInfo("UTC")


def _zone_file_name() -> str | None:
    """"Europe/Paris" from the zone file TZ or /etc/localtime points to, if it does."""
    tz = os.environ.get("TZ", "")
    path = tz[1:] if tz.startswith(":") else tz
    if not path.startswith("/"):
        path = "/etc/localtime"
    real = os.path.realpath(path)
    marker = "/zoneinfo/"
    if marker not in real:
        return None
    name = real.rsplit(marker, 1)[1]
    for prefix in ("posix/", "right/"):
        name = name.removeprefix(prefix)
    return name or None


def shop_zone(conn: sqlite3.Connection) -> ZoneInfo:
    """The shop's time zone: the setting, else the marketplace's suggestion, else the
    computer's."""
    row = conn.execute("SELECT value FROM settings WHERE key = ?", (SHOP_TZ_SETTING,)).fetchone()
    for name in (row[0] if row else None, suggested_zone(conn)):
        if name:
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError) as exc:  # a zone this system lacks
                log.warning("shop time zone %r unknown here: %s", name, exc)
    return system_zone()


def suggested_zone(conn: sqlite3.Connection) -> str | None:
    """The zone the marketplace suggests for the shop (last pull), if any."""
    row = conn.execute("SELECT value FROM sync_state WHERE key = 'shop'").fetchone()
    try:
        name = json.loads(row[0]).get("time_zone") if row and row[0] else None
    except (ValueError, AttributeError):
        return None
    return name if isinstance(name, str) and name else None


def set_shop_zone(conn: sqlite3.Connection, name: str | None) -> None:
    """Set (or with None, forget) the shop's zone; raises ValueError for an unknown name."""
    if name:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"Fuseau horaire inconnu : {name}") from exc
    conn.execute("INSERT INTO settings (key, value) VALUES (?, ?)"
                 " ON CONFLICT(key) DO UPDATE SET value = excluded.value", (SHOP_TZ_SETTING, name))


def day_start(conn: sqlite3.Connection, now: dt.datetime | None = None) -> str:
    """When the shop's current day began, as a store time (UTC, comparable as text)."""
    zone = shop_zone(conn)
    local = (now or dt.datetime.now(dt.UTC)).astimezone(zone)
    return to_iso(dt.datetime.combine(local.date(), dt.time(), tzinfo=zone))
