"""The tickets' formatting: French (tickets are printed in French), through `l10n`.

Only the choices that belong to paper live here: the fr_FR locale and plain spaces
(code pages have no U+202F, and lines are fitted by counting columns). Every rule of
money and dates is `l10n`'s, shared with the counter's screens and the CSV exports.
"""

from __future__ import annotations

from datetime import date, datetime

import l10n
from l10n import DEFAULT_TZ, parse_utc, to_local

__all__ = [
    "DEFAULT_TZ",
    "format_date",
    "format_euros",
    "format_slot",
    "format_time",
    "parse_utc",
    "to_local",
]

_LOCALE = "fr_FR"


def format_euros(cents: int) -> str:
    """12,50 € — French decimal comma, space-grouped thousands, euro sign after."""
    return l10n.euros(cents, _LOCALE, plain_spaces=True)


def format_time(local: datetime) -> str:
    return l10n.time_hm(local)


def format_date(day: date) -> str:
    """'lun. 23/11/2026'."""
    return l10n.short_date(day, _LOCALE)


def format_slot(local: datetime) -> str:
    """'lun. 23/11 17:00': weekday spelled so a slot for tomorrow is not read as today."""
    return l10n.slot(local, _LOCALE)
