"""Shops, pairing codes and device tokens (the only credentials the server knows)."""

from __future__ import annotations

import functools
import zoneinfo
from typing import Any

from marketplace import pairing
from marketplace.errors import ApiError
from marketplace.exclusive import only_one
from marketplace.ids import hash_token, new_id
from marketplace.storage import Database, Statement, Tx, prepared, read_tx, write_tx

__all__ = [
    "insert_shop",
    "valid_time_zone",
    "issue_pairing_code",
    "authenticate",
    "revoke_device",
    "authenticate_device",
    "device_of_token",
    "live_device",
    "live_device_query",
    "device_from",
    "record_presence",
    "order_gate",
    "reopen_paused",
    "reopen",
    "set_paused",
    "load_shop",
    "shop_to_wire",
]


# Files of the zone database that are no place's zone: the machine's own zone, the POSIX
# default rules, the "Factory" placeholder and the leap-second and POSIX copies of the tree.
# ZoneInfo loads them, but a browser's Intl refuses them (RangeError): never a shop's zone.
_NOT_A_PLACE = frozenset({"localtime", "posixrules", "Factory"})


@functools.cache
def _known_zones() -> frozenset[str]:
    return frozenset(z for z in zoneinfo.available_timezones()
                     if z not in _NOT_A_PLACE and not z.startswith(("right/", "posix/")))


def valid_time_zone(name: str) -> bool:
    """An IANA zone name this machine knows ("Europe/Paris"); '' means none."""
    return not name or name in _known_zones()


def insert_shop(tx: Tx, name: str, address: str = "", shop_id: str | None = None,
                time_zone: str = "") -> str:
    if not valid_time_zone(time_zone):
        raise ValueError(f"unknown time zone {time_zone!r}")
    shop_id = shop_id or new_id("shop")
    tag = pairing.new_shop_tag(
        lambda t: tx.row("SELECT 1 AS x FROM shops WHERE pairing_tag = ?", (t,)) is not None)
    tx.execute(
        "INSERT INTO shops (id, name, address, paused, time_zone, created_at, version, seq,"
        " pairing_tag) VALUES (?, ?, ?, 0, ?, ?, 0, 0, ?)",
        (shop_id, name, address, time_zone, tx.now, tag),
    )
    # Its own sequence starts here: the shop itself is its first change (version 1).
    tx.execute("UPDATE shops SET version = ? WHERE id = ?", (tx.version(shop_id), shop_id))
    return shop_id


def issue_pairing_code(tx: Tx, shop_id: str) -> str:
    """A fresh single-use, expiring pairing code: the shop's tag and a 50-bit secret
    (pairing.py); KeyError for no shop."""
    return pairing.issue_code(tx, shop_id)


def authenticate(db: Database, token: str) -> str:
    """The shop id a live device token belongs to; ApiError 401 otherwise."""
    return authenticate_device(db, token)[0]


def authenticate_device(db: Database, token: str) -> tuple[str, int]:
    """(shop id, device id) of a live device token; ApiError 401 otherwise."""
    shop_id, device_id, _ = device_of_token(db, token)
    return shop_id, device_id


def device_of_token(db: Database, token: str) -> tuple[str, int, str | None]:
    """(shop id, device id, live until: an ISO time or None) of a live device token;
    ApiError 401 otherwise. Until then, only a write that notifies the shop (a revocation,
    a rotation: ``tx.touch``) can end it (repoll.py remembers it that long)."""
    with read_tx(db) as tx:
        return live_device(tx, token)


def live_device(tx: Tx, token: str) -> tuple[str, int, str | None]:
    """``device_of_token`` inside an open transaction."""
    return device_from(tx.rows(*live_device_query(token, tx.now)))


def live_device_query(token: str, now: str) -> tuple[Statement, tuple[str, ...]]:
    """The statement finding the device whose token is live at ``now`` (``device_from``; a
    woken pull checks it in its own snapshot: one trip to the database, not two)."""
    # A live token: not revoked, not expired, or the previous one within its rotation grace.
    digest = hash_token(token)
    return _LIVE_DEVICE, (digest, digest, now, digest, now)


_LIVE_DEVICE = prepared("SELECT id, shop_id, CASE WHEN token_hash = ? THEN expires_at"
                        " ELSE previous_valid_until END AS live_until"
                        " FROM devices WHERE revoked_at IS NULL AND ("
                        " (token_hash = ? AND (expires_at IS NULL OR expires_at > ?))"
                        " OR (previous_token_hash = ? AND previous_valid_until > ?))")


def device_from(found: list[dict[str, Any]]) -> tuple[str, int, str | None]:
    """(shop, device, live until) of ``live_device_query``'s rows; 401 for none."""
    if not found:
        raise ApiError.unauthorized()
    return str(found[0]["shop_id"]), int(found[0]["id"]), found[0]["live_until"]


def record_presence(db: Database, seen: list[tuple[str, int]]) -> None:
    """Counters were connected: (seen_at, device id) pairs, in one transaction.

    Every process writes what it saw itself; rows are updated in device id order, so two
    processes flushing the same counters never deadlock on each other's row locks."""
    with write_tx(db) as tx:
        tx.executemany("UPDATE devices SET last_seen_at = ? WHERE id = ?"
                       " AND (last_seen_at IS NULL OR last_seen_at < ?)",
                       [(at, device_id, at) for at, device_id in sorted(seen, key=lambda s: s[1])])


def order_gate(db: Database, shop_id: str) -> dict[str, Any] | None:
    """What decides whether a shop takes an order now: {paused, paused_until, last_seen}
    (last_seen: when a live counter of the shop was last connected, None if never);
    None for an unknown shop."""
    with read_tx(db) as tx:
        return tx.row("SELECT s.paused, s.paused_until, MAX(d.last_seen_at) AS last_seen"
                      " FROM shops s LEFT JOIN devices d"
                      " ON d.shop_id = s.id AND d.revoked_at IS NULL"
                      " WHERE s.id = ? GROUP BY s.id", (shop_id,))


def reopen_paused(db: Database, now_iso: str, shop_id: str | None = None) -> list[str]:
    """Reopen shops whose timed pause is over (all: the sweeper, one process at a time on
    PostgreSQL, see exclusive.py; or one); returns the shops reopened."""
    where = "paused = 1 AND paused_until IS NOT NULL AND paused_until <= ?"
    params: tuple[str, ...] = (now_iso,)
    if shop_id is not None:
        where += " AND id = ?"
        params = (now_iso, shop_id)
    with read_tx(db) as tx:  # the common case (nothing to reopen) takes no write lock
        due = [r["id"] for r in tx.rows(f"SELECT id FROM shops WHERE {where}", params)]
    if not due:
        return []
    reopened = []
    with write_tx(db) as tx:
        if shop_id is None and not only_one(tx):
            return []
        for due_id in sorted(due):  # one shop at a time, in one order (storage.py)
            tx.lock_shop(due_id)
            if tx.row(f"SELECT id FROM shops WHERE {where} AND id = ?",
                      (*params, due_id)) is not None:  # still due, read under the lock
                reopen(tx, due_id)
                reopened.append(due_id)
    return reopened


def reopen(tx: Tx, shop_id: str) -> None:
    """End the shop's pause (locked by the caller, who checked it is due)."""
    tx.execute("UPDATE shops SET paused = 0, paused_until = NULL, version = ? WHERE id = ?",
               (tx.version(shop_id), shop_id))


def set_paused(tx: Tx, shop_id: str, paused: bool, until: str | None = None) -> bool:
    """Pause a shop (until ``until``, ISO UTC, or until reopened) or reopen it: the counter's
    ``shop.pause`` and the operator's pause; False for no such shop. The caller wakes the
    shop's long-polls after commit."""
    tx.lock_shop(shop_id)
    if tx.row("SELECT 1 AS x FROM shops WHERE id = ?", (shop_id,)) is None:
        return False
    tx.execute("UPDATE shops SET paused = ?, paused_until = ?, version = ? WHERE id = ?",
               (int(paused), until if paused else None, tx.version(shop_id), shop_id))
    return True


def revoke_device(db: Database, token: str) -> int:
    """Revoke a live device token; its device id."""
    with write_tx(db) as tx:
        row = tx.row("UPDATE devices SET revoked_at = ? WHERE token_hash = ?"
                     " AND revoked_at IS NULL RETURNING id, shop_id", (tx.now, hash_token(token)))
        if row is None:
            raise ApiError.unauthorized()
        tx.touch(row["shop_id"])  # every process forgets the token now (repoll.py)
        return int(row["id"])


def load_shop(tx: Tx, shop_id: str) -> dict[str, Any] | None:
    return tx.row("SELECT * FROM shops WHERE id = ?", (shop_id,))


def shop_to_wire(shop: dict[str, Any]) -> dict[str, Any]:
    return {"id": shop["id"], "name": shop["name"], "paused": bool(shop["paused"]),
            "paused_until": shop.get("paused_until") if shop["paused"] else None,
            "address": shop["address"], "time_zone": shop.get("time_zone") or None}
