"""Orders lost without the shop's answer (refused on timeout, cancelled by the customer):
a banner each, which only its OK button removes — a restart does not.

The banners still to acknowledge are kept in the ``settings`` table (key
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


class _Settings(Protocol):
    def setting(self, key: str, default: str | None = None) -> str | None: ...
    def set_setting(self, key: str, value: str | None) -> None: ...


def _text(entry: dict[str, Any]) -> str:
    if entry["why"] == "timeout":
        return tr("Order No. {n} ({c}) was REFUSED by the marketplace: nobody answered in"
                  " time. The customer was told; do not prepare it.").format(
            n=entry["number"], c=entry["customer"])
    return tr("Order No. {n} ({c}) was CANCELLED by the customer — do not prepare it.").format(
        n=entry["number"], c=entry["customer"])


class LostOrders:
    def __init__(self, settings: _Settings, banners: BannerArea):
        self.settings = settings
        self.banners = banners

    def _load(self) -> list[dict[str, Any]]:
        try:
            entries = json.loads(self.settings.setting(SETTING, "[]") or "[]")
        except ValueError:  # a damaged value must not stop the window: start afresh
            log.warning("unreadable %s setting, dropped", SETTING)
            return []
        return [e for e in entries if isinstance(e, dict) and {"id", "why"} <= e.keys()]

    def _save(self, entries: list[dict[str, Any]]) -> None:
        self.settings.set_setting(SETTING, json.dumps(entries, ensure_ascii=False))

    def restore(self) -> None:
        """At start-up: the banners nobody acknowledged before the app closed."""
        for entry in self._load():
            self._show(entry)

    def add(self, orders: list[dict[str, Any]], why: str) -> None:
        """``why``: "timeout" or "cancelled"."""
        entries = self._load()
        known = {(e["id"], e["why"]) for e in entries}
        for order in orders:
            entry = {"id": order["id"], "why": why, "number": order.get("number"),
                     "customer": order.get("customer_name") or ""}
            if (entry["id"], why) in known:
                continue
            entries.append(entry)
            self._show(entry)
        self._save(entries)

    def _show(self, entry: dict[str, Any]) -> Banner:
        banner = self.banners.show_banner(_text(entry), "cancelled", sticky=True)
        banner.dismissed.connect(lambda e=entry: self._acknowledge(e))
        return banner

    def _acknowledge(self, entry: dict[str, Any]) -> None:
        self._save([e for e in self._load() if (e["id"], e["why"]) != (entry["id"], entry["why"])])
