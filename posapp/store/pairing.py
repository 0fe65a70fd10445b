"""Which marketplace and shop this counter belongs to, and moving to another one.

Pairing writes the marketplace URL, the shop id and its name in one
transaction. Pairing again with the *same* shop (a revoked token) keeps
everything. Moving to another shop or another marketplace starts the shop's
data afresh in that same transaction: cursor, catalogue, stock, ledger and
orders go; a fresh counter identity is taken; and the changes still queued for
the old shop are never pushed to the new one: they move to
``left_behind_mutations``, for the shopkeeper to read and export (CSV). Each
says whether it was never sent, or sent (the old shop answered "applied", or
processed it without this counter hearing the result): one of those must not
be entered again blindly. ``told_at`` stays empty until the rows are exported
and the shopkeeper told (``untold``, ``mark_told``), so a crash in between is
caught up at the next start-up. Print jobs stay: a ticket of the old shop is
still a real order.
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

__all__ = ["LeftBehind", "Pairing", "PairingChange", "StaleShopAnswer", "adopt", "check_shop",
           "current", "export_left_behind", "is_move", "keep_dropped", "mark_told", "pending",
           "untold"]

_SETTINGS = ("marketplace_url", "shop_id", "shop_name")
FIRST_PULL_PAGES = "first_pull_in_progress"  # sync_state: the pairing pull has more pages
# sync_state keys that belong to one shop on one marketplace (client_id: a new identity).
_SHOP_STATE = ("cursor", "pushed_through", "shop", "last_sync_at", "client_id",
               FIRST_PULL_PAGES)


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
    left_sent: int = 0  # of those, already sent to the previous shop (result not confirmed)


@dataclass(frozen=True)
class LeftBehind:
    """Left-behind changes the shopkeeper has not been told about yet."""
    unsent: int  # never sent to their shop: to enter again there
    sent: int  # sent, result not confirmed by a pull: check there before entering again

    @property
    def total(self) -> int:
        return self.unsent + self.sent


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


def adopt(conn: sqlite3.Connection, url: str, shop_id: str, shop_name: str, *,
          sent_unknown: bool = False) -> PairingChange:
    """Belong to (url, shop_id) from now on: one transaction (see the module's doc).

    ``sent_unknown``: the store is a restored backup, whose changes may have been sent
    after it was taken; each is marked sent, to be checked before it is entered again.
    """
    url = _normal_url(url) or ""
    with transaction(conn):
        previous = current(conn)
        moved = is_move(conn, url, shop_id)
        conn.executemany(
            "INSERT INTO settings (key, value) VALUES (?, ?)"
            " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [("marketplace_url", url), ("shop_id", shop_id), ("shop_name", shop_name)])
        left, sent = _start_afresh(conn, previous, sent_unknown) if moved else (0, 0)
    return PairingChange(previous, moved, left, sent)


PendingRow = tuple[int, str, str, str, int]  # id, name, args, at, sent


def pending(conn: sqlite3.Connection) -> list[PendingRow]:
    """The changes not yet confirmed by the shop, each with ``sent`` (see the module's doc).

    In the outbox up to pushed_through: the shop answered "applied" (a pull had not
    confirmed it yet). In outbox_unreported: processed there, the result never heard.
    """
    row = conn.execute("SELECT value FROM sync_state WHERE key = 'pushed_through'").fetchone()
    pushed = int(row[0] or 0) if row else 0
    return [tuple(r) for r in conn.execute(  # type: ignore[misc]
        "SELECT id, name, args, at, id <= ? FROM outbox UNION ALL"
        " SELECT id, name, args, at, 1 FROM outbox_unreported ORDER BY 1", (pushed,))]


def _leave(conn: sqlite3.Connection, rows: list[PendingRow], previous: Pairing,
           now: str) -> None:
    conn.executemany(
        "INSERT OR IGNORE INTO left_behind_mutations (id, name, args, at, shop_id,"
        " marketplace_url, left_at, sent) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [(i, name, args, at, previous.shop_id, previous.marketplace_url, now, sent)
         for i, name, args, at, sent in rows])


def keep_dropped(conn: sqlite3.Connection, before: list[PendingRow], paired: Pairing) -> int:
    """After a restore: the changes pending before it that the restored store does not
    hold any more are left behind (for ``paired``, the shop they were meant for)."""
    with transaction(conn):
        same_shop = not is_move(conn, paired.marketplace_url or "", paired.shop_id or "")
        kept = {r[:4] for r in pending(conn)} if same_shop else set()
        dropped = [r for r in before if r[:4] not in kept]
        _leave(conn, dropped, paired, utcnow_iso())
    return len(dropped)


def _start_afresh(conn: sqlite3.Connection, previous: Pairing,
                  sent_unknown: bool) -> tuple[int, int]:
    now = utcnow_iso()
    rows = pending(conn)
    _leave(conn, [(*r[:4], 1) for r in rows] if sent_unknown else rows, previous, now)
    left, sent = conn.execute(
        "SELECT count(*), COALESCE(sum(sent), 0) FROM left_behind_mutations WHERE left_at = ?"
        " AND shop_id IS ?", (now, previous.shop_id)).fetchone()
    for table in ("outbox", "outbox_unreported", "refused_mutations", "stock_ledger", "stock",
                  "products", "order_lines", "order_history", "orders", "lost_orders"):
        conn.execute(f"DELETE FROM {table}")
    conn.execute(f"DELETE FROM sync_state WHERE key IN ({','.join('?' * len(_SHOP_STATE))})",
                 _SHOP_STATE)
    conn.execute("INSERT INTO sync_state (key, value) VALUES ('client_id', ?)",
                 (identity.new_client_id(),))
    identity.new_generation(conn)
    return int(left), int(sent)


def check_shop(conn: sqlite3.Connection, shop_id: str | None) -> None:
    """Refuse an answer about another shop than the one paired (asked before a move)."""
    paired = current(conn).shop_id
    if paired is not None and shop_id is not None and shop_id != paired:
        raise StaleShopAnswer(f"answer for shop {shop_id}, paired with {paired}: discarded")


_SENT_LABELS = {0: "jamais envoyé : à saisir de nouveau",
                1: "envoyé, résultat non confirmé : vérifier avant de saisir de nouveau"}


def export_left_behind(conn: sqlite3.Connection, path: Path) -> int:
    """Write the changes left behind to a CSV (Excel-friendly: UTF-8 BOM, ';'). Returns rows."""
    rows = conn.execute("SELECT marketplace_url, shop_id, id, at, name, args, sent, left_at"
                        " FROM left_behind_mutations ORDER BY left_at, shop_id, id").fetchall()
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.partial")
    with open(temp, "w", encoding="utf-8-sig", newline="") as handle:
        out = csv.writer(handle, delimiter=";")
        out.writerow(["place de marché", "boutique", "n°", "quand", "changement", "détail",
                      "envoyé ?", "laissé le"])
        for url, shop, mutation_id, at, name, args, sent, left_at in rows:
            detail = ", ".join(f"{k}={v}" for k, v in json.loads(args).items())
            out.writerow([url, shop, mutation_id, at, name, detail, _SENT_LABELS[int(sent)],
                          left_at])
    temp.replace(path)
    return len(rows)


def untold(conn: sqlite3.Connection) -> LeftBehind:
    """Left-behind changes not yet exported and told (e.g. a crash right after a move)."""
    total, sent = conn.execute("SELECT count(*), COALESCE(sum(sent), 0) FROM"
                               " left_behind_mutations WHERE told_at IS NULL").fetchone()
    return LeftBehind(int(total) - int(sent), int(sent))


def mark_told(conn: sqlite3.Connection) -> None:
    """The shopkeeper was told (and the CSV written): start-up need not tell again."""
    with transaction(conn):
        conn.execute("UPDATE left_behind_mutations SET told_at = ? WHERE told_at IS NULL",
                     (utcnow_iso(),))
