"""The shop's store as the sync engine sees it (implements ``sync.engine.Replica``).

``apply_pull`` writes a whole pull in one transaction: entities, cursor,
confirmed outbox entries dropped, orders lost without the shop's answer, and the
hook ``on_order_changes``, which runs inside that same transaction so that, e.g.,
the ticket of a new or newly accepted order, or the cancellation slip of an order
the marketplace withdrew, is queued atomically with the order itself.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from posapp.store import identity, ledger, lost_orders, outbox, pairing
from posapp.store.db import Store
from posapp.store.shop_time import to_utc
from sync.protocol import Mutation, utcnow_iso

__all__ = ["ShopReplica", "PullSummary", "OrderChange", "OrderChangesHook"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OrderChange:
    order: dict[str, Any]  # as pulled
    previous: str | None  # confirmed status before this pull; None when first seen
    pairing: bool = False  # came with the counter's first pull (the day's history)


OrderChangesHook = Callable[[sqlite3.Connection, list[OrderChange], dict[str, Any]], None]


@dataclass
class PullSummary:
    new_orders: list[dict[str, Any]] = field(default_factory=list)
    changed_order_ids: list[str] = field(default_factory=list)
    cancelled_orders: list[dict[str, Any]] = field(default_factory=list)
    # Refused by the marketplace because nobody answered in time (reason "timeout").
    timed_out_orders: list[dict[str, Any]] = field(default_factory=list)
    products_changed: int = 0
    confirmed: int = 0
    shop: dict[str, Any] = field(default_factory=dict)


class ShopReplica:
    def __init__(self, store: Store, on_order_changes: OrderChangesHook | None = None,
                 paired_with: pairing.Pairing | None = None):
        self.store = store
        # The shop the sync credentials belong to: nothing is pushed when the store says
        # another one (a backup of another shop restored under these credentials).
        self.paired_with = paired_with
        self.conn = store.conn
        self.on_order_changes = on_order_changes
        self.generation = identity.generation(self.conn)  # the store this replica answers for

    # -- sync_state ---------------------------------------------------------
    def get_state(self, key: str, default: str | None = None) -> str | None:
        row = self.conn.execute("SELECT value FROM sync_state WHERE key = ?", (key,)).fetchone()
        return row[0] if row and row[0] is not None else default

    def set_state(self, key: str, value: str | None) -> None:
        self.conn.execute(
            "INSERT INTO sync_state (key, value) VALUES (?, ?)"
            " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def client_id(self) -> str:
        with self.store.transaction() as conn:
            return identity.client_id(conn)

    def cursor(self) -> int:
        return int(self.get_state("cursor", "0") or 0)

    # -- push side ----------------------------------------------------------
    def mutations_to_push(self, limit: int) -> list[Mutation]:
        if not self._credentials_match():
            return []
        pushed = int(self.get_state("pushed_through", "0") or 0)
        return outbox.pending(self.conn, after=pushed, limit=limit)

    def _credentials_match(self) -> bool:
        if self.paired_with is None:
            return True
        want = self.paired_with
        if pairing.is_move(self.conn, want.marketplace_url or "", want.shop_id or ""):
            log.warning("store paired with another shop than the credentials': not pushed")
            return False
        return pairing.current(self.conn).shop_id is not None

    def pending_count(self) -> int:
        return outbox.pending_count(self.conn)

    def record_push(self, last_mutation_id: int, results: list[dict[str, Any]]) -> list[dict]:
        """Remember what the server took; refused ones leave the outbox at once.

        Applied mutations stay in the outbox until a pull confirms them together
        with the state they produced, so the counter never sees a delta vanish
        before the confirmed stock includes it.
        """
        refusals = [r for r in results if r["status"] == "refused"]
        reused = [r["id"] for r in refusals if r.get("code") == outbox.ID_REUSED]
        heard = [r["id"] for r in results if r["id"] not in reused]
        with self.store.transaction():
            identity.check_generation(self.conn, self.generation)
            if self.paired_with is not None:
                pairing.check_shop(self.conn, self.paired_with.shop_id)
            refused = outbox.record_refusals(
                self.conn, [r for r in refusals if r["id"] not in reused])
            # Results heard: whatever waited for its answer has it now.
            self.conn.execute("DELETE FROM outbox_unreported WHERE id IN"
                              " (SELECT value FROM json_each(?))", (json.dumps(heard),))
            reused = [i for i in reused if outbox.is_pending(self.conn, i)]  # else: stale
            if reused:  # not applied: sent again, in order, under ids the server never saw
                outbox.renumber_from(self.conn, min(reused), last_mutation_id)
            # Never past what was sent: a server that knows higher ids (another life of
            # this counter) would otherwise make the entries in between look pushed.
            sent = max((r["id"] for r in results), default=last_mutation_id)
            before = int(self.get_state("pushed_through", "0") or 0)
            self.set_state("pushed_through",
                           str(max(min(before, last_mutation_id), min(last_mutation_id, sent))))
        return refused

    # -- pull side ----------------------------------------------------------
    def apply_pull(self, pull: dict[str, Any]) -> PullSummary:
        pull = {**pull, "orders": [_utc_times(o) for o in pull["orders"]]}
        summary = PullSummary(shop=pull["shop"])
        now = utcnow_iso()
        with self.store.transaction() as conn:
            # Asked before a restore or a move to another shop, heard after: not ours.
            identity.check_generation(conn, self.generation)
            pairing.check_shop(conn, pull["shop"].get("id"))
            known = ledger.known_skus(conn, self._skus_in(pull))
            for product in pull["products"]:
                self._upsert_product(conn, product, now)
                summary.products_changed += 1
            # The pairing pull (no cursor yet) brings the day's history, not news; when it
            # comes in pages, every page up to the one without ``more`` belongs to it.
            pairing_pull = self.cursor() == 0 or self.get_state(pairing.FIRST_PULL_PAGES) == "1"
            previous: dict[str, str | None] = {}
            for order in pull["orders"]:
                existed = conn.execute(
                    "SELECT status FROM orders WHERE id = ?", (order["id"],)
                ).fetchone()
                previous[order["id"]] = existed[0] if existed else None
                self._upsert_order(conn, order, now)
                if existed is None:
                    summary.new_orders.append(order)
                else:
                    summary.changed_order_ids.append(order["id"])
                # Lost while this counter was offline counts too: first seen already gone.
                if existed is None and pairing_pull:
                    continue
                if order["status"] == "cancelled" and previous[order["id"]] != "cancelled":
                    summary.cancelled_orders.append(order)
                if (order["status"] == "rejected" and previous[order["id"]] != "rejected"
                        and order.get("reject_reason") == "timeout"):
                    summary.timed_out_orders.append(order)
            # Kept with the news itself: the banner survives a crash before the window hears.
            lost_orders.record(conn, summary.timed_out_orders, lost_orders.TIMEOUT, now)
            lost_orders.record(conn, summary.cancelled_orders, lost_orders.CANCELLED, now)
            touched = ledger.skus_confirmed_by(conn, pull["last_mutation_id"])
            touched.update(p["sku"] for p in pull["products"])
            pushed = int(self.get_state("pushed_through", "0") or 0)
            summary.confirmed = outbox.drop_confirmed(conn, pull["last_mutation_id"], pushed)
            ledger.record_pull(conn, pull["orders"], previous, known, touched, now)
            self._never_reuse_ids(conn, pull["last_mutation_id"])
            # A server restored from a backup may have forgotten pushes: resend them.
            if pull["last_mutation_id"] < pushed:
                self.set_state("pushed_through", str(pull["last_mutation_id"]))
            self.set_state("cursor", str(pull["cursor"]))
            self.set_state(pairing.FIRST_PULL_PAGES, "1" if pairing_pull and pull.get("more") else None)
            self.set_state("shop", json.dumps(pull["shop"], ensure_ascii=False))
            self.set_state("last_sync_at", now)
            if pull["orders"] and self.on_order_changes is not None:
                self.on_order_changes(
                    conn, [OrderChange(o, previous[o["id"]], pairing_pull)
                           for o in pull["orders"]],
                    pull["shop"])
        return summary

    @staticmethod
    def _never_reuse_ids(conn: sqlite3.Connection, last_mutation_id: int) -> None:
        """Keep new outbox ids above what the server processed for us: a store restored
        from an older backup would otherwise reuse ids the server skips as replays."""
        if conn.execute("UPDATE sqlite_sequence SET seq = ? WHERE name = 'outbox' AND seq < ?",
                        (last_mutation_id, last_mutation_id)).rowcount:
            return
        if last_mutation_id > 0 and conn.execute(
                "SELECT 1 FROM sqlite_sequence WHERE name = 'outbox'").fetchone() is None:
            conn.execute("INSERT INTO sqlite_sequence (name, seq) VALUES ('outbox', ?)",
                         (last_mutation_id,))

    @staticmethod
    def _skus_in(pull: dict[str, Any]) -> set[str]:
        skus = {p["sku"] for p in pull["products"]}
        skus.update(line["sku"] for o in pull["orders"] for line in o["lines"])
        return skus

    @staticmethod
    def _upsert_product(conn: sqlite3.Connection, p: dict[str, Any], now: str) -> None:
        conn.execute(
            "INSERT INTO products (sku, name, price_cents, barcode, category, active, available,"
            " low_stock_threshold) VALUES (:sku, :name, :price_cents, :barcode, :category,"
            " :active, :available, :low_stock_threshold)"
            " ON CONFLICT(sku) DO UPDATE SET name=excluded.name, price_cents=excluded.price_cents,"
            " barcode=excluded.barcode, category=excluded.category, active=excluded.active,"
            " available=excluded.available, low_stock_threshold=excluded.low_stock_threshold",
            p,
        )
        conn.execute(
            "INSERT INTO stock (sku, confirmed_qty, pending_delta, updated_at) VALUES (?, ?, 0, ?)"
            " ON CONFLICT(sku) DO UPDATE SET confirmed_qty = excluded.confirmed_qty,"
            " updated_at = excluded.updated_at",
            (p["sku"], p["stock"], now),
        )

    @staticmethod
    def _upsert_order(conn: sqlite3.Connection, o: dict[str, Any], now: str) -> None:
        row = {k: v for k, v in o.items() if k not in ("lines", "history")}
        row["received_at"] = now
        row.setdefault("respond_by", None)
        conn.execute(
            "INSERT INTO orders (id, number, status, channel, customer_name, customer_phone,"
            " customer_address, note, allergens, total_cents, paid, pickup_slot, ready_by,"
            " respond_by, reject_reason, created_at, updated_at, received_at) VALUES (:id,"
            " :number, :status, :channel, :customer_name, :customer_phone, :customer_address,"
            " :note, :allergens, :total_cents, :paid, :pickup_slot, :ready_by, :respond_by,"
            " :reject_reason, :created_at, :updated_at, :received_at)"
            " ON CONFLICT(id) DO UPDATE SET status=excluded.status, ready_by=excluded.ready_by,"
            " reject_reason=excluded.reject_reason, updated_at=excluded.updated_at,"
            " note=excluded.note, allergens=excluded.allergens, paid=excluded.paid,"
            " pickup_slot=excluded.pickup_slot, total_cents=excluded.total_cents,"
            " respond_by=excluded.respond_by",
            row,
        )
        conn.execute("DELETE FROM order_lines WHERE order_id = ?", (o["id"],))
        conn.executemany(
            "INSERT INTO order_lines (order_id, position, sku, name, qty, unit_price_cents, options)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (o["id"], i, ln["sku"], ln["name"], ln["qty"], ln["unit_price_cents"],
                 json.dumps(ln["options"], ensure_ascii=False))
                for i, ln in enumerate(o["lines"])
            ],
        )
        conn.execute("DELETE FROM order_history WHERE order_id = ?", (o["id"],))
        conn.executemany(
            "INSERT INTO order_history (order_id, seq, status, at, by) VALUES (?, ?, ?, ?, ?)",
            [(o["id"], i, h["status"], h["at"], h["by"]) for i, h in enumerate(o["history"])],
        )
        outbox.rebase(conn, order_ids=[o["id"]], skus=[])


_ORDER_TIMES = ("pickup_slot", "ready_by", "respond_by", "created_at", "updated_at")


def _utc_times(order: dict[str, Any]) -> dict[str, Any]:
    """Times as the store keeps them (UTC, ``Z``): ``+01:00`` would sort wrong as text."""
    return {**order, **{key: to_utc(order.get(key)) for key in _ORDER_TIMES},
            "history": [{**h, "at": to_utc(h.get("at"))} for h in order.get("history", [])]}
