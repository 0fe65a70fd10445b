"""Orders lost without the shop's answer (refused on timeout, cancelled by the customer):
one banner, which only its OK button removes — a restart does not.

However many orders are lost (27 at once when nobody watched), they share one
banner listing them, so the window never grows past the screen. The sync engine
records them with the pull that brought the news (table ``lost_orders``), so a
crash before the window heard of them loses nothing; the window reads the ones
nobody acknowledged and marks them seen when OK is pressed.
"""

from __future__ import annotations

from typing import Any, Protocol

from posapp.ui.banners import Banner, BannerArea
from posapp.ui.i18n import tr

__all__ = ["LostOrders"]

LISTED = 12  # numbers named in the banner; the rest are counted


class _LostOrdersRecord(Protocol):  # posapp.domain.orders.OrdersService
    def lost_unseen(self) -> list[dict[str, Any]]: ...
    def acknowledge_lost(self, keys: list[tuple[str, str]]) -> None: ...


def _one(entry: dict[str, Any]) -> str:
    if entry["why"] == "timeout":
        return tr("Order No. {n} ({c}) was REFUSED by the marketplace: nobody answered in"
                  " time. The customer was told; do not prepare it.").format(
            n=entry["number"], c=entry["customer"])
    return tr("Order No. {n} ({c}) was CANCELLED by the customer — do not prepare it.").format(
        n=entry["number"], c=entry["customer"])


def _numbers(entries: list[dict[str, Any]]) -> str:
    shown = ", ".join(tr("No. {n}").format(n=e["number"]) for e in entries[:LISTED])
    return shown + (" …" if len(entries) > LISTED else "")


def banner_text(entries: list[dict[str, Any]]) -> str:
    if len(entries) == 1:
        return _one(entries[0])
    parts = []
    timed_out = [e for e in entries if e["why"] == "timeout"]
    cancelled = [e for e in entries if e["why"] != "timeout"]
    if timed_out:
        parts.append(tr("REFUSED by the marketplace, nobody answered in time: {list}").format(
            list=_numbers(timed_out)))
    if cancelled:
        parts.append(tr("CANCELLED by the customer: {list}").format(list=_numbers(cancelled)))
    return tr("{n} orders lost — do not prepare them.").format(n=len(entries)) + " " + \
        " · ".join(parts)


class LostOrders:
    def __init__(self, record: _LostOrdersRecord, banners: BannerArea):
        self.record = record
        self.banners = banners
        self.banner: Banner | None = None
        self.shown: list[tuple[str, str]] = []  # (order id, why) the banner lists

    def entries(self) -> list[dict[str, Any]]:
        return self.record.lost_unseen()

    def refresh(self) -> None:
        """At start-up, and whenever a pull brought lost orders: show what nobody saw."""
        entries = self.entries()
        if not entries:
            return
        self.shown = [(e["id"], e["why"]) for e in entries]
        if self.banner is None:
            self.banner = self.banners.show_banner(banner_text(entries), "cancelled",
                                                   sticky=True)
            self.banner.dismissed.connect(self._acknowledge)
        else:
            self.banner.set_text(banner_text(entries))

    def _acknowledge(self) -> None:
        """OK pressed: the orders the banner listed have been seen (not one lost since)."""
        self.banner = None
        self.record.acknowledge_lost(self.shown)
        self.shown = []
        self.refresh()  # one lost between the last refresh and OK: its own banner
