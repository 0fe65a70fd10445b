"""Orders at the counter: what the board shows and what the shopkeeper decides.

Decisions (accept, reject, ready, collected) are written as outbox mutations
with their optimistic effect in one transaction; the marketplace confirms or
refuses them later. Reads return plain dicts with the *shown* status:
the pending one when a decision is still on its way, else the confirmed one.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import sqlite3
from dataclasses import dataclass
from typing import Any

from posapp.store import lost_orders, outbox
from posapp.store.db import Store
from posapp.store.shop_time import day_start
from sync.messages import CoreMessage
from sync.protocol import MutationError, order_transition_allowed, to_iso, utcnow_iso

__all__ = ["OrdersService", "BOARD_COLUMNS", "InvalidAction", "SearchQuery", "parse_search"]

log = logging.getLogger(__name__)

# Board column → shown statuses.
BOARD_COLUMNS: dict[str, tuple[str, ...]] = {
    "new": ("new",),
    "preparing": ("accepted",),
    "ready": ("ready",),
    "done": ("completed", "rejected", "cancelled"),
}

_ORDER_COLUMNS = (
    "o.id, o.number, o.status AS confirmed_status, COALESCE(o.pending_status, o.status) AS status,"
    " o.pending_status IS NOT NULL AS pending, o.channel, o.customer_name, o.customer_phone,"
    " o.customer_address, o.note, o.allergens, o.total_cents, o.paid, o.pickup_slot,"
    " COALESCE(o.pending_ready_by, o.ready_by) AS ready_by, o.reject_reason, o.created_at,"
    " o.updated_at, o.received_at, o.acknowledged_at, o.respond_by,"
    " (SELECT COALESCE(SUM(qty), 0) FROM order_lines l WHERE l.order_id = o.id) AS item_count"
)


class InvalidAction(ValueError):
    """A decision that makes no sense for the order as the counter sees it."""


class OrdersService:
    def __init__(self, store: Store):
        self.store = store

    # -- reads ---------------------------------------------------------------
    def board(self, *, since: str | None = None) -> dict[str, list[dict[str, Any]]]:
        """Open orders by column, plus orders finished since ``since`` (default: the start
        of the shop's day, in its time zone)."""
        since = since or day_start(self.store.conn)
        # The candidates come from three index lookups (open confirmed statuses,
        # decisions in flight, changed since) rather than a scan of every order
        # ever received; the outer WHERE is the exact rule.
        rows = self.store.query(
            f"SELECT {_ORDER_COLUMNS} FROM orders o"
            " WHERE o.rowid IN (SELECT rowid FROM orders WHERE status IN ('new', 'accepted', 'ready')"
            "   UNION ALL SELECT rowid FROM orders WHERE pending_status IS NOT NULL"
            "   UNION ALL SELECT rowid FROM orders WHERE max(updated_at, received_at) >= :since)"
            " AND (COALESCE(o.pending_status, o.status) IN ('new', 'accepted', 'ready')"
            "      OR max(o.updated_at, o.received_at) >= :since)"
            " ORDER BY o.created_at",
            {"since": since},
        )
        board: dict[str, list[dict[str, Any]]] = {col: [] for col in BOARD_COLUMNS}
        for row in rows:
            for col, statuses in BOARD_COLUMNS.items():
                if row["status"] in statuses:
                    board[col].append(row)
        return board

    def get(self, order_id: str) -> dict[str, Any] | None:
        order = self.store.query_one(
            f"SELECT {_ORDER_COLUMNS} FROM orders o WHERE o.id = ?", (order_id,)
        )
        if order is None:
            return None
        order["lines"] = [
            {**line, "options": json.loads(line["options"])}
            for line in self.store.query(
                "SELECT sku, name, qty, unit_price_cents, options FROM order_lines"
                " WHERE order_id = ? ORDER BY position",
                (order_id,),
            )
        ]
        order["history"] = self.store.query(
            "SELECT status, at, by FROM order_history WHERE order_id = ? ORDER BY seq", (order_id,)
        )
        return order

    def unacknowledged(self) -> list[dict[str, Any]]:
        # Only orders shown as new qualify: look them up by status instead of a full scan.
        return self.store.query(
            f"SELECT {_ORDER_COLUMNS} FROM orders o"
            " WHERE o.rowid IN (SELECT rowid FROM orders WHERE status = 'new'"
            "   UNION ALL SELECT rowid FROM orders WHERE pending_status IS NOT NULL)"
            " AND o.acknowledged_at IS NULL"
            " AND COALESCE(o.pending_status, o.status) = 'new' ORDER BY o.created_at"
        )

    def refused_unseen(self) -> list[dict[str, Any]]:
        return self.store.query(
            "SELECT id, name, args, code, message, refused_at FROM refused_mutations"
            " WHERE seen = 0 ORDER BY id"
        )

    def mark_refusals_seen(self) -> None:
        with self.store.transaction() as conn:
            conn.execute("UPDATE refused_mutations SET seen = 1 WHERE seen = 0")

    def lost_unseen(self) -> list[dict[str, Any]]:
        """Orders lost without the shop's answer that nobody acknowledged yet:
        dicts with ``id``, ``why`` ("timeout" or "cancelled"), ``number``, ``customer``."""
        return lost_orders.unseen(self.store.conn)

    def acknowledge_lost(self, keys: list[tuple[str, str]]) -> None:
        """OK pressed on the banner listing these (order id, why)."""
        with self.store.transaction() as conn:
            lost_orders.acknowledge(conn, keys, utcnow_iso())

    # -- decisions -------------------------------------------------------------
    def acknowledge(self, order_id: str) -> None:
        """Someone at the counter has seen this order: its alert stops."""
        with self.store.transaction() as conn:
            conn.execute(
                "UPDATE orders SET acknowledged_at = ? WHERE id = ? AND acknowledged_at IS NULL",
                (utcnow_iso(), order_id),
            )

    def acknowledge_all(self) -> None:
        with self.store.transaction() as conn:
            # Only new orders ring; finding them through the status index, not a full scan.
            conn.execute(
                "UPDATE orders SET acknowledged_at = ? WHERE status = 'new'"
                " AND acknowledged_at IS NULL",
                (utcnow_iso(),),
            )

    def accept(self, order_id: str, ready_in_minutes: int | None = None,
               ready_by: dt.datetime | None = None) -> int:
        if ready_by is None:
            ready_by = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=ready_in_minutes or 15)
        return self._decide(order_id, "order.accept", "accepted", {"ready_by": to_iso(ready_by)})

    def reject(self, order_id: str, reason: str) -> int:
        return self._decide(order_id, "order.reject", "rejected", {"reason": reason})

    def mark_ready(self, order_id: str) -> int:
        return self._decide(order_id, "order.ready", "ready", {})

    def mark_collected(self, order_id: str) -> int:
        return self._decide(order_id, "order.collected", "completed", {})

    def _decide(self, order_id: str, name: str, target: str, args: dict[str, Any]) -> int:
        with self.store.transaction() as conn:
            row = conn.execute(
                "SELECT COALESCE(pending_status, status) FROM orders WHERE id = ?", (order_id,)
            ).fetchone()
            if row is None:
                raise InvalidAction(CoreMessage("order.unknown", "Commande inconnue : {order_id}",
                                                order_id=order_id))
            if not order_transition_allowed(row[0], target):
                # A code the UI translates, with the statuses it shows as labels.
                raise InvalidAction(CoreMessage(
                    "order.transition", "Impossible de passer de « {current} » à « {target} ».",
                    current=row[0], target=target))
            try:
                mutation_id = outbox.enqueue(conn, name, {"order_id": order_id, **args})
            except MutationError as exc:
                # The protocol's own check (English, for logs): the UI words it by its code.
                raise InvalidAction(CoreMessage(f"refusal.{exc.code}", "{m}", m=exc.message)) from exc
            conn.execute(
                "UPDATE orders SET acknowledged_at = COALESCE(acknowledged_at, ?) WHERE id = ?",
                (utcnow_iso(), order_id),
            )
        return mutation_id

    # -- history tab ---------------------------------------------------------------------
    def search(self, text: str = "", limit: int = 50) -> list[dict[str, Any]]:
        """Past and current orders by number, customer name or phone; newest first.

        Name words match accent-insensitively by prefix ("zo" → Zoé); three digits
        or more match anywhere in the phone, whichever way it was written; a
        number alone also finds that order number, listed first. Uses the FTS
        indexes of migration 0004, so it stays fast with millions of orders.
        """
        text = text.strip()
        conn = self.store.conn
        if not text:
            return self._rows_in_order([r[0] for r in conn.execute(
                "SELECT rowid FROM orders ORDER BY created_at DESC LIMIT ?", (limit,))])
        query = parse_search(text)
        rowids: list[int] = []
        if query.number is not None:
            rowids += [r[0] for r in conn.execute(
                "SELECT rowid FROM orders WHERE number = ?", (query.number,))]
        if query.words or query.phone:
            try:
                rowids += self._text_matches(query)
            except sqlite3.OperationalError:  # odd input the FTS syntax rejects: no match
                log.warning("search %r not understood by the index", text, exc_info=True)
        if not rowids:
            return []
        return self._rows_in_order([r[0] for r in conn.execute(
            "SELECT rowid FROM orders WHERE rowid IN (SELECT value FROM json_each(?))"
            " ORDER BY number IS ? DESC, created_at DESC LIMIT ?",
            (json.dumps(rowids), query.number, limit))])

    def _text_matches(self, query: SearchQuery) -> list[int]:
        """Rowids of the newest orders matching the words and the phone fragment.

        Ranked by rowid (arrival order, which FTS5 walks backwards lazily) up to
        a cap, then sorted by date: sorting every match of "ma" by date would
        read a fifth of the orders.
        """
        names = ("SELECT rowid FROM orders_search_name WHERE orders_search_name MATCH ?"
                 " ORDER BY rowid DESC LIMIT ?")
        phones = ("SELECT rowid FROM orders_search_phone WHERE orders_search_phone MATCH ?"
                  " ORDER BY rowid DESC LIMIT ?")
        name_match = " AND ".join('"' + w.replace('"', '""') + '"*' for w in query.words)
        phone_match = '"' + query.phone + '"'
        conn = self.store.conn
        if not query.phone:
            return [r[0] for r in conn.execute(names, (name_match, _SEARCH_CANDIDATES))]
        if not query.words:
            return [r[0] for r in conn.execute(phones, (phone_match, _SEARCH_CANDIDATES))]
        # Name and phone live in two FTS tables: intersect their newest matches.
        # Above the lower of the two windows' ends both lists are complete, so
        # the intersection there is exact; a mixed query narrower than that is rare.
        window = _MIXED_WINDOW
        by_name = [r[0] for r in conn.execute(names, (name_match, window))]
        by_phone = [r[0] for r in conn.execute(phones, (phone_match, window))]
        floor = max(lst[-1] if len(lst) == window else 0 for lst in (by_name, by_phone))
        phone_set = set(by_phone)
        return [r for r in by_name if r >= floor and r in phone_set][:_SEARCH_CANDIDATES]

    def _rows_in_order(self, rowids: list[int]) -> list[dict[str, Any]]:
        # Full columns (and line counts) only for the rows shown, in the given order.
        rows = self.store.query(
            f"SELECT o.rowid AS _rowid, {_ORDER_COLUMNS} FROM orders o"
            " WHERE o.rowid IN (SELECT value FROM json_each(?))", (json.dumps(rowids),))
        position = {rowid: i for i, rowid in enumerate(rowids)}
        rows.sort(key=lambda row: position[row["_rowid"]])
        for row in rows:
            del row["_rowid"]
        return rows


_SEARCH_CANDIDATES = 1000  # newest matches sorted by date (all of them when fewer)
_MIXED_WINDOW = 20_000  # per index, for a query with both words and digits
_PHONE_WORD = re.compile(r"^[\d+.\-()/]+$")
# Order numbers never start with 0; "06…" is the start of a phone.
_NUMBER = re.compile(r"^(?:#|n[°º]|no\.?|num[ée]ro)?\s*([1-9]\d{0,8})$", re.IGNORECASE)
_INTERNATIONAL = re.compile(r"^(?:\+|00)33(?:\(0\))?")


@dataclass(frozen=True)
class SearchQuery:
    number: int | None  # an order number to look up exactly
    words: tuple[str, ...]  # name words, matched by prefix
    phone: str  # national digits of a phone fragment; "" when under 3 digits


def parse_search(text: str) -> SearchQuery:
    """Split what was typed in the history search into number, name words and phone digits."""
    text = text.strip()
    number_match = _NUMBER.match(text)
    number = int(number_match.group(1)) if number_match else None
    if number_match and not text[:1].isdigit():
        return SearchQuery(number, (), "")  # "#12", "n° 12": only that order
    words, phone_parts = [], []
    for word in text.split():
        if _PHONE_WORD.match(word) and any(ch.isdigit() for ch in word):
            phone_parts.append(word)
        elif any(ch.isalnum() for ch in word):
            words.append(word)
    compact = "".join(phone_parts)
    international = _INTERNATIONAL.match(compact)
    if international:  # "+33 6 01" is typed for a number stored as "06 01 …"
        compact = "0" + compact[international.end():]
    digits = "".join(ch for ch in compact if ch.isdigit())
    return SearchQuery(number, tuple(words), digits if len(digits) >= 3 else "")
