"""Sample data and helpers for the printing tests."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

__all__ = ["ORDER", "SHOP", "Recorder", "wait_for"]

ORDER: dict[str, Any] = {
    "id": "ord_7f3a9c",
    "number": 12,
    "status": "new",
    "channel": "collect",
    "customer": {"name": "Zoé Lefèvre", "phone": "+33 6 12 34 56 78", "address": None},
    "lines": [
        {
            "sku": "CROIS",
            "name": "Croissant",
            "qty": 2,
            "unit_price_cents": 120,
            "options": ["bien cuit"],
        },
        {
            "sku": "PAC",
            "name": "Pain au chocolat",
            "qty": 1,
            "unit_price_cents": 130,
            "options": [],
        },
        {
            "sku": "OPERA",
            "name": "Opéra façon grand-mère, crème brûlée",
            "qty": 1,
            "unit_price_cents": 850,
            "options": ["bougie « 40 ans »"],
        },
    ],
    "total_cents": 1220,
    "note": "Sonnez deux fois – c’est au 3e",
    "allergens": "noix, œufs",
    "paid": True,
    "pickup_slot": "2026-11-23T16:00:00.000Z",
    "ready_by": "2026-11-23T15:45:00.000Z",
    "created_at": "2026-11-23T14:02:00.000Z",
    "updated_at": "2026-11-23T14:02:00.000Z",
    "reject_reason": None,
    "history": [{"status": "new", "at": "2026-11-23T14:02:00.000Z", "by": "customer"}],
}
SHOP: dict[str, Any] = {
    "id": "shop_1",
    "name": "Boulangerie Chez Léonie",
    "address": "12 rue de la Croix-Rousse, Lyon",
    "paused": False,
}


class Recorder:
    def __init__(self) -> None:
        self.statuses: list[Any] = []
        self.jobs: list[Any] = []

    def states(self) -> list[Any]:
        return [s.state for s in list(self.statuses)]


def wait_for(predicate: Callable[[], Any], timeout: float = 5.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.01)
    raise AssertionError(f"condition not met within {timeout} s")
