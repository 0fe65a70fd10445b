"""Shop-wide decisions at the counter: pausing and resuming online orders.

Like every decision it is an outbox mutation (``shop.pause``); the shown state
is the newest pending one, else what the marketplace last confirmed.
"""

from __future__ import annotations

import json

from posapp.store import outbox
from posapp.store.db import Store

__all__ = ["ShopService"]


class ShopService:
    def __init__(self, store: Store):
        self.store = store

    def set_paused(self, paused: bool) -> int:
        with self.store.transaction() as conn:
            return outbox.enqueue(conn, "shop.pause", {"paused": bool(paused)})

    def paused(self) -> bool:
        row = self.store.query_one(
            "SELECT args FROM outbox WHERE name = 'shop.pause' ORDER BY id DESC LIMIT 1"
        )
        if row is not None:
            return bool(json.loads(row["args"])["paused"])
        shop = self.store.query_one("SELECT value FROM sync_state WHERE key = 'shop'")
        return bool(shop and shop["value"] and json.loads(shop["value"]).get("paused"))

    def pause_pending(self) -> bool:
        return self.store.query_one("SELECT 1 AS x FROM outbox WHERE name = 'shop.pause'") is not None
