"""Shops, pairing codes and device tokens (the only credentials the server knows)."""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database

from marketplace import pairing
from marketplace.errors import ApiError
from marketplace.ids import hash_token, new_id
from marketplace.storage import Tx, read_tx, write_tx

__all__ = [
    "insert_shop",
    "issue_pairing_code",
    "authenticate",
    "revoke_device",
    "load_shop",
    "shop_to_wire",
]


def insert_shop(tx: Tx, name: str, address: str = "", shop_id: str | None = None) -> str:
    shop_id = shop_id or new_id("shop")
    tx.execute(
        "INSERT INTO shops (id, name, address, paused, created_at, version) VALUES (?, ?, ?, 0, ?, ?)",
        (shop_id, name, address, tx.now, tx.version()),
    )
    return shop_id


def issue_pairing_code(tx: Tx, shop_id: str) -> str:
    """A fresh single-use, expiring 50-bit pairing code (pairing.py); KeyError for no shop."""
    return pairing.issue_code(tx, shop_id)


def authenticate(db: Database, token: str) -> str:
    """The shop id a live device token belongs to; ApiError 401 otherwise."""
    with read_tx(db) as tx:
        # A live token: not revoked, not expired, or the previous one within its rotation grace.
        digest = hash_token(token)
        found = tx.row("SELECT shop_id FROM devices WHERE revoked_at IS NULL AND ("
                       " (token_hash = ? AND (expires_at IS NULL OR expires_at > ?))"
                       " OR (previous_token_hash = ? AND previous_valid_until > ?))",
                       (digest, tx.now, digest, tx.now))
    if found is None:
        raise ApiError.unauthorized()
    return str(found["shop_id"])


def revoke_device(db: Database, token: str) -> None:
    with write_tx(db) as tx:
        cursor = tx.execute("UPDATE devices SET revoked_at = ? WHERE token_hash = ?"
                            " AND revoked_at IS NULL", (tx.now, hash_token(token)))
        if cursor.rowcount != 1:
            raise ApiError.unauthorized()


def load_shop(tx: Tx, shop_id: str) -> dict[str, Any] | None:
    return tx.row("SELECT * FROM shops WHERE id = ?", (shop_id,))


def shop_to_wire(shop: dict[str, Any]) -> dict[str, Any]:
    return {"id": shop["id"], "name": shop["name"], "paused": bool(shop["paused"]),
            "address": shop["address"]}
