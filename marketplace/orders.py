"""Orders: the customer's side (place, read, cancel), status changes, the timeout sweep.

Stock moves in the same transaction as the order: placing an order takes its
quantities, a rejection (by the shop or by the timeout) or a cancellation gives
them back, each as a ledger row whose unique index makes a second return of
the same line impossible.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from marketplace.customer_access import (
    OrderCaps,
    check_caps,
    customer_key,
    held_query,
    new_order_secret,
)
from marketplace.errors import ApiError
from marketplace.exclusive import only_one
from marketplace.ids import new_id
from marketplace.opening_hours import load_hours, shop_zone, slot_allowed
from marketplace.schema import columns
from marketplace.settings import Settings
from marketplace.shops import reopen
from marketplace.storage import Database, Statement, Tx, prepared, read_tx, write_tx
from sync.protocol import order_transition_allowed, parse_iso, to_iso

__all__ = [
    "Attendance",
    "OrderLineRequest",
    "OrderRequest",
    "STATUS_LABELS",
    "find_order",
    "orders_to_wire",
    "details_queries",
    "assemble_orders",
    "respond_by",
    "place_order",
    "get_order",
    "cancel_order",
    "change_status",
    "reject_overdue",
    "move_stock",
]

STATUS_LABELS = {
    "new": "nouvelle", "accepted": "acceptée", "ready": "prête", "completed": "terminée",
    "rejected": "refusée", "cancelled": "annulée",
}
_RETURN_SOURCE = {"rejected": "reject", "cancelled": "cancel"}
_CHUNK = 500  # ids per IN (...) query, well under SQLite's variable limit
_RESPOND_WITHIN_S = Settings().auto_reject_after_s


def respond_by(created_at: str, respond_within_s: float) -> str:
    """When the timeout sweep refuses an order still new: what the counter counts down to."""
    created = parse_iso(created_at)
    assert created is not None  # written by this server, always a valid ISO time
    return to_iso(created + dt.timedelta(seconds=respond_within_s))


@dataclass(frozen=True)
class OrderLineRequest:
    sku: str
    qty: int
    options: tuple[str, ...] = ()


@dataclass(frozen=True)
class OrderRequest:
    customer_name: str
    customer_phone: str
    customer_address: str | None
    channel: str
    lines: tuple[OrderLineRequest, ...]
    note: str = ""
    allergens: str = ""
    paid: bool = False
    pickup_slot: str | None = None
    idempotency_key: str | None = None
    request_hash: str = ""


def find_order(tx: Tx, shop_id: str, order_id: str) -> dict[str, Any] | None:
    """Scoped lookup: another shop's order is exactly as unknown as a missing one."""
    return tx.row("SELECT * FROM orders WHERE id = ? AND shop_id = ?", (order_id, shop_id))


def _unknown_order(order_id: str) -> ApiError:
    return ApiError(404, "unknown_order", f"Commande inconnue : {order_id}")


def orders_to_wire(tx: Tx, orders: list[dict[str, Any]],
                   respond_within_s: float = _RESPOND_WITHIN_S) -> list[dict[str, Any]]:
    """Orders as the protocol's ORDER; ``respond_within_s`` is the auto-reject setting."""
    line_rows: list[dict[str, Any]] = []
    history_rows: list[dict[str, Any]] = []
    ids = [o["id"] for o in orders]
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start:start + _CHUNK]
        marks = ",".join("?" * len(chunk))
        lines, history = tx.batch(details_queries(marks, chunk))
        line_rows += lines
        history_rows += history
    return assemble_orders(orders, line_rows, history_rows, respond_within_s)


def details_queries(ids_sql: str, params: tuple[Any, ...] | list[Any], *,
                    prepare: bool = False) -> list[tuple[Statement, tuple[Any, ...]]]:
    """The statements reading the lines, then the history, of the orders whose ids
    ``ids_sql`` gives (``?`` marks or a subquery, with ``params``), for ``assemble_orders``;
    ``prepare`` for a text that does not vary (not one per number of ids)."""
    params = tuple(params)
    texts = [f"SELECT {columns('order_lines')} FROM order_lines WHERE order_id IN ({ids_sql})"
             " ORDER BY order_id, line_no",
             f"SELECT {columns('order_history')} FROM order_history"
             f" WHERE order_id IN ({ids_sql}) ORDER BY order_id, id"]
    return [(prepared(text) if prepare else text, params) for text in texts]


def assemble_orders(orders: list[dict[str, Any]], line_rows: list[dict[str, Any]],
                    history_rows: list[dict[str, Any]],
                    respond_within_s: float = _RESPOND_WITHIN_S) -> list[dict[str, Any]]:
    """``orders`` rows with their lines and history rows (``details_queries``; rows of other
    orders are left out) as the protocol's ORDER."""
    lines: dict[str, list[dict[str, Any]]] = defaultdict(list)
    history: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for line in line_rows:
        lines[line["order_id"]].append(_line_to_wire(line))
    for entry in history_rows:
        history[entry["order_id"]].append(_history_to_wire(entry))
    return [_order_to_wire(o, lines[o["id"]], history[o["id"]], respond_within_s)
            for o in orders]


def _line_to_wire(line: dict[str, Any]) -> dict[str, Any]:
    """An ``order_lines`` row as the protocol's ORDER line."""
    return {"sku": line["sku"], "name": line["name"], "qty": line["qty"],
            "unit_price_cents": line["unit_price_cents"], "options": json.loads(line["options"])}


def _history_to_wire(entry: dict[str, Any]) -> dict[str, Any]:
    """An ``order_history`` row as the protocol's ORDER history entry."""
    return {"status": entry["status"], "at": entry["at"], "by": entry["actor"]}


def _order_to_wire(o: dict[str, Any], lines: list[dict[str, Any]],
                   history: list[dict[str, Any]], respond_within_s: float) -> dict[str, Any]:
    """An ``orders`` row, its lines and history (already on the wire) as the protocol's ORDER."""
    return {
        "id": o["id"],
        "number": o["number"],
        "status": o["status"],
        "channel": o["channel"],
        "customer": {"name": o["customer_name"], "phone": o["customer_phone"],
                     "address": o["customer_address"]},
        "lines": lines,
        "total_cents": o["total_cents"],
        "note": o["note"],
        "allergens": o["allergens"],
        "paid": bool(o["paid"]),
        "pickup_slot": o["pickup_slot"],
        "ready_by": o["ready_by"],
        "respond_by": respond_by(o["created_at"], respond_within_s),
        "created_at": o["created_at"],
        "updated_at": o["updated_at"],
        "reject_reason": o["reject_reason"],
        "history": history,
    }


def _require_shop(tx: Tx, shop_id: str) -> dict[str, Any]:
    shop = tx.row("SELECT * FROM shops WHERE id = ?", (shop_id,))
    if shop is None:
        raise ApiError(404, "unknown_shop", f"Boutique inconnue : {shop_id}")
    return shop


@dataclass(frozen=True)
class Attendance:
    """Is somebody at the shop's counter to receive an order (presence.py)? ``here``: a
    counter of the shop is connected to this very process; else ``seen_recently`` of the
    last time any process saw one (``devices.last_seen_at``)."""

    here: bool
    seen_recently: Callable[[str | None], bool]


def _insert(table: str, row: dict[str, Any]) -> Statement:
    """INSERT of ``row``'s columns (its values, in order, as parameters)."""
    return prepared(f"INSERT INTO {table} ({', '.join(row)})"
                    f" VALUES ({', '.join('?' * len(row))})")


_NEXT_NUMBER = prepared("SELECT COALESCE(MAX(number), 0) + 1 AS number FROM orders"
                        " WHERE shop_id = ?")
_BY_KEY = prepared(f"SELECT {columns('orders')} FROM orders"
                   " WHERE shop_id = ? AND idempotency_key = ?")
_SHOP = columns("shops", "s")

# The last time a live counter of the shop was seen by any process (its column as ``s``).
_LAST_SEEN = ("(SELECT MAX(d.last_seen_at) FROM devices d"
              " WHERE d.shop_id = s.id AND d.revoked_at IS NULL) AS last_seen")


class _Replayed(Exception):
    """A retry of an order already taken: its answer, once the transaction is rolled back
    (nothing of it may commit: the shop's version was taken with the checks)."""

    def __init__(self, answer: dict[str, Any]):
        super().__init__("replayed")
        self.answer = answer


def place_order(db: Database, shop_id: str, req: OrderRequest,
                respond_within_s: float = _RESPOND_WITHIN_S,
                caps: OrderCaps | None = None,
                attendance: Attendance | None = None) -> tuple[dict[str, Any], bool]:
    """Take an order (and its stock) or refuse it: (ORDER with its ``order_secret``, created).

    One transaction, every check under the shop's lock: a retry of an order already taken
    gets it back (paused, watched or not); a timed pause that is over reopens the shop
    (the sweeper would, a moment later; an order refused after that, for any reason,
    rolls the reopening back with it and leaves it to the sweeper); with ``attendance``, a
    shop nobody watches refuses it (409 ``shop_unattended``); then the pickup slot, caps,
    products and stock.

    Three round trips on PostgreSQL: the lock with the shop's row; every read the checks
    need with the shop's new version; the writes with the COMMIT."""
    caps = caps or OrderCaps()
    try:
        with write_tx(db) as tx:
            return _place(tx, shop_id, req, respond_within_s, caps, attendance), True
    except _Replayed as replayed:
        return replayed.answer, False


def _place(tx: Tx, shop_id: str, req: OrderRequest, respond_within_s: float, caps: OrderCaps,
           attendance: Attendance | None) -> dict[str, Any]:
    # The shop's writers one at a time from here (storage.py): the key, caps, stock and
    # number read below hold until this order is committed.
    unwatched = attendance is not None and not attendance.here
    shop = tx.lock_shop(shop_id, _SHOP + ", " + _LAST_SEEN if unwatched else _SHOP)
    if shop is None:
        raise ApiError(404, "unknown_shop", f"Boutique inconnue : {shop_id}")
    skus = sorted({line.sku for line in req.lines})
    # (The products' statement is prepared once per number of SKUs: at most a few dozen.)
    reads = [held_query(shop_id, req.customer_phone),
             (prepared(f"SELECT {columns('products')} FROM products WHERE shop_id = ?"
                       f" AND sku IN ({', '.join('?' * len(skus))})"), (shop_id, *skus)),
             (_NEXT_NUMBER, (shop_id,))]
    if req.idempotency_key is not None:
        reads.append((_BY_KEY, (shop_id, req.idempotency_key)))
    held, found, numbered, *earlier = tx.batch(reads, version_of=shop_id)
    if earlier and earlier[0]:
        previous = earlier[0][0]
        if previous["request_hash"] != req.request_hash:
            raise ApiError(409, "idempotency_conflict",
                           "Cette clé d’idempotence a déjà servi pour une autre commande.")
        replayed = orders_to_wire(tx, [previous], respond_within_s)[0]
        raise _Replayed({**replayed, "order_secret": previous["customer_secret"]})
    if shop["paused"] and not _reopen_if_over(tx, shop):
        raise ApiError(409, "shop_paused",
                       f"{shop['name']} ne prend pas de commandes pour le moment.")
    if unwatched and attendance is not None and not attendance.seen_recently(shop["last_seen"]):
        raise ApiError(409, "shop_unattended",
                       "Personne n’est au comptoir de cette boutique pour recevoir votre"
                       " commande pour le moment ; réessayez plus tard.")
    if req.pickup_slot is not None:
        _check_pickup_slot(shop, req.pickup_slot)
    check_caps(held[0], sum(line.qty for line in req.lines), caps)
    products = _check_products({p["sku"]: p for p in found}, req)
    order_id = new_id("ord")
    order = {
        "id": order_id, "shop_id": shop_id, "number": int(numbered[0]["number"]),
        "status": "new", "channel": req.channel, "customer_name": req.customer_name,
        "customer_phone": req.customer_phone, "customer_address": req.customer_address,
        "note": req.note, "allergens": req.allergens, "paid": int(req.paid),
        "pickup_slot": req.pickup_slot, "ready_by": None, "reject_reason": None,
        "total_cents": sum(products[line.sku]["price_cents"] * line.qty for line in req.lines),
        "idempotency_key": req.idempotency_key, "request_hash": req.request_hash,
        "customer_secret": new_order_secret(), "customer_key": customer_key(req.customer_phone),
        "created_at": tx.now, "updated_at": tx.now, "version": tx.version(shop_id),
    }
    # Nothing below is read back: the writes travel with the COMMIT (an error there still
    # rolls the whole order back).
    writes: list[tuple[Statement, tuple[Any, ...]]] = [
        (_insert("orders", order), tuple(order.values()))]
    lines = []
    for line_no, line in enumerate(req.lines, start=1):
        written = {"order_id": order_id, "line_no": line_no, "sku": line.sku,
                   "name": products[line.sku]["name"], "qty": line.qty,
                   "unit_price_cents": products[line.sku]["price_cents"],
                   "options": json.dumps(list(line.options), ensure_ascii=False)}
        writes.append((_insert("order_lines", written), tuple(written.values())))
        lines.append(_line_to_wire(written))
        writes += _stock_move(tx, shop_id, line.sku, -line.qty, "order", "online",
                              order_id=order_id, line_no=line_no)
    entry, history = _history_entry(tx, order_id, "new", "customer")
    for sql, params in [*writes, history]:
        tx.with_commit(sql, params)
    # What was written, as a read of it would give it back (tests/marketplace/test_orders.py)
    placed = _order_to_wire(order, lines, [_history_to_wire(entry)], respond_within_s)
    return {**placed, "order_secret": order["customer_secret"]}


def _reopen_if_over(tx: Tx, shop: dict[str, Any]) -> bool:
    """Reopen a paused shop (read under its lock) whose timed pause is over."""
    until = shop["paused_until"]
    if until is None or until > tx.now:  # ISO-8601 UTC text: ordered as the times are
        return False
    reopen(tx, shop["id"])
    return True


def _check_pickup_slot(shop: dict[str, Any], slot: str) -> None:
    """409 pickup_slot_unavailable for a slot outside the shop's opening hours (a shop with
    none takes any slot)."""
    hours = load_hours(shop["opening_hours"])
    when = parse_iso(slot)
    if hours is None or when is None:
        return
    if not slot_allowed(hours, shop_zone(shop["time_zone"]), when, dt.datetime.now(dt.UTC)):
        raise ApiError(409, "pickup_slot_unavailable",
                       "Ce créneau de retrait n’est pas possible : choisissez-en un pendant les"
                       " heures d’ouverture de la boutique.", field="pickup_slot")


def _check_products(found: dict[str, dict[str, Any]],
                    req: OrderRequest) -> dict[str, dict[str, Any]]:
    """The ordered products by SKU (``found``, read under the shop's lock), each checked for
    sale and stock."""
    wanted: dict[str, int] = defaultdict(int)
    for line in req.lines:
        if line.sku not in found:
            raise ApiError(404, "unknown_sku", f"Produit inconnu : {line.sku}")
        wanted[line.sku] += line.qty
    for sku, qty in wanted.items():
        product = found[sku]
        if not (product["active"] and product["available"]) or product["stock"] < qty:
            raise ApiError(409, "out_of_stock",
                           f"{product['name']} : plus assez en stock ({qty} demandé(s)).")
    return found


def get_order(db: Database, shop_id: str, order_id: str,
              respond_within_s: float = _RESPOND_WITHIN_S) -> dict[str, Any]:
    with read_tx(db) as tx:
        _require_shop(tx, shop_id)
        order = find_order(tx, shop_id, order_id)
        if order is None:
            raise _unknown_order(order_id)
        return orders_to_wire(tx, [order], respond_within_s)[0]


def cancel_order(db: Database, shop_id: str, order_id: str,
                 respond_within_s: float = _RESPOND_WITHIN_S) -> dict[str, Any]:
    """The customer cancels; cancelling a cancelled order again is a harmless no-op."""
    with write_tx(db) as tx:
        tx.lock_shop(shop_id)  # the status read below holds until the change is committed
        _require_shop(tx, shop_id)
        order = find_order(tx, shop_id, order_id)
        if order is None:
            raise _unknown_order(order_id)
        if order["status"] != "cancelled":
            if not order_transition_allowed(order["status"], "cancelled", by_shop=False):
                raise ApiError(409, "illegal_transition",
                               f"La commande n° {order['number']} est "
                               f"{STATUS_LABELS[order['status']]} : trop tard pour l’annuler.")
            change_status(tx, order, "cancelled", actor="customer", reason="customer")
            order = find_order(tx, shop_id, order_id)
            assert order is not None
        return orders_to_wire(tx, [order], respond_within_s)[0]


def change_status(tx: Tx, order: dict[str, Any], target: str, *, actor: str,
                  reason: str | None = None, ready_by: str | None = None) -> None:
    """Move an order (transition already checked by the caller); rejection and cancellation
    give the order's quantities back to stock."""
    tx.execute(
        "UPDATE orders SET status = ?, updated_at = ?, version = ?,"
        " ready_by = COALESCE(?, ready_by),"
        " reject_reason = CASE WHEN ? = 'rejected' THEN ? ELSE reject_reason END WHERE id = ?",
        (target, tx.now, tx.version(order["shop_id"]), ready_by, target, reason, order["id"]),
    )
    _add_history(tx, order["id"], target, actor, reason)
    source = _RETURN_SOURCE.get(target)
    if source is not None:
        for line in tx.rows("SELECT line_no, sku, qty FROM order_lines WHERE order_id = ?",
                            (order["id"],)):
            move_stock(tx, order["shop_id"], line["sku"], line["qty"], reason or target, source,
                        order_id=order["id"], line_no=line["line_no"])


def reject_overdue(db: Database, created_before: str, limit: int = 200) -> tuple[int, set[str]]:
    """Reject (reason "timeout") up to ``limit`` orders still new since before
    ``created_before``; returns how many, and the shops whose data changed. On
    PostgreSQL one process at a time sweeps (exclusive.py): the others get (0, set())."""
    with write_tx(db) as tx:
        if not only_one(tx):
            return 0, set()
        overdue = tx.rows("SELECT id, shop_id FROM orders WHERE status = 'new' AND created_at < ?"
                          " ORDER BY created_at LIMIT ?", (created_before, limit))
        shops = sorted({order["shop_id"] for order in overdue})
        for shop_id in shops:  # in one order: two such sweeps never deadlock
            tx.lock_shop(shop_id)
        for candidate in overdue:  # read again under the locks: the shop may have answered
            order = find_order(tx, candidate["shop_id"], candidate["id"])
            if order is not None and order["status"] == "new" and order_transition_allowed(
                    order["status"], "rejected", by_shop=False):
                change_status(tx, order, "rejected", actor="marketplace", reason="timeout")
        return len(overdue), set(shops)


def _add_history(tx: Tx, order_id: str, status: str, actor: str,
                 reason: str | None = None) -> None:
    """A history entry of the order (now, in this transaction)."""
    tx.execute(*_history_entry(tx, order_id, status, actor, reason)[1])


def _history_entry(tx: Tx, order_id: str, status: str, actor: str, reason: str | None = None
                   ) -> tuple[dict[str, Any], tuple[Statement, tuple[Any, ...]]]:
    """A history entry of the order (now, in this transaction), and the statement writing it."""
    entry = {"order_id": order_id, "status": status, "at": tx.now, "actor": actor,
             "reason": reason}
    return entry, (_insert("order_history", entry), tuple(entry.values()))


def move_stock(tx: Tx, shop_id: str, sku: str, delta: int, reason: str, source: str, *,
                order_id: str | None = None, line_no: int | None = None,
                client_id: str | None = None, mutation_id: int | None = None) -> None:
    for sql, params in _stock_move(tx, shop_id, sku, delta, reason, source, order_id=order_id,
                                   line_no=line_no, client_id=client_id,
                                   mutation_id=mutation_id):
        tx.execute(sql, params)


def _stock_move(tx: Tx, shop_id: str, sku: str, delta: int, reason: str, source: str, *,
                order_id: str | None = None, line_no: int | None = None,
                client_id: str | None = None, mutation_id: int | None = None
                ) -> list[tuple[Statement, tuple[Any, ...]]]:
    """The statements moving a product's stock by ``delta``: the product and its ledger row."""
    return [(_MOVE_STOCK, (delta, tx.version(shop_id), shop_id, sku)),
            (_STOCK_MOVEMENT, (shop_id, sku, delta, reason, source, client_id, mutation_id,
                               order_id, line_no, tx.now))]


_MOVE_STOCK = prepared("UPDATE products SET stock = stock + ?, version = ?"
                       " WHERE shop_id = ? AND sku = ?")
_STOCK_MOVEMENT = prepared("INSERT INTO stock_movements (shop_id, sku, delta, reason, source,"
                           " client_id, mutation_id, order_id, line_no, at)"
                           " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
