"""Formatting for the counter: euros and times in the interface's language, labels.

Money and dates go through `l10n` (the formatter the tickets and exports use) with
the locale of the interface language: fr-FR, or en-GB (euros, 24-hour clock).
"""

from __future__ import annotations

import datetime as dt

import l10n
from posapp.ui.i18n import installed_language, tr
from sync.protocol import parse_iso

__all__ = [
    "ui_locale", "euros", "local_time", "local_time_or_date", "local_datetime", "minutes_since", "minutes_until", "elapsed_text",
    "countdown_text", "status_label", "channel_label", "reject_reason_label", "handover_label",
    "actor_label", "set_zone", "zone",
]

_LOCALES = {"fr": "fr_FR", "en": "en_GB"}  # as posapp.ui.i18n sets Qt's default QLocale


def ui_locale() -> str:
    """The interface language's locale; French until a language is installed."""
    return _LOCALES.get(installed_language() or "", l10n.DEFAULT_LOCALE)


# The shop's one clock (posapp.domain.shop.zone_name), given by the window; None: the system's.
_zone: dt.tzinfo | None = None


def set_zone(zone: dt.tzinfo | None) -> None:
    """Show every time in ``zone`` (the shop's, as tickets and reports use)."""
    global _zone
    _zone = zone


def zone() -> dt.tzinfo | None:
    return _zone


def euros(cents: int | None) -> str:
    """Money in the interface's locale: "1 234,50 €" in French, "€1,234.50" in English."""
    return l10n.euros(cents, ui_locale())


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def local_datetime(iso: str | None) -> dt.datetime | None:
    moment = parse_iso(iso)
    return moment.astimezone(_zone) if moment else None


def local_time(iso: str | None, with_date: bool = False) -> str:
    moment = local_datetime(iso)
    if moment is None:
        return "—"
    if with_date:  # day and month in the locale's order, 24-hour clock as on shop signs
        return l10n.day_month_time(moment, ui_locale())
    return l10n.time_hm(moment)


def local_time_or_date(iso: str | None, now: dt.datetime | None = None) -> str:
    """"17:05" today (in the shop's zone), "28/11 07:00" on another day."""
    moment = local_datetime(iso)
    today = (now or _now()).astimezone(_zone).date()
    return local_time(iso, with_date=moment is not None and moment.date() != today)


def minutes_since(iso: str | None, now: dt.datetime | None = None) -> int | None:
    moment = parse_iso(iso)
    if moment is None:
        return None
    return int(((now or _now()) - moment).total_seconds() // 60)


def minutes_until(iso: str | None, now: dt.datetime | None = None) -> float | None:
    moment = parse_iso(iso)
    if moment is None:
        return None
    return (moment - (now or _now())).total_seconds() / 60


def _duration(minutes: int) -> str:
    if minutes < 60:
        return tr("{m} min").format(m=minutes)
    return tr("{h} h {m:02d}").format(h=minutes // 60, m=minutes % 60)


def elapsed_text(iso: str | None, now: dt.datetime | None = None) -> str:
    minutes = minutes_since(iso, now)
    if minutes is None:
        return ""
    if minutes < 1:
        return tr("just now")
    return tr("{d} ago").format(d=_duration(minutes))


def countdown_text(iso: str | None, now: dt.datetime | None = None) -> tuple[str, bool]:
    """("ready in 12 min" | "LATE by 3 min", late?) for a ready-by time."""
    left = minutes_until(iso, now)
    if left is None:
        return "", False
    if left >= 0:
        return tr("ready in {d}").format(d=_duration(int(left + 0.999))), False
    return tr("LATE by {d}").format(d=_duration(max(1, int(-left)))), True


def status_label(status: str) -> str:
    return {
        "new": tr("New"),
        "accepted": tr("Preparing"),
        "ready": tr("Ready"),
        "completed": tr("Handed over"),
        "rejected": tr("Refused"),
        "cancelled": tr("CANCELLED"),
    }.get(status, status)


def channel_label(channel: str) -> str:
    return {"collect": tr("CLICK & COLLECT"), "delivery": tr("DELIVERY")}.get(channel, channel)


def handover_label(channel: str) -> str:
    return tr("Handed to courier") if channel == "delivery" else tr("Handed to customer")


def reject_reason_label(reason: str | None) -> str:
    return {
        "out_of_stock": tr("Sold out"),
        "closing": tr("Closing"),
        "too_busy": tr("Too many orders"),
        "other": tr("Other"),
        "timeout": tr("Not answered in time"),
    }.get(reason or "", reason or "")


def actor_label(by: str | None) -> str:
    """Who made a change in an order's history (the protocol's ``by``)."""
    return {"customer": tr("by the customer"), "shop": tr("by the shop"),
            "marketplace": tr("by the marketplace")}.get(by or "", by or "")
