"""The outbox: the shop's changes the marketplace has not confirmed yet.

A change at the counter is written here in the same transaction as its
optimistic local effect (pending stock delta, pending order status), so the
counter sees it at once and a crash can never keep one without the other.
Entries leave the outbox only when the marketplace confirmed them (a pull
whose ``last_mutation_id`` covers them) or refused them (moved to
``refused_mutations`` for the shopkeeper to read).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from typing import Any

from posapp.store import ledger
from posapp.store.shop_time import to_utc
from sync.protocol import MUTATIONS, Mutation, utcnow_iso, validate_mutation

__all__ = ["enqueue", "pending", "pending_count", "drop_confirmed", "record_refusals", "rebase",
           "renumber_from", "is_pending", "ID_REUSED"]

# The server's answer to an id it already processed for another mutation (docs/PROTOCOL.md).
ID_REUSED = "mutation_id_reused"


def enqueue(conn: sqlite3.Connection, name: str, args: dict[str, Any]) -> int:
    """Queue a mutation and apply its optimistic effect; call inside a transaction."""
    validate_mutation(name, args)
    if "ready_by" in args:  # stored and compared as text: UTC only
        args = {**args, "ready_by": to_utc(args["ready_by"])}
    order_id = args.get("order_id")
    sku = args.get("sku")
    at = utcnow_iso()
    cur = conn.execute(
        "INSERT INTO outbox (name, args, at, order_id, sku) VALUES (?, ?, ?, ?, ?)",
        (name, json.dumps(args, ensure_ascii=False), at, order_id, sku),
    )
    mutation_id = int(cur.lastrowid or 0)
    if name == "stock.adjust":  # the one place every stock movement of this counter passes
        ledger.record_counter(conn, mutation_id, args, at)
    rebase(conn, order_ids=[order_id] if order_id else [], skus=[sku] if sku else [])
    return mutation_id


def pending(conn: sqlite3.Connection, *, after: int = 0, limit: int = 500) -> list[Mutation]:
    """What to push: unsent entries, plus those whose result this counter never heard
    (replayed: the server answers a replay with the result it stored)."""
    rows = conn.execute(
        "SELECT id, name, args, at FROM outbox_unreported"
        " UNION ALL SELECT id, name, args, at FROM outbox WHERE id > ?"
        " ORDER BY id LIMIT ?", (after, limit)
    ).fetchall()
    return [Mutation(id=r[0], name=r[1], args=json.loads(r[2]), at=r[3]) for r in rows]


def pending_count(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT count(*) FROM outbox").fetchone()[0])


def _affected(conn: sqlite3.Connection, where: str, params: tuple) -> tuple[list[str], list[str]]:
    rows = conn.execute(f"SELECT DISTINCT order_id, sku FROM outbox WHERE {where}", params).fetchall()
    return [r[0] for r in rows if r[0]], [r[1] for r in rows if r[1]]


def drop_confirmed(conn: sqlite3.Connection, last_mutation_id: int, pushed_through: int) -> int:
    """Forget mutations the marketplace processed; call in the pull's transaction.

    Those past ``pushed_through`` were processed but their push answer has not been
    recorded yet (it may be a refusal): they wait in ``outbox_unreported`` for it.
    """
    conn.execute(
        "INSERT OR IGNORE INTO outbox_unreported (id, name, args, at, order_id, sku)"
        " SELECT id, name, args, at, order_id, sku FROM outbox WHERE id > ? AND id <= ?",
        (pushed_through, last_mutation_id),
    )
    order_ids, skus = _affected(conn, "id <= ?", (last_mutation_id,))
    cur = conn.execute("DELETE FROM outbox WHERE id <= ?", (last_mutation_id,))
    ledger.confirm_through(conn, last_mutation_id)
    rebase(conn, order_ids=order_ids, skus=skus)
    return cur.rowcount


def record_refusals(conn: sqlite3.Connection, refusals: Iterable[dict[str, Any]]) -> list[dict]:
    """Move refused mutations out of the outbox, keeping them for the shopkeeper to read."""
    moved: list[dict] = []
    now = utcnow_iso()
    for refusal in refusals:
        row = conn.execute(
            "SELECT id, name, args, at, order_id, sku FROM outbox WHERE id = ?"
            " UNION ALL SELECT id, name, args, at, order_id, sku FROM outbox_unreported"
            " WHERE id = ?", (refusal["id"], refusal["id"])
        ).fetchone()
        if row is None:
            continue  # already handled (a replayed answer)
        conn.execute("DELETE FROM outbox_unreported WHERE id = ?", (row[0],))
        conn.execute(
            "INSERT OR REPLACE INTO refused_mutations (id, name, args, at, code, message, refused_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (row[0], row[1], row[2], row[3], refusal["code"], refusal["message"], now),
        )
        conn.execute("DELETE FROM outbox WHERE id = ?", (row[0],))
        ledger.forget_refused(conn, row[0])  # it never happened; refused_mutations keeps it
        rebase(conn, order_ids=[row[4]] if row[4] else [], skus=[row[5]] if row[5] else [])
        moved.append({"id": row[0], "name": row[1], "args": json.loads(row[2]),
                      "code": refusal["code"], "message": refusal["message"]})
    return moved


def is_pending(conn: sqlite3.Connection, mutation_id: int) -> bool:
    return conn.execute("SELECT 1 FROM outbox WHERE id = ? UNION ALL"
                        " SELECT 1 FROM outbox_unreported WHERE id = ?",
                        (mutation_id, mutation_id)).fetchone() is not None


def renumber_from(conn: sqlite3.Connection, first_id: int, above: int) -> list[tuple[int, int]]:
    """Give every pending mutation from ``first_id`` on a new id above ``above``, in order.

    For ids the server already processed as other mutations (``ID_REUSED``): a counter
    restored from an older backup numbers its new changes from the backup's last id.
    They wait in the outbox again, pending, under ids the server has never seen; those
    a pull had moved to ``outbox_unreported`` (thinking the server had them) come back.
    Returns the (old, new) ids.
    """
    rows = conn.execute(
        "SELECT id, name, args, at, order_id, sku FROM outbox WHERE id >= ?"
        " UNION SELECT id, name, args, at, order_id, sku FROM outbox_unreported WHERE id >= ?"
        " ORDER BY id", (first_id, first_id)).fetchall()
    if not rows:
        return []
    (highest,) = conn.execute(
        "SELECT max(?, COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'outbox'), 0),"
        " COALESCE((SELECT max(id) FROM outbox), 0),"
        " COALESCE((SELECT max(id) FROM outbox_unreported), 0))", (above,)).fetchone()
    conn.execute("DELETE FROM outbox WHERE id >= ?", (first_id,))
    conn.execute("DELETE FROM outbox_unreported WHERE id >= ?", (first_id,))
    moves = [(row[0], highest + i) for i, row in enumerate(rows, 1)]
    conn.executemany(
        "INSERT INTO outbox (id, name, args, at, order_id, sku) VALUES (?, ?, ?, ?, ?, ?)",
        [(new, *row[1:]) for (_, new), row in zip(moves, rows, strict=True)])
    ledger.renumber(conn, moves)
    rebase(conn, order_ids={r[4] for r in rows if r[4]}, skus={r[5] for r in rows if r[5]})
    return moves


def rebase(conn: sqlite3.Connection, *, order_ids: Iterable[str], skus: Iterable[str]) -> None:
    """Recompute what the counter sees: confirmed state + what is still pending."""
    for sku in set(skus):
        toggle = conn.execute(
            "SELECT args FROM outbox WHERE sku = ? AND name = 'product.set_available'"
            " ORDER BY id DESC LIMIT 1", (sku,)).fetchone()
        conn.execute("UPDATE products SET pending_available = ? WHERE sku = ?",
                     (int(json.loads(toggle[0])["available"]) if toggle else None, sku))
        total = 0
        for (args,) in conn.execute(
            "SELECT args FROM outbox WHERE sku = ? AND name = 'stock.adjust'", (sku,)
        ):
            total += int(json.loads(args)["delta"])
        conn.execute(
            "INSERT INTO stock (sku, confirmed_qty, pending_delta) VALUES (?, 0, ?)"
            " ON CONFLICT(sku) DO UPDATE SET pending_delta = excluded.pending_delta",
            (sku, total),
        )
    order_names = tuple(n for n, (target, _) in MUTATIONS.items() if target)
    marks = ",".join("?" * len(order_names))
    for order_id in set(order_ids):
        row = conn.execute(
            f"SELECT name, args FROM outbox WHERE order_id = ? AND name IN ({marks})"
            " ORDER BY id DESC LIMIT 1",
            (order_id, *order_names),
        ).fetchone()
        status = MUTATIONS[row[0]][0] if row else None
        accept = conn.execute(
            "SELECT args FROM outbox WHERE order_id = ? AND name = 'order.accept'"
            " ORDER BY id DESC LIMIT 1",
            (order_id,),
        ).fetchone()
        ready_by = json.loads(accept[0])["ready_by"] if accept else None
        conn.execute(
            "UPDATE orders SET pending_status = ?, pending_ready_by = ? WHERE id = ?",
            (status, ready_by, order_id),
        )
