"""Which marketplace and shop this counter belongs to, and moving to another one.

Pairing writes the marketplace URL, the shop id and its name in one
transaction. Pairing again with the *same* shop (a revoked token) keeps
everything. Moving to another shop or another marketplace starts the shop's
data afresh in that same transaction: cursor, catalogue, stock, ledger and
orders go; a fresh counter identity is taken; and the changes still queued for
the old shop are never pushed to the new one: they move to
``left_behind_mutations``, for the shopkeeper to read and export (CSV).
Print jobs stay: a ticket of the old shop is still a real order.
"""

from __future__ import annotations

import csv
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from posapp.store import identity
from sync.protocol import utcnow_iso
from sync.sqlite_tx import transaction

__all__ = ["Pairing", "PairingChange", "StaleShopAnswer", "adopt", "check_shop", "current",
           "export_left_behind", "is_move"]

_SETTINGS = ("marketplace_url", "shop_id", "shop_name")
# sync_state keys that belong to one shop on one marketplace (client_id: a new identity).
_SHOP_STATE = ("cursor", "pushed_through", "shop", "last_sync_at", "client_id")


class StaleShopAnswer(identity.StaleAnswer):
    """An answer meant for a shop this counter no longer belongs to (a pairing changed)."""


@dataclass(frozen=True)
class Pairing:
    marketplace_url: str | None
    shop_id: str | None
    shop_name: str | None


@dataclass(frozen=True)
class PairingChange:
    previous: Pairing
    moved: bool  # another shop or marketplace: the shop's data started afresh
    left_behind: int  # changes queued for the previous shop, never sent to this one


def _normal_url(url: str | None) -> str | None:
    return url.rstrip("/") if url else url


def current(conn: sqlite3.Connection) -> Pairing:
    rows = dict(conn.execute(
        f"SELECT key, value FROM settings WHERE key IN ({','.join('?' * len(_SETTINGS))})",
        _SETTINGS).fetchall())
    return Pairing(rows.get("marketplace_url"), rows.get("shop_id"), rows.get("shop_name"))


def is_move(conn: sqlite3.Connection, url: str, shop_id: str) -> bool:
    """Would pairing with (url, shop_id) leave the shop this counter belongs to?"""
    before = current(conn)
    return before.shop_id is not None and (
        before.shop_id != shop_id or _normal_url(before.marketplace_url) != _normal_url(url))


def adopt(conn: sqlite3.Connection, url: str, shop_id: str, shop_name: str) -> PairingChange:
    """Belong to (url, shop_id) from now on: one transaction (see the module's doc)."""
    url = _normal_url(url) or ""
    with transaction(conn):
        previous = current(conn)
        moved = is_move(conn, url, shop_id)
        conn.executemany(
            "INSERT INTO settings (key, value) VALUES (?, ?)"
            " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [("marketplace_url", url), ("shop_id", shop_id), ("shop_name", shop_name)])
        left = _start_afresh(conn, previous) if moved else 0
    return PairingChange(previous, moved, left)


def _start_afresh(conn: sqlite3.Connection, previous: Pairing) -> int:
    now = utcnow_iso()
    left = conn.execute(
        "INSERT OR IGNORE INTO left_behind_mutations (id, name, args, at, shop_id,"
        " marketplace_url, left_at) SELECT id, name, args, at, ?, ?, ? FROM"
        " (SELECT id, name, args, at FROM outbox UNION SELECT id, name, args, at"
        "  FROM outbox_unreported) ORDER BY id",
        (previous.shop_id, previous.marketplace_url, now)).rowcount
    for table in ("outbox", "outbox_unreported", "refused_mutations", "stock_ledger", "stock",
                  "products", "order_lines", "order_history", "orders", "lost_orders"):
        conn.execute(f"DELETE FROM {table}")
    conn.execute(f"DELETE FROM sync_state WHERE key IN ({','.join('?' * len(_SHOP_STATE))})",
                 _SHOP_STATE)
    conn.execute("INSERT INTO sync_state (key, value) VALUES ('client_id', ?)",
                 (identity.new_client_id(),))
    identity.new_generation(conn)
    return left


def check_shop(conn: sqlite3.Connection, shop_id: str | None) -> None:
    """Refuse an answer about another shop than the one paired (asked before a move)."""
    paired = current(conn).shop_id
    if paired is not None and shop_id is not None and shop_id != paired:
        raise StaleShopAnswer(f"answer for shop {shop_id}, paired with {paired}: discarded")


def export_left_behind(conn: sqlite3.Connection, path: Path) -> int:
    """Write the changes left behind to a CSV (Excel-friendly: UTF-8 BOM, ';'). Returns rows."""
    rows = conn.execute("SELECT marketplace_url, shop_id, id, at, name, args, left_at"
                        " FROM left_behind_mutations ORDER BY left_at, shop_id, id").fetchall()
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.partial")
    with open(temp, "w", encoding="utf-8-sig", newline="") as handle:
        out = csv.writer(handle, delimiter=";")
        out.writerow(["place de marché", "boutique", "n°", "quand", "changement", "détail",
                      "laissé le"])
        for url, shop, mutation_id, at, name, args, left_at in rows:
            detail = ", ".join(f"{k}={v}" for k, v in json.loads(args).items())
            out.writerow([url, shop, mutation_id, at, name, detail, left_at])
    temp.replace(path)
    return len(rows)
