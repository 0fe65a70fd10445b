"""Formatting for the counter: euros the French way, local times, elapsed time, labels."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDateTime, QLocale

from posapp.ui.i18n import tr
from sync.protocol import parse_iso

__all__ = [
    "euros", "local_time", "local_datetime", "minutes_since", "minutes_until", "elapsed_text",
    "countdown_text", "status_label", "channel_label", "reject_reason_label", "handover_label",
]

def euros(cents: int | None) -> str:
    """Money in the interface's locale: "1 234,50 €" in French, "€1,234.50" in English."""
    return QLocale().toCurrencyString(int(cents or 0) / 100, "€")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def local_datetime(iso: str | None) -> dt.datetime | None:
    moment = parse_iso(iso)
    return moment.astimezone() if moment else None


def local_time(iso: str | None, with_date: bool = False) -> str:
    moment = local_datetime(iso)
    if moment is None:
        return "—"
    locale = QLocale()
    if with_date:  # day and month in the locale's order, 24-hour clock as on shop signs
        day = locale.dateFormat(QLocale.FormatType.ShortFormat)
        day = "dd/MM" if day.startswith(("d", "D")) else "MM/dd"
        return locale.toString(QDateTime(moment.date(), moment.time().replace(microsecond=0)),
                               f"{day} HH:mm")
    return moment.strftime("%H:%M")


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
