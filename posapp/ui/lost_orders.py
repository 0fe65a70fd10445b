"""Orders lost without the shop's answer (refused on timeout, cancelled by the customer):
one banner, which only its OK button removes — a restart does not.

However many orders are lost (27 at once when nobody watched), they share one
banner listing them, so the window never grows past the screen. The orders
still to acknowledge are kept in the ``settings`` table (key
``lost_orders_unseen``) and shown again when the window opens.
"""

from __future__ import annotations

import json
import logging
from typing import Any, Protocol

from posapp.ui.banners import Banner, BannerArea
from posapp.ui.i18n import tr

__all__ = ["LostOrders", "SETTING"]

log = logging.getLogger(__name__)

SETTING = "lost_orders_unseen"
LISTED = 12  # numbers named in the banner; the rest are counted


class _Settings(Protocol):
    def setting(self, key: str, default: str | None = None) -> str | None: ...
    def set_setting(self, key: str, value: str | None) -> None: ...


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
    def __init__(self, settings: _Settings, banners: BannerArea):
        self.settings = settings
        self.banners = banners
        self.banner: Banner | None = None

    def entries(self) -> list[dict[str, Any]]:
        try:
            entries = json.loads(self.settings.setting(SETTING, "[]") or "[]")
        except ValueError:  # a damaged value must not stop the window: start afresh
            log.warning("unreadable %s setting, dropped", SETTING)
            return []
        if not isinstance(entries, list):
            return []
        return [e for e in entries if isinstance(e, dict) and {"id", "why"} <= e.keys()]

    def _save(self, entries: list[dict[str, Any]]) -> None:
        self.settings.set_setting(SETTING, json.dumps(entries, ensure_ascii=False))

    def restore(self) -> None:
        """At start-up: what nobody acknowledged before the app closed."""
        self._show(self.entries())

    def add(self, orders: list[dict[str, Any]], why: str) -> None:
        """``why``: "timeout" or "cancelled"."""
        entries = self.entries()
        known = {(e["id"], e["why"]) for e in entries}
        for order in orders:
            if (order["id"], why) not in known:
                entries.append({"id": order["id"], "why": why, "number": order.get("number"),
                                "customer": order.get("customer_name") or ""})
        self._save(entries)
        self._show(entries)

    def _show(self, entries: list[dict[str, Any]]) -> None:
        if not entries:
            return
        if self.banner is None:
            self.banner = self.banners.show_banner(banner_text(entries), "cancelled",
                                                   sticky=True)
            self.banner.dismissed.connect(self._acknowledge)
        else:
            self.banner.set_text(banner_text(entries))

    def _acknowledge(self) -> None:
        """OK pressed: every order the banner listed has been seen."""
        self.banner = None
        self._save([])
