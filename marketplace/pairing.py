"""Pairing codes and device tokens that resist guessing, and the operator's hold on them.

- A code is the shop's public tag (4 symbols, unique, on the shop row) and a
  10-symbol secret from a 32-letter alphabet (50 bits; the audit found ~30),
  read aloud as ``TAGX-ABCDE-FGHJK``. Only its SHA-256 is stored; it is single
  use and expires (``DEFAULT_CODE_TTL_S``). The tag names the shop in every
  request, so ``limits.PairingGuard`` counts wrong guesses per client address
  and per shop even though the app never sends ``shop_id``.
- A device token may expire (setting ``device_token_ttl_s``) and is rotated by
  ``POST /v1/devices/self/rotate``: same device row, new secret, the old one
  still accepted for ``ROTATION_GRACE_S`` so requests already in flight do not
  turn into a "pair again". The sync outbox is keyed by (shop, client_id), not
  by token: rotating or re-pairing loses nothing.
- Operators list and revoke devices and pending codes (CLI).
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Callable
from typing import Any

from marketplace import audit
from marketplace.errors import ApiError
from marketplace.ids import hash_token, new_token
from marketplace.storage import Database, Tx, read_tx, write_tx
from sync.protocol import to_iso

__all__ = ["DEFAULT_CODE_TTL_S", "ROTATION_GRACE_S", "CODE_ALPHABET", "new_shop_tag",
           "new_code", "normalize_code", "shop_of_code", "REFUSED", "ALREADY_ROTATED",
           "issue_code", "pair", "rotate_token", "list_devices", "revoke_device_by_id",
           "list_pending_codes", "revoke_code"]

DEFAULT_CODE_TTL_S = 24 * 3600.0
ROTATION_GRACE_S = 120.0
# No I/O/0/1 look-alikes: the code is read aloud and typed at a counter. 32 symbols = 5 bits.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
TAG_LENGTH = 4  # 32^4 ≈ 1 million shops: public, it only routes the guess to its shop
SECRET_LENGTH = 10
REFUSED = ("invalid_pairing_code", "Code d’appairage inconnu, expiré ou déjà utilisé.")


def _symbols(n: int) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(n))


def new_shop_tag(taken: Callable[[str], bool]) -> str:
    """A random tag that ``taken`` does not know (the UNIQUE index is the last word)."""
    for _ in range(100):  # bounded: even with 100,000 shops a draw is free 9 times in 10
        tag = _symbols(TAG_LENGTH)
        if not taken(tag):
            return tag
    raise RuntimeError("no free pairing tag")


def new_code(tag: str) -> str:
    raw = _symbols(SECRET_LENGTH)
    return f"{tag}-{raw[:5]}-{raw[5:]}"


def normalize_code(raw: str) -> str | None:
    """``" tagx abcde-fghjk "`` → ``"TAGXABCDEFGHJK"`` (what is hashed); None when it
    cannot be one. The first ``TAG_LENGTH`` symbols are the shop's tag."""
    compact = re.sub(r"[\s_-]", "", raw).upper()
    if len(compact) != TAG_LENGTH + SECRET_LENGTH or any(c not in CODE_ALPHABET
                                                          for c in compact):
        return None
    return compact


def shop_of_code(db: Database, raw_code: str) -> str | None:
    """The shop whose tag the code starts with; None for a malformed code or unknown tag."""
    compact = normalize_code(raw_code)
    if compact is None:
        return None
    with read_tx(db) as tx:
        row = tx.row("SELECT id FROM shops WHERE pairing_tag = ?", (compact[:TAG_LENGTH],))
    return row["id"] if row else None


def _hash_code(compact: str) -> str:
    return hash_token("pairing:" + compact)


def _later(tx: Tx, seconds: float) -> str:
    return to_iso(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=seconds))


def issue_code(tx: Tx, shop_id: str, ttl_s: float = DEFAULT_CODE_TTL_S) -> str:
    shop = tx.row("SELECT pairing_tag FROM shops WHERE id = ?", (shop_id,))
    if shop is None:
        raise KeyError(f"unknown shop {shop_id!r}")
    code = new_code(shop["pairing_tag"])  # 2^50 secrets: a collision is left to UNIQUE
    tx.execute("INSERT INTO pairing_secrets (code_hash, shop_id, created_at, expires_at)"
               " VALUES (?, ?, ?, ?)",
               (_hash_code(normalize_code(code) or ""), shop_id, tx.now, _later(tx, ttl_s)))
    return code


def pair(db: Database, raw_code: str, device_name: str, shop_id: str | None,
         code_ttl_s: float, token_ttl_s: float | None) -> dict[str, str]:
    """Use a code (once) for a new device token; only the token's hash is kept. A code
    older than ``code_ttl_s`` (the server's setting) is refused even before its own expiry.
    ApiError 404 for a code unknown, expired, used, revoked, or whose tag or issuing shop
    is not ``shop_id`` (when given)."""
    compact = normalize_code(raw_code)
    if compact is None:
        raise ApiError(404, *REFUSED)
    token = new_token()
    with write_tx(db) as tx:
        found = tx.row(
            "SELECT p.id, p.shop_id, s.name FROM pairing_secrets p JOIN shops s ON s.id = p.shop_id"
            " WHERE p.code_hash = ? AND s.pairing_tag = ? AND p.used_at IS NULL"
            " AND p.revoked_at IS NULL AND p.expires_at > ? AND p.created_at > ?",
            (_hash_code(compact), compact[:TAG_LENGTH], tx.now, _later(tx, -code_ttl_s)))
        if found is None or (shop_id is not None and found["shop_id"] != shop_id):
            raise ApiError(404, *REFUSED)
        # Single use under concurrent redemptions too (several server processes, READ
        # COMMITTED): the UPDATE waits for the row lock of a redemption in flight and then
        # re-checks ``used_at`` on what it committed; only one of them claims the code.
        claimed = tx.execute("UPDATE pairing_secrets SET used_at = ? WHERE id = ?"
                             " AND used_at IS NULL AND revoked_at IS NULL",
                             (tx.now, found["id"]))
        if claimed.rowcount != 1:
            raise ApiError(404, *REFUSED)
        # Pairing is the counter's first sign of life: its shop is attended from now on
        # (until it stops polling for longer than the server's unattended delay).
        tx.execute("INSERT INTO devices (token_hash, shop_id, name, created_at, expires_at,"
                   " last_seen_at) VALUES (?, ?, ?, ?, ?, ?)",
                   (hash_token(token), found["shop_id"], device_name, tx.now,
                    _later(tx, token_ttl_s) if token_ttl_s else None, tx.now))
    return {"shop_id": found["shop_id"], "shop_name": found["name"], "device_token": token}


ALREADY_ROTATED = ("token_already_rotated",
                   "Ce jeton vient d’être renouvelé par une autre demande : utilisez le jeton"
                   " qu’elle a reçu (l’ancien reste valable deux minutes).")


def rotate_token(db: Database, token: str, token_ttl_s: float | None) -> dict[str, Any]:
    """A new secret for the caller's device; the old one lives on ``ROTATION_GRACE_S``.

    One rotation per token: the UPDATE matches the token it replaces, so of two
    rotations sent at once (several processes, READ COMMITTED) the second waits for the
    first's row lock, then finds the token already replaced. It is answered 409
    ``token_already_rotated`` (the old token, now the previous one, still works during
    the grace), never a second secret that would silently cut off the first."""
    new = new_token()
    digest = hash_token(token)
    with write_tx(db) as tx:
        expires = _later(tx, token_ttl_s) if token_ttl_s else None
        rotated = tx.row(
            "UPDATE devices SET previous_token_hash = token_hash, previous_valid_until = ?,"
            " token_hash = ?, expires_at = ?, rotated_at = ? WHERE token_hash = ?"
            " AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?) RETURNING shop_id",
            (_later(tx, ROTATION_GRACE_S), hash_token(new), expires, tx.now, digest, tx.now))
        if rotated is not None:
            tx.touch(rotated["shop_id"])  # the old token's life is now the grace (repoll.py)
        if rotated is None:
            if tx.row("SELECT id FROM devices WHERE previous_token_hash = ?"
                      " AND previous_valid_until > ? AND revoked_at IS NULL",
                      (digest, tx.now)) is not None:
                raise ApiError(409, *ALREADY_ROTATED)
            raise ApiError.unauthorized()
    return {"device_token": new, "expires_at": expires}


# -- the operator's view (CLI) -------------------------------------------------------------------

def _require_shop(tx: Tx, shop_id: str) -> None:
    if tx.row("SELECT 1 AS x FROM shops WHERE id = ?", (shop_id,)) is None:
        raise KeyError(f"unknown shop {shop_id!r}")


def list_devices(db: Database, shop_id: str) -> list[dict[str, Any]]:
    with read_tx(db) as tx:
        _require_shop(tx, shop_id)
        return tx.rows("SELECT id, name, created_at, expires_at, rotated_at, revoked_at,"
                       " last_seen_at FROM devices WHERE shop_id = ? ORDER BY id", (shop_id,))


def revoke_device_by_id(db: Database, shop_id: str, device_id: int, *,
                        actor: str | None = None) -> None:
    with write_tx(db) as tx:
        _require_shop(tx, shop_id)
        cursor = tx.execute("UPDATE devices SET revoked_at = ?, previous_token_hash = NULL"
                            " WHERE id = ? AND shop_id = ? AND revoked_at IS NULL",
                            (tx.now, device_id, shop_id))
        if cursor.rowcount != 1:
            raise KeyError(f"no live device {device_id} in shop {shop_id!r}")
        tx.touch(shop_id)  # every server process forgets the device's token now (repoll.py)
        audit.record(tx, actor, "device.revoke", shop_id, device=device_id)


def list_pending_codes(db: Database, shop_id: str) -> list[dict[str, Any]]:
    """Codes still usable (the codes themselves are not kept: only when and until when)."""
    with read_tx(db) as tx:
        _require_shop(tx, shop_id)
        return tx.rows("SELECT id, created_at, expires_at FROM pairing_secrets WHERE shop_id = ?"
                       " AND used_at IS NULL AND revoked_at IS NULL AND expires_at > ?"
                       " ORDER BY id", (shop_id, tx.now))


def revoke_code(db: Database, shop_id: str, code_id: int | None = None, *,
                actor: str | None = None) -> int:
    """Revoke one pending code, or all of a shop's (``code_id`` None); returns how many."""
    with write_tx(db) as tx:
        _require_shop(tx, shop_id)
        cursor = tx.execute(
            "UPDATE pairing_secrets SET revoked_at = ? WHERE shop_id = ? AND used_at IS NULL"
            " AND revoked_at IS NULL AND (? IS NULL OR id = ?)",
            (tx.now, shop_id, code_id, code_id))
        if code_id is not None and cursor.rowcount != 1:
            raise KeyError(f"no pending code {code_id} in shop {shop_id!r}")
        if cursor.rowcount:
            audit.record(tx, actor, "code.revoke", shop_id,
                         **({"code": code_id} if code_id is not None else {"all": cursor.rowcount}))
        return cursor.rowcount
