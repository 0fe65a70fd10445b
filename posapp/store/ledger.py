"""The stock ledger's write half: every movement, written in the transaction that causes it.

One row per movement in ``stock_ledger``:

- ``counter``: a ``stock.adjust`` queued at this counter (sale, restock, waste,
  correction, physical count). Written by ``outbox.enqueue`` in the transaction
  that queues the mutation, ``confirmed = 0`` until a pull confirms the
  mutation (``outbox.drop_confirmed``); a refused one is removed (the refusal
  itself stays in ``refused_mutations``); a re-numbered one follows its new id.
- ``online``: an order line taken online (reason ``order``, negative) and its
  return when the order is rejected or cancelled (``order_rejected`` /
  ``order_cancelled``), recorded in the pull's transaction, confirmed.
- ``marketplace``: the rest of what the marketplace confirmed: the opening
  balance the first time a product is seen (``opening``), and movements made
  elsewhere (another counter of the shop, the marketplace's staff; ``sync``).
  The pull carries quantities, not the server's movements, so these are
  differences between the quantity confirmed and the ledger's confirmed sum.

Invariant, per sku: ``stock.confirmed_qty`` = sum of confirmed rows and
``stock.pending_delta`` = sum of unconfirmed rows, so the quantity shown at
the counter is exactly the ledger's sum (``check`` verifies it).

Functions taking a ``conn`` run inside the caller's transaction; this module
is below ``posapp.store.outbox`` and must not import it. What the shop reads
(``posapp.domain.ledger``) sits above.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from posapp.store import identity
from sync.protocol import utcnow_iso

__all__ = [
    "SOURCES",
    "RETURN_REASONS",
    "Discrepancy",
    "check",
    "confirm_through",
    "counter_id",
    "forget_refused",
    "known_skus",
    "record_counter",
    "record_pull",
    "renumber",
    "skus_confirmed_by",
]

SOURCES = ("counter", "online", "marketplace")
RETURN_REASONS = {"rejected": "order_rejected", "cancelled": "order_cancelled"}

_INSERT = (
    "INSERT OR IGNORE INTO stock_ledger (sku, delta, reason, source, counter_id, mutation_id,"
    " order_id, line_no, price_cents, at, confirmed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def counter_id(conn: sqlite3.Connection) -> str:
    """This counter's client id (created here if the engine has not yet done so)."""
    return identity.client_id(conn)


# -- writes (inside the caller's transaction) ------------------------------------------------
def record_counter(conn: sqlite3.Connection, mutation_id: int, args: Mapping[str, Any],
                   at: str) -> None:
    """A ``stock.adjust`` just queued in the outbox: pending until a pull confirms it."""
    price = conn.execute("SELECT price_cents FROM products WHERE sku = ?",
                         (args["sku"],)).fetchone()
    conn.execute(_INSERT, (args["sku"], int(args["delta"]), args["reason"], "counter",
                           counter_id(conn), mutation_id, None, None,
                           price[0] if price else None, at, 0))


def skus_confirmed_by(conn: sqlite3.Connection, last_mutation_id: int) -> set[str]:
    rows = conn.execute("SELECT DISTINCT sku FROM stock_ledger WHERE confirmed = 0"
                        " AND mutation_id <= ?", (last_mutation_id,))
    return {r[0] for r in rows}


def confirm_through(conn: sqlite3.Connection, last_mutation_id: int) -> int:
    cur = conn.execute("UPDATE stock_ledger SET confirmed = 1 WHERE confirmed = 0"
                       " AND mutation_id <= ?", (last_mutation_id,))
    return cur.rowcount


def forget_refused(conn: sqlite3.Connection, mutation_id: int) -> None:
    """A refused counter movement never happened: drop it, wherever it stood.

    It may already be confirmed when its refusal was heard after a pull (the pull
    then balanced it with a marketplace row); the sku is reconciled again so the
    confirmed rows keep adding up to the confirmed quantity.
    """
    gone = conn.execute("DELETE FROM stock_ledger WHERE mutation_id = ? RETURNING sku, confirmed",
                        (mutation_id,)).fetchall()
    confirmed = {sku for sku, was_confirmed in gone if was_confirmed}
    if confirmed:
        _reconcile(conn, confirmed, confirmed, utcnow_iso())


def renumber(conn: sqlite3.Connection, moves: Iterable[tuple[int, int]]) -> None:
    """Counter movements whose mutation got a new id: pending again under it.

    A pull may have confirmed one under its old id (the server had processed
    *another* mutation with that id); those skus are reconciled again.
    """
    reconfirm: set[str] = set()
    for old, new in moves:
        row = conn.execute("SELECT sku, confirmed FROM stock_ledger WHERE mutation_id = ?",
                           (old,)).fetchone()
        if row is None:
            continue
        conn.execute("UPDATE stock_ledger SET mutation_id = ?, confirmed = 0 WHERE mutation_id = ?",
                     (new, old))
        if row[1]:
            reconfirm.add(row[0])
    if reconfirm:
        _reconcile(conn, reconfirm, reconfirm, utcnow_iso())


def known_skus(conn: sqlite3.Connection, skus: Iterable[str]) -> set[str]:
    """Skus already in the catalogue; call before a pull's products are written."""
    rows = conn.execute("SELECT value FROM json_each(?) WHERE value IN (SELECT sku FROM products)",
                        (json.dumps(sorted(set(skus))),))
    return {r[0] for r in rows}


def record_pull(conn: sqlite3.Connection, orders: list[dict[str, Any]],
                previous_status: Mapping[str, str | None], known: set[str],
                touched: Iterable[str], now: str) -> int:
    """Online movements of a pull, then the marketplace's remainder per touched sku.

    ``previous_status``: each order's confirmed status before this pull (None:
    first seen). ``known``: skus in the catalogue before this pull; a product
    seen for the first time gets its whole quantity as an opening balance, so
    orders taken before we knew it are not counted twice. Returns rows written.
    """
    written = 0
    touched_skus = set(touched)
    for order in orders:
        before = previous_status.get(order["id"])
        if before is None:
            for line_no, line in enumerate(order["lines"]):
                if line["sku"] not in known:
                    continue
                touched_skus.add(line["sku"])
                written += conn.execute(_INSERT, (
                    line["sku"], -int(line["qty"]), "order", "online", None, None, order["id"],
                    line_no, line["unit_price_cents"], order["created_at"], 1)).rowcount
        reason = RETURN_REASONS.get(order["status"])
        if reason is not None and before not in RETURN_REASONS:
            # Give back exactly what we recorded as sold (unique per line: never twice).
            rows = conn.execute(
                "INSERT OR IGNORE INTO stock_ledger (sku, delta, reason, source, order_id,"
                " line_no, price_cents, at, confirmed) SELECT sku, -delta, ?, 'online', order_id,"
                " line_no, price_cents, ?, 1 FROM stock_ledger WHERE order_id = ? AND reason = 'order'"
                " RETURNING sku", (reason, order["updated_at"], order["id"])).fetchall()
            written += len(rows)
            touched_skus.update(r[0] for r in rows)
    return written + _reconcile(conn, touched_skus, known, now)


def _reconcile(conn: sqlite3.Connection, skus: set[str], known: set[str], now: str) -> int:
    """Record what the marketplace confirmed that the ledger cannot explain itself."""
    if not skus:
        return 0
    rows = conn.execute(
        "SELECT t.value, COALESCE(s.confirmed_qty, 0) - (SELECT COALESCE(SUM(l.delta), 0)"
        " FROM stock_ledger l WHERE l.sku = t.value AND l.confirmed = 1)"
        " FROM json_each(?) t LEFT JOIN stock s ON s.sku = t.value",
        (json.dumps(sorted(skus)),)).fetchall()
    missing = [(sku, diff, "sync" if sku in known else "opening", "marketplace", None, None, None,
                None, None, now, 1) for sku, diff in rows if diff]
    conn.executemany(_INSERT, missing)
    return len(missing)


# -- the invariant ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Discrepancy:
    sku: str
    confirmed_qty: int
    ledger_confirmed: int
    pending_delta: int
    ledger_pending: int


def check(conn: sqlite3.Connection) -> list[Discrepancy]:
    """Skus whose stock row and ledger disagree (empty when the invariant holds)."""
    rows = conn.execute(
        "SELECT k.sku, COALESCE(s.confirmed_qty, 0), COALESCE(s.pending_delta, 0),"
        " COALESCE(SUM(l.delta) FILTER (WHERE l.confirmed = 1), 0),"
        " COALESCE(SUM(l.delta) FILTER (WHERE l.confirmed = 0), 0)"
        " FROM (SELECT sku FROM stock UNION SELECT sku FROM stock_ledger) k"
        " LEFT JOIN stock s ON s.sku = k.sku LEFT JOIN stock_ledger l ON l.sku = k.sku"
        " GROUP BY k.sku").fetchall()
    return [Discrepancy(sku, cq, lc, pd, lp) for sku, cq, pd, lc, lp in rows
            if cq != lc or pd != lp]
