"""Money and dates for people, in one place: the counter's screens, the tickets, the CSVs.

Built on Babel (CLDR data, the same source as Qt's QLocale), so the UI shows what it
showed through QLocale and the tickets and exports agree with it. Depends on nothing
of this project and imports no Qt: `printing/` uses it, so do `posapp/domain/` and
`posapp/ui/` (see docs/ARCHITECTURE.md, "Layers").

Locales are Babel's names: "fr_FR" (the default: tickets and exports are French) or
"en_GB" (euros, 24-hour clock).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime, get_date_format
from babel.numbers import format_currency, format_decimal

__all__ = [
    "DEFAULT_LOCALE",
    "DEFAULT_TZ",
    "amount",
    "as_zone",
    "day_month_time",
    "euros",
    "numeric_date",
    "one_decimal",
    "parse_utc",
    "short_date",
    "slot",
    "time_hm",
    "to_local",
]

DEFAULT_LOCALE = "fr_FR"
DEFAULT_TZ = "Europe/Paris"
# CLDR groups thousands with a narrow no-break space (U+202F) and puts a no-break space
# (U+00A0) before "€". Printer code pages have no U+202F, and tickets are laid out by
# counting columns: `plain_spaces` gives ordinary spaces there.
_NO_BREAK_SPACES = str.maketrans({"\u202f": " ", "\u00a0": " "})


def euros(cents: int | None, locale: str = DEFAULT_LOCALE, *, plain_spaces: bool = False) -> str:
    """"1 234,50 €" (fr_FR), "€1,234.50" (en_GB); None counts as 0."""
    text = format_currency(Decimal(int(cents or 0)) / 100, "EUR", locale=locale)
    return text.translate(_NO_BREAK_SPACES) if plain_spaces else text


def amount(cents: int, locale: str = DEFAULT_LOCALE) -> str:
    """"1234,50": euros as a number a spreadsheet reads (no grouping, no symbol)."""
    return format_decimal(Decimal(int(cents)) / 100, format="0.00", locale=locale)


def one_decimal(value: float, locale: str = DEFAULT_LOCALE) -> str:
    """"12,5": e.g. minutes in a CSV."""
    return format_decimal(value, format="0.0", locale=locale)


def parse_utc(value: str | datetime | None) -> datetime | None:
    """Protocol times are ISO 8601 UTC ('…Z'); naive values are taken as UTC."""
    if value is None or value == "":
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def as_zone(tz: str | tzinfo) -> tzinfo:
    """A zone given by name or as itself (a zone read from a file has no name)."""
    return tz if isinstance(tz, tzinfo) else ZoneInfo(tz)


def to_local(value: str | datetime | None, tz: str | tzinfo = DEFAULT_TZ) -> datetime | None:
    moment = parse_utc(value)
    if moment is None:
        return None
    return moment.astimezone(as_zone(tz))


def time_hm(local: datetime) -> str:
    """"17:05": a 24-hour clock in every locale offered, as on shop signs."""
    return f"{local.hour:02d}:{local.minute:02d}"


def numeric_date(day: date, locale: str = DEFAULT_LOCALE) -> str:
    """"23/11/2026" (fr_FR, en_GB)."""
    return format_date(day, "dd/MM/y" if _day_first(locale) else "MM/dd/y", locale=locale)


def short_date(day: date, locale: str = DEFAULT_LOCALE) -> str:
    """"lun. 23/11/2026": the weekday spelled, for a ticket or report heading."""
    return format_date(day, "EEE " + ("dd/MM/y" if _day_first(locale) else "MM/dd/y"),
                       locale=locale)


def slot(local: datetime, locale: str = DEFAULT_LOCALE) -> str:
    """"lun. 23/11 17:00": weekday spelled so a slot for tomorrow is not read as today."""
    return format_datetime(local, "EEE " + _day_month(locale) + " HH:mm", tzinfo=local.tzinfo,
                           locale=locale)


def day_month_time(local: datetime, locale: str = DEFAULT_LOCALE) -> str:
    """"23/11 09:05": day and month in the locale's order, 24-hour clock."""
    return format_datetime(local, _day_month(locale) + " HH:mm", tzinfo=local.tzinfo,
                           locale=locale)


def _day_first(locale: str) -> bool:
    return get_date_format("short", locale=locale).pattern.lstrip().startswith("d")


def _day_month(locale: str) -> str:
    return "dd/MM" if _day_first(locale) else "MM/dd"
