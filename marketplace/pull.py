"""Pull: everything of one shop that changed after a cursor, read in one snapshot, in pages.

A page holds every changed product (a catalogue is bounded) and the changed orders
in version order, up to ``page_size`` of them. When more orders remain, the page's
``cursor`` is the version of its last order and ``more`` is true: the client pulls
again at once. Orders written by one transaction share a version and are never split
between pages (a page may pass ``page_size`` by that group), so a cursor never skips
anything. ``last_mutation_id`` and the products come from the same snapshot as the page
(REPEATABLE READ on PostgreSQL), and the head is the shop's own sequence (``shops.seq``,
storage.py), read in that snapshot: every change stamped up to it is in the snapshot.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from marketplace.catalogue import product_to_wire
from marketplace.errors import ApiError
from marketplace.orders import assemble_orders, details_queries, orders_to_wire
from marketplace.schema import columns
from marketplace.settings import Settings
from marketplace.shops import device_from, live_device_query, shop_to_wire
from marketplace.storage import Database, Statement, prepared, read_tx

__all__ = ["PullSnapshot", "read_pull", "PULL_PAGE_SIZE"]

PULL_PAGE_SIZE = 100  # orders per page: ~60 kB of JSON, ~1 MB at worst (100-line orders)


@dataclass(frozen=True)
class PullSnapshot:
    body: dict[str, Any]
    changed: bool  # anything of the shop newer than the cursor asked for
    # ``read_pull(token=…)``: the token's (shop, device, live until), read in the snapshot
    device: tuple[str, int, str | None] | None = None

    @property
    def last_mutation_id(self) -> int:
        return int(self.body["last_mutation_id"])

    def at_head(self) -> dict[str, Any] | None:
        """The answer a pull from this page's cursor would get while the shop does not
        change (nothing newer: no orders, no products), or None if orders remain."""
        if self.body["more"]:
            return None
        return {**self.body, "reset": False, "orders": [], "products": []}


def read_pull(db: Database, shop_id: str, cursor: int, client_id: str | None,
              respond_within_s: float = Settings().auto_reject_after_s,
              page_size: int = PULL_PAGE_SIZE, token: str | None = None) -> PullSnapshot:
    """The page after ``cursor``; with ``token``, the device token is checked in the same
    snapshot (ApiError 401 if it is no longer live, or not this shop's).

    On PostgreSQL a page that holds everything after the cursor (the usual pull) is one
    round trip: BEGIN, every read, COMMIT. A longer one, or a cursor past the head, is
    read again, step by step, in a snapshot of its own (the token checked again there)."""
    with read_tx(db) as tx:
        reads = [(_SHOP, (client_id or "", shop_id)), *_after(shop_id, cursor, page_size)]
        if token is not None:
            reads.insert(0, live_device_query(token, tx.now))
        found = tx.batch(reads, last=True)
        device = _device(shop_id, found.pop(0)) if token is not None else None
        shops, orders, products, lines, history = found
    if not shops:  # the token's shop vanished (hand-edited database)
        raise ApiError.unauthorized()
    shop = shops[0]
    if cursor > int(shop["seq"]) or len(orders) > page_size:
        return _read_paged(db, shop_id, cursor, client_id, respond_within_s, page_size, token)
    body = _body(shop, int(shop["seq"]), False, False, client_id,
                 assemble_orders(orders, lines, history, respond_within_s), products)
    return PullSnapshot(body, _changed(shop, orders, products, cursor, False), device)


# The shop with the client's last id; then, after a cursor: orders (one more than a page,
# to know if the page is whole), products, and the lines and history of those orders.
_SHOP = prepared(f"SELECT {columns('shops', 's')}, (SELECT c.last_mutation_id"
                 " FROM client_state c WHERE c.shop_id = s.id AND c.client_id = ?)"
                 " AS client_last_id FROM shops s WHERE s.id = ?")
_ORDERS_AFTER = prepared(f"SELECT {columns('orders')} FROM orders"
                         " WHERE shop_id = ? AND version > ? ORDER BY version, number LIMIT ?")
_PRODUCTS_AFTER = prepared(f"SELECT {columns('products')} FROM products"
                           " WHERE shop_id = ? AND version > ? ORDER BY sku")
_LINES_AFTER, _HISTORY_AFTER = (statement for statement, _ in details_queries(
    "SELECT id FROM orders WHERE shop_id = ? AND version > ? ORDER BY version, number LIMIT ?",
    (), prepare=True))


def _after(shop_id: str, cursor: int, page_size: int) -> list[tuple[Statement, tuple[Any, ...]]]:
    page = (shop_id, cursor, page_size + 1)
    return [(_ORDERS_AFTER, page), (_PRODUCTS_AFTER, (shop_id, cursor)),
            (_LINES_AFTER, page), (_HISTORY_AFTER, page)]


def _device(shop_id: str, found: list[dict[str, Any]]) -> tuple[str, int, str | None]:
    """The token's device (``live_device_query``'s rows): 401 if none, or another shop's."""
    device = device_from(found)
    if device[0] != shop_id:
        raise ApiError.unauthorized()
    return device


def _read_paged(db: Database, shop_id: str, cursor: int, client_id: str | None,
                respond_within_s: float, page_size: int, token: str | None) -> PullSnapshot:
    """A pull that needs more than one page, or from a cursor past the head."""
    with read_tx(db) as tx:
        device = (_device(shop_id, tx.rows(*live_device_query(token, tx.now)))
                  if token is not None else None)
        shop = tx.row(_SHOP, (client_id or "", shop_id))
        if shop is None:
            raise ApiError.unauthorized()
        head = int(shop["seq"])
        reset = cursor > head
        if reset:
            cursor = 0  # a cursor from another database (server reset): send everything again
        orders = tx.rows(_ORDERS_AFTER, (shop_id, cursor, page_size + 1))
        page_cursor, more = head, False
        if len(orders) > page_size:
            more = True
            boundary = orders[page_size]["version"]  # the first version not wholly here
            whole = [o for o in orders if o["version"] < boundary]
            if whole:
                orders, page_cursor = whole, whole[-1]["version"]
            else:  # one transaction wrote more than a page: send that group whole
                orders = tx.rows(f"SELECT {columns('orders')} FROM orders"
                                 " WHERE shop_id = ? AND version = ?"
                                 " ORDER BY number", (shop_id, boundary))
                page_cursor = boundary
        products = tx.rows(_PRODUCTS_AFTER, (shop_id, cursor))
        body = _body(shop, page_cursor, more, reset, client_id,
                     orders_to_wire(tx, orders, respond_within_s), products)
    return PullSnapshot(body, _changed(shop, orders, products, cursor, reset), device)


def _body(shop: dict[str, Any], cursor: int, more: bool, reset: bool, client_id: str | None,
          orders: list[dict[str, Any]], products: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "cursor": cursor,
        "more": more,
        "reset": reset,
        "last_mutation_id": int(shop["client_last_id"] or 0) if client_id else 0,
        "shop": shop_to_wire(shop),
        "orders": orders,
        "products": [product_to_wire(p) for p in products],
    }


def _changed(shop: dict[str, Any], orders: list[Any], products: list[Any], cursor: int,
             reset: bool) -> bool:
    """Anything of the shop newer than the cursor asked for."""
    return bool(orders or products or shop["version"] > cursor or reset)
