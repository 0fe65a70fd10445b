"""Pull: everything of one shop that changed after a cursor, read in one snapshot."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from marketplace.catalogue import product_to_wire
from marketplace.errors import ApiError
from marketplace.orders import orders_to_wire
from marketplace.settings import Settings
from marketplace.shops import shop_to_wire
from marketplace.storage import read_tx

__all__ = ["PullSnapshot", "read_pull"]


@dataclass(frozen=True)
class PullSnapshot:
    body: dict[str, Any]
    changed: bool  # anything of the shop newer than the cursor asked for

    @property
    def last_mutation_id(self) -> int:
        return int(self.body["last_mutation_id"])


def read_pull(db: Database, shop_id: str, cursor: int, client_id: str | None,
              respond_within_s: float = Settings().auto_reject_after_s) -> PullSnapshot:
    with read_tx(db) as tx:
        (head,) = tx.execute("SELECT value FROM change_seq WHERE id = 1").fetchone()
        if cursor > head:
            cursor = 0  # a cursor from another database (server reset): send everything again
        shop = tx.row("SELECT * FROM shops WHERE id = ?", (shop_id,))
        if shop is None:  # the token's shop vanished (hand-edited database)
            raise ApiError.unauthorized()
        orders = tx.rows("SELECT * FROM orders WHERE shop_id = ? AND version > ?"
                         " ORDER BY version, number", (shop_id, cursor))
        products = tx.rows("SELECT * FROM products WHERE shop_id = ? AND version > ?"
                           " ORDER BY sku", (shop_id, cursor))
        last = 0
        if client_id:
            found = tx.row("SELECT last_mutation_id FROM client_state"
                           " WHERE shop_id = ? AND client_id = ?", (shop_id, client_id))
            last = int(found["last_mutation_id"]) if found else 0
        body = {
            "cursor": head,
            "last_mutation_id": last,
            "shop": shop_to_wire(shop),
            "orders": orders_to_wire(tx, orders, respond_within_s),
            "products": [product_to_wire(p) for p in products],
        }
    return PullSnapshot(body, bool(orders or products or shop["version"] > cursor))
