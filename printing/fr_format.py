"""French formatting for tickets: euros, local times, dates."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

__all__ = [
    "DEFAULT_TZ",
    "format_date",
    "format_euros",
    "format_slot",
    "format_time",
    "parse_utc",
    "to_local",
]

DEFAULT_TZ = "Europe/Paris"

_WEEKDAYS = ("lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim.")


def format_euros(cents: int) -> str:
    """12,50 € — French decimal comma, space-grouped thousands, euro sign after."""
    sign = "-" if cents < 0 else ""
    euros, rest = divmod(abs(int(cents)), 100)
    grouped = f"{euros:,}".replace(",", " ")
    return f"{sign}{grouped},{rest:02d} €"


def parse_utc(value: str | datetime | None) -> datetime | None:
    """Protocol times are ISO 8601 UTC ('…Z'); naive values are taken as UTC."""
    if value is None or value == "":
        return None
    dt = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt


def to_local(value: str | datetime | None, tz: str | ZoneInfo = DEFAULT_TZ) -> datetime | None:
    dt = parse_utc(value)
    if dt is None:
        return None
    return dt.astimezone(tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz))


def format_time(local: datetime) -> str:
    return local.strftime("%H:%M")


def format_date(day: date) -> str:
    return f"{_WEEKDAYS[day.weekday()]} {day.day:02d}/{day.month:02d}/{day.year}"


def format_slot(local: datetime) -> str:
    """'lun. 23/11 17:00': weekday spelled so a slot for tomorrow is not read as today."""
    return f"{_WEEKDAYS[local.weekday()]} {local.day:02d}/{local.month:02d} {format_time(local)}"
