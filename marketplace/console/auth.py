"""Operator accounts and their server-side sessions.

- Accounts are created by the CLI (``comptoir-marketplace operator add NAME``),
  which prints a generated password once. Only a scrypt hash is stored
  (``hashlib.scrypt``, a standard memory-hard KDF; parameters kept in the hash
  so they can be raised later without breaking old hashes).
- A session is a random token in an HttpOnly, SameSite=Strict cookie; the
  database keeps its SHA-256 and its expiry: an idle limit that slides with
  use and an absolute limit from the login. Logging out, disabling the
  account or resetting its password deletes its sessions.
- The CSRF token of a session is derived from its token (HMAC), so it needs no
  storage and is worthless without the cookie.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from typing import Any

from marketplace import audit
from marketplace.ids import hash_token, new_id
from marketplace.storage import Database, read_tx, write_tx
from sync.protocol import parse_iso, to_iso

__all__ = ["Operator", "hash_password", "verify_password", "add_operator", "reset_password",
           "disable_operator", "list_operators", "check_login", "login_candidate",
           "password_matches", "open_session", "session_of", "close_session", "csrf_token",
           "valid_name", "SESSION_IDLE_S", "SESSION_MAX_S"]

# scrypt's recommended interactive parameters (n=2^14, r=8, p=1: 16 MiB, ~50 ms here).
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2 ** 14, 8, 1
SESSION_IDLE_S = 3600.0          # an unattended console logs itself out after an hour
SESSION_MAX_S = 12 * 3600.0      # and a session never outlives a working day
TOUCH_EVERY_S = 60.0             # how stale a session's last use may be (one write a minute)
_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,39}")
# Verified against when the name is unknown, so a wrong name costs the same time as a
# wrong password (no account discovery by timing).
_DUMMY_HASH: str | None = None


@dataclass(frozen=True)
class Operator:
    id: str
    name: str


def valid_name(name: str) -> bool:
    return _NAME.fullmatch(name) is not None


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R,
                            p=SCRYPT_P, dklen=32)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        if kind != "scrypt":
            return False
        expected = base64.b64decode(digest)
        got = hashlib.scrypt(password.encode("utf-8", "surrogatepass"),
                             salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p),
                             dklen=len(expected))
    except (ValueError, TypeError):  # a damaged hash never lets anyone in
        return False
    return hmac.compare_digest(got, expected)


def _dummy_hash() -> str:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = hash_password(secrets.token_urlsafe(16))
    return _DUMMY_HASH


def new_password() -> str:
    """A generated password, shown once: 20 symbols, ~119 bits."""
    return secrets.token_urlsafe(15)


def add_operator(db: Database, name: str, *, actor: str | None = None) -> str:
    """Create an account; returns its generated password (not kept). ValueError if the name
    is malformed or taken."""
    name = name.strip().lower()
    if not valid_name(name):
        raise ValueError("an operator name is 2-40 of a-z 0-9 . _ - (e.g. claire.martin)")
    password = new_password()
    hashed = hash_password(password)
    with write_tx(db) as tx:
        if tx.row("SELECT 1 AS x FROM operators WHERE name = ?", (name,)) is not None:
            raise ValueError(f"operator {name!r} already exists")
        tx.execute("INSERT INTO operators (id, name, password_hash, created_at)"
                   " VALUES (?, ?, ?, ?)", (new_id("op"), name, hashed, tx.now))
        audit.record(tx, actor, "operator.add", None, operator=name)
    return password


def reset_password(db: Database, name: str, *, actor: str | None = None) -> str:
    """A new generated password for an account (re-enabled if it was disabled); its sessions
    end. KeyError for no such account."""
    password = new_password()
    hashed = hash_password(password)
    with write_tx(db) as tx:
        found = tx.row("SELECT id FROM operators WHERE name = ?", (name,))
        if found is None:
            raise KeyError(f"unknown operator {name!r}")
        tx.execute("UPDATE operators SET password_hash = ?, disabled_at = NULL WHERE id = ?",
                   (hashed, found["id"]))
        tx.execute("DELETE FROM operator_sessions WHERE operator_id = ?", (found["id"],))
        audit.record(tx, actor, "operator.reset_password", None, operator=name)
    return password


def disable_operator(db: Database, name: str, *, actor: str | None = None) -> None:
    """The account can no longer log in; its sessions end now. KeyError for no such account."""
    with write_tx(db) as tx:
        found = tx.row("SELECT id FROM operators WHERE name = ?", (name,))
        if found is None:
            raise KeyError(f"unknown operator {name!r}")
        tx.execute("UPDATE operators SET disabled_at = COALESCE(disabled_at, ?) WHERE id = ?",
                   (tx.now, found["id"]))
        tx.execute("DELETE FROM operator_sessions WHERE operator_id = ?", (found["id"],))
        audit.record(tx, actor, "operator.disable", None, operator=name)


def list_operators(db: Database) -> list[dict[str, Any]]:
    with read_tx(db) as tx:
        return tx.rows("SELECT name, created_at, disabled_at FROM operators ORDER BY name")


def login_candidate(db: Database, name: str) -> tuple[Operator | None, str | None]:
    """The live account of this name and its stored hash; (None, None) for no such account.
    Only a database read: the password is checked apart (``password_matches``), so the slow
    hash does not hold a database worker."""
    with read_tx(db) as tx:
        found = tx.row("SELECT id, name, password_hash FROM operators WHERE name = ?"
                       " AND disabled_at IS NULL", (name.strip().lower(),))
    if found is None:
        return None, None
    return Operator(found["id"], found["name"]), found["password_hash"]


def password_matches(password: str, stored: str | None) -> bool:
    """``verify_password`` against the stored hash, or against a dummy one when there is no
    account: a wrong name costs the same time as a wrong password (no account discovery)."""
    matches = verify_password(password, stored if stored is not None else _dummy_hash())
    return matches and stored is not None


def check_login(db: Database, name: str, password: str) -> Operator | None:
    """The account if the name and password match a live account (constant work either way)."""
    operator, stored = login_candidate(db, name)
    return operator if password_matches(password, stored) else None


def _later(seconds: float, now: dt.datetime | None = None) -> str:
    return to_iso((now or dt.datetime.now(dt.UTC)) + dt.timedelta(seconds=seconds))


def open_session(db: Database, operator: Operator, replaces: str = "") -> str:
    """A new session for the operator; returns its token (the cookie's value). ``replaces``:
    the session this browser had, ended here (a login always starts a fresh session id).
    Expired sessions of everyone are swept here: logins are rare, sessions few."""
    token = secrets.token_urlsafe(32)
    with write_tx(db) as tx:
        tx.execute("DELETE FROM operator_sessions WHERE expires_at <= ?", (tx.now,))
        if replaces:
            tx.execute("DELETE FROM operator_sessions WHERE token_hash = ?",
                       (hash_token(replaces),))
        tx.execute("INSERT INTO operator_sessions (token_hash, operator_id, created_at,"
                   " last_used_at, expires_at) VALUES (?, ?, ?, ?, ?)",
                   (hash_token(token), operator.id, tx.now, tx.now, _later(SESSION_IDLE_S)))
        audit.record(tx, audit.console_actor(operator.name), "operator.login")
    return token


def session_of(db: Database, token: str) -> Operator | None:
    """The operator of a live session (and its idle expiry pushed back); None otherwise."""
    if not token or len(token) > 100:
        return None
    digest = hash_token(token)
    with read_tx(db) as tx:
        found = tx.row("SELECT s.created_at, s.last_used_at, o.id, o.name"
                       " FROM operator_sessions s JOIN operators o ON o.id = s.operator_id"
                       " WHERE s.token_hash = ? AND s.expires_at > ? AND o.disabled_at IS NULL",
                       (digest, tx.now))
    if found is None:
        return None
    now = dt.datetime.now(dt.UTC)
    last = parse_iso(found["last_used_at"])
    if last is None or (now - last).total_seconds() >= TOUCH_EVERY_S:
        created = parse_iso(found["created_at"]) or now
        expires = min(now + dt.timedelta(seconds=SESSION_IDLE_S),
                      created + dt.timedelta(seconds=SESSION_MAX_S))
        with write_tx(db) as tx:
            tx.execute("UPDATE operator_sessions SET last_used_at = ?, expires_at = ?"
                       " WHERE token_hash = ?", (to_iso(now), to_iso(expires), digest))
    return Operator(found["id"], found["name"])


def close_session(db: Database, token: str, operator: Operator | None) -> None:
    with write_tx(db) as tx:
        tx.execute("DELETE FROM operator_sessions WHERE token_hash = ?", (hash_token(token),))
        if operator is not None:
            audit.record(tx, audit.console_actor(operator.name), "operator.logout")


def csrf_token(session_token: str) -> str:
    """The token every form of this session carries (derived: nothing to store)."""
    return hmac.new(session_token.encode("ascii", "replace"), b"console-csrf",
                    hashlib.sha256).hexdigest()
