"""Shops, pairing codes and device tokens (the only credentials the server knows)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlite_utils import Database

from marketplace.errors import ApiError
from marketplace.ids import hash_token, new_id, new_pairing_code, new_token, normalize_pairing_code
from marketplace.storage import Tx, read_tx, write_tx
from sync.protocol import parse_iso

__all__ = [
    "insert_shop",
    "issue_pairing_code",
    "pair",
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
    if tx.row("SELECT 1 AS x FROM shops WHERE id = ?", (shop_id,)) is None:
        raise KeyError(f"unknown shop {shop_id!r}")
    while True:  # 24^4 * 8^4 codes: a collision is rare, but the UNIQUE constraint decides
        code = new_pairing_code()
        if tx.row("SELECT 1 AS x FROM pairing_codes WHERE code = ?", (code,)) is None:
            break
    tx.execute("INSERT INTO pairing_codes (code, shop_id, created_at) VALUES (?, ?, ?)",
               (code, shop_id, tx.now))
    return code


def pair(db: Database, raw_code: str, device_name: str, code_ttl_s: float) -> dict[str, str]:
    """Use a pairing code (once) for a new device token; the token is returned, only its hash kept."""
    refused = ApiError(400, "invalid_pairing_code",
                       "Code d'association inconnu, expiré ou déjà utilisé.")
    code = normalize_pairing_code(raw_code)
    if code is None:
        raise refused
    token = new_token()
    with write_tx(db) as tx:
        found = tx.row("SELECT p.shop_id, p.created_at, s.name FROM pairing_codes p"
                       " JOIN shops s ON s.id = p.shop_id WHERE p.code = ? AND p.used_at IS NULL",
                       (code,))
        created = parse_iso(found["created_at"]) if found else None
        if found is None or created is None or (
            dt.datetime.now(dt.UTC) - created
        ).total_seconds() > code_ttl_s:
            raise refused
        tx.execute("UPDATE pairing_codes SET used_at = ? WHERE code = ?", (tx.now, code))
        tx.execute("INSERT INTO devices (token_hash, shop_id, name, created_at) VALUES (?, ?, ?, ?)",
                   (hash_token(token), found["shop_id"], device_name, tx.now))
    return {"shop_id": found["shop_id"], "shop_name": found["name"], "device_token": token}


def authenticate(db: Database, token: str) -> str:
    """The shop id a live device token belongs to; ApiError 401 otherwise."""
    with read_tx(db) as tx:
        found = tx.row("SELECT shop_id FROM devices WHERE token_hash = ? AND revoked_at IS NULL",
                       (hash_token(token),))
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
