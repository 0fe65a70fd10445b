"""Legacy bridge: the SQLite-only sqlite-utils migrations 0001..0009, frozen.

The marketplace's schema is now schema.py (SQLAlchemy) migrated by Alembic
(migrations/). A database created by these migrations (table ``_sqlite_migrations``)
is brought up to 0009 by them, then stamped with Alembic's baseline revision, which
is exactly the schema they leave (schema.migrate does it). Never change them: they
are what existing databases went through. The original design note follows.


Unique constraints carry the guarantees (DESIGN.md: Odoo's duplicates came from
de-duplication without one): one result per (shop, client, mutation id), one
order per (shop, idempotency key), one ledger row per mutation and per order
line and source, so a retried request can never count twice.
"""

from __future__ import annotations

import datetime as dt

from sqlite_utils.migrations import Migrations

from marketplace.ids import hash_token
from marketplace.storage import Database
from sync.protocol import parse_iso, to_iso
from sync.sqlite_tx import run_script, transaction

__all__ = ["MIGRATIONS", "LEGACY_TABLE", "migrate"]

LEGACY_TABLE = "_sqlite_migrations"

MIGRATIONS = Migrations("comptoir-marketplace")

_INITIAL = """
CREATE TABLE change_seq (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    value INTEGER NOT NULL
);
INSERT INTO change_seq (id, value) VALUES (1, 0);

CREATE TABLE shops (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    address TEXT NOT NULL DEFAULT '',
    paused INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1)),
    created_at TEXT NOT NULL,
    version INTEGER NOT NULL
);

CREATE TABLE pairing_codes (
    code TEXT NOT NULL UNIQUE,
    shop_id TEXT NOT NULL REFERENCES shops (id),
    created_at TEXT NOT NULL,
    used_at TEXT
);

CREATE TABLE devices (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash TEXT NOT NULL UNIQUE,          -- SHA-256 of the token, never the token
    shop_id TEXT NOT NULL REFERENCES shops (id),
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);

CREATE TABLE products (
    shop_id TEXT NOT NULL REFERENCES shops (id),
    sku TEXT NOT NULL,
    name TEXT NOT NULL,
    price_cents INTEGER NOT NULL CHECK (price_cents >= 0),
    barcode TEXT,
    category TEXT,
    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    available INTEGER NOT NULL DEFAULT 1 CHECK (available IN (0, 1)),
    low_stock_threshold INTEGER NOT NULL DEFAULT 0,
    stock INTEGER NOT NULL DEFAULT 0,
    version INTEGER NOT NULL,
    PRIMARY KEY (shop_id, sku)
);
CREATE INDEX products_changes ON products (shop_id, version);

CREATE TABLE orders (
    id TEXT PRIMARY KEY,
    shop_id TEXT NOT NULL REFERENCES shops (id),
    number INTEGER NOT NULL,
    status TEXT NOT NULL
        CHECK (status IN ('new', 'accepted', 'ready', 'completed', 'rejected', 'cancelled')),
    channel TEXT NOT NULL CHECK (channel IN ('collect', 'delivery')),
    customer_name TEXT NOT NULL,
    customer_phone TEXT NOT NULL,
    customer_address TEXT,
    note TEXT NOT NULL DEFAULT '',
    allergens TEXT NOT NULL DEFAULT '',
    paid INTEGER NOT NULL DEFAULT 0,
    pickup_slot TEXT,
    ready_by TEXT,
    reject_reason TEXT,
    total_cents INTEGER NOT NULL,
    idempotency_key TEXT,
    request_hash TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL,
    UNIQUE (shop_id, number),
    UNIQUE (shop_id, idempotency_key)
);
CREATE INDEX orders_changes ON orders (shop_id, version);
CREATE INDEX orders_waiting ON orders (status, created_at);

CREATE TABLE order_lines (
    order_id TEXT NOT NULL REFERENCES orders (id),
    line_no INTEGER NOT NULL,
    sku TEXT NOT NULL,
    name TEXT NOT NULL,
    qty INTEGER NOT NULL CHECK (qty >= 1),
    unit_price_cents INTEGER NOT NULL,
    options TEXT NOT NULL DEFAULT '[]',       -- JSON list of strings
    PRIMARY KEY (order_id, line_no)
);

CREATE TABLE order_history (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id TEXT NOT NULL REFERENCES orders (id),
    status TEXT NOT NULL,
    at TEXT NOT NULL,
    actor TEXT NOT NULL CHECK (actor IN ('customer', 'shop', 'marketplace')),
    reason TEXT
);
CREATE INDEX order_history_order ON order_history (order_id, id);

CREATE TABLE client_state (
    shop_id TEXT NOT NULL REFERENCES shops (id),
    client_id TEXT NOT NULL,
    last_mutation_id INTEGER NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (shop_id, client_id)
);

CREATE TABLE mutation_results (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    shop_id TEXT NOT NULL REFERENCES shops (id),
    client_id TEXT NOT NULL,
    mutation_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('applied', 'refused')),
    error_code TEXT,
    error_message TEXT,
    client_at TEXT,
    applied_at TEXT NOT NULL,
    UNIQUE (shop_id, client_id, mutation_id)
);

CREATE TABLE stock_movements (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    shop_id TEXT NOT NULL REFERENCES shops (id),
    sku TEXT NOT NULL,
    delta INTEGER NOT NULL CHECK (delta != 0),
    reason TEXT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('counter', 'online', 'cancel', 'reject', 'catalogue')),
    client_id TEXT,
    mutation_id INTEGER,
    order_id TEXT REFERENCES orders (id),
    line_no INTEGER,
    at TEXT NOT NULL
);
CREATE UNIQUE INDEX stock_movements_mutation
    ON stock_movements (shop_id, client_id, mutation_id) WHERE mutation_id IS NOT NULL;
CREATE UNIQUE INDEX stock_movements_order_line
    ON stock_movements (order_id, line_no, source) WHERE order_id IS NOT NULL;
CREATE INDEX stock_movements_sku ON stock_movements (shop_id, sku, id);
"""


@MIGRATIONS(name="0001_initial")
def _initial(db: Database) -> None:
    run_script(db.conn, _INITIAL)


@MIGRATIONS(name="0002_mutation_digest")
def _mutation_digest(db: Database) -> None:
    # What each processed mutation was (name, canonical args, time): a "replay" whose
    # digest differs is another mutation under a reused id, never answered "applied".
    # Rows processed before this migration have none and are answered as before.
    db.execute("ALTER TABLE mutation_results ADD COLUMN digest TEXT")


_PRESENCE_AND_TIMED_PAUSE = """
ALTER TABLE devices ADD COLUMN last_seen_at TEXT;
CREATE INDEX devices_shop ON devices (shop_id, last_seen_at);
ALTER TABLE shops ADD COLUMN paused_until TEXT;
ALTER TABLE shops ADD COLUMN time_zone TEXT NOT NULL DEFAULT '';
CREATE INDEX shops_paused_until ON shops (paused_until) WHERE paused_until IS NOT NULL;
"""


@MIGRATIONS(name="0003_device_presence_and_timed_pause")
def _presence_and_timed_pause(db: Database) -> None:
    """Presence: when each counter last long-polled (a shop nobody watches takes no orders).
    Timed pause: the moment a paused shop reopens by itself. Time zone: the one the
    marketplace suggests to the counters ('' = none)."""
    run_script(db.conn, _PRESENCE_AND_TIMED_PAUSE)


@MIGRATIONS(name="0004_order_payment_reference")
def _order_payment_reference(db: Database) -> None:
    # Who confirmed the payment (the payment service's reference); set only by a signed
    # notification (payments.py), never by the customer.
    db.execute("ALTER TABLE orders ADD COLUMN payment_ref TEXT")


@MIGRATIONS(name="0005_order_customer_secret_and_key")
def _order_customer_secret_and_key(db: Database) -> None:
    # customer_access.py: the secret that reads or cancels an order (an id alone no longer
    # does), and the customer (phone digits) the per-customer caps count by.
    db.execute("ALTER TABLE orders ADD COLUMN customer_secret TEXT")
    db.execute("ALTER TABLE orders ADD COLUMN customer_key TEXT")
    db.execute("CREATE INDEX orders_customer ON orders (shop_id, customer_key, status)")


_PAIRING_SECRETS = """
CREATE TABLE pairing_secrets (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    code_hash TEXT NOT NULL UNIQUE,           -- SHA-256 of the code, never the code
    shop_id TEXT NOT NULL REFERENCES shops (id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT,
    revoked_at TEXT
);
CREATE INDEX pairing_secrets_shop ON pairing_secrets (shop_id, id);
ALTER TABLE devices ADD COLUMN expires_at TEXT;
ALTER TABLE devices ADD COLUMN rotated_at TEXT;
ALTER TABLE devices ADD COLUMN previous_token_hash TEXT;
ALTER TABLE devices ADD COLUMN previous_valid_until TEXT;
CREATE INDEX devices_previous_token ON devices (previous_token_hash)
    WHERE previous_token_hash IS NOT NULL;
"""


@MIGRATIONS(name="0006_pairing_secrets_and_token_expiry")
def _pairing_secrets_and_token_expiry(db: Database) -> None:
    # pairing.py: codes stored hashed with their own expiry (plaintext pairing_codes goes,
    # its unused codes carried over hashed, valid 24 h from issue); device tokens that can
    # expire and be rotated with a grace period for the previous one.
    run_script(db.conn, _PAIRING_SECRETS)
    for code, shop_id, created_at in db.execute(
            "SELECT code, shop_id, created_at FROM pairing_codes WHERE used_at IS NULL").fetchall():
        created = parse_iso(created_at)
        if created is None:
            continue
        db.execute("INSERT OR IGNORE INTO pairing_secrets (code_hash, shop_id, created_at,"
                   " expires_at) VALUES (?, ?, ?, ?)",
                   (hash_token("pairing:" + code.replace("-", "")), shop_id, created_at,
                    to_iso(created + dt.timedelta(days=1))))
    db.execute("DROP TABLE pairing_codes")


@MIGRATIONS(name="0007_shop_pairing_tag")
def _shop_pairing_tag(db: Database) -> None:
    # pairing.py: a code starts with its shop's public tag, so wrong guesses always count
    # against that shop. Existing shops get a tag; their pending (untagged) codes can no
    # longer be read and are revoked: the operator issues new ones.
    from marketplace.pairing import new_shop_tag

    db.execute("ALTER TABLE shops ADD COLUMN pairing_tag TEXT")
    db.execute("CREATE UNIQUE INDEX shops_pairing_tag ON shops (pairing_tag)")
    for (shop_id,) in db.execute("SELECT id FROM shops").fetchall():
        taken = {row[0] for row in db.execute("SELECT pairing_tag FROM shops").fetchall()}
        db.execute("UPDATE shops SET pairing_tag = ? WHERE id = ?",
                   (new_shop_tag(taken.__contains__), shop_id))
    db.execute("UPDATE pairing_secrets SET revoked_at = ? WHERE used_at IS NULL"
               " AND revoked_at IS NULL", (to_iso(dt.datetime.now(dt.UTC)),))


@MIGRATIONS(name="0008_shop_opening_hours")
def _shop_opening_hours(db: Database) -> None:
    # opening_hours.py: the hours the storefront offers pickup slots from, as JSON text in the
    # shop's time zone ('' = none given: orders "as soon as possible" only, as before).
    db.execute("ALTER TABLE shops ADD COLUMN opening_hours TEXT NOT NULL DEFAULT ''")


_OPERATOR_CONSOLE = """
CREATE TABLE operators (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,              -- scrypt$n$r$p$salt$hash, never the password
    created_at TEXT NOT NULL,
    disabled_at TEXT
);
CREATE TABLE operator_sessions (
    token_hash TEXT PRIMARY KEY,              -- SHA-256 of the cookie's token, never the token
    operator_id TEXT NOT NULL REFERENCES operators (id),
    created_at TEXT NOT NULL,
    last_used_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX operator_sessions_expiry ON operator_sessions (expires_at);
CREATE TABLE audit_log (
    id TEXT PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    shop_id TEXT,
    detail TEXT NOT NULL DEFAULT '{}'         -- JSON object
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_shop ON audit_log (shop_id, at);
CREATE INDEX orders_created ON orders (created_at);
CREATE INDEX orders_shop_created ON orders (shop_id, created_at);
CREATE INDEX order_history_steps ON order_history (order_id, status, at);
"""


@MIGRATIONS(name="0009_operator_console")
def _operator_console(db: Database) -> None:
    # marketplace/console/: operator accounts (scrypt hashes), their server-side sessions
    # (hashed tokens, expiry), the audit log of operator actions (console and CLI), and the
    # indexes the KPIs read orders and their steps by (per period, overall and per shop).
    # Portable SQL (text ids: no AUTOINCREMENT), so the same statements run on PostgreSQL.
    run_script(db.conn, _OPERATOR_CONSOLE)


def migrate(db: Database, stop_before: str | None = None) -> None:
    """Apply pending legacy migrations (inside the caller's transaction if one is open:
    each migration then runs in a savepoint of it). ``stop_before``: tests building an
    old database."""
    if not MIGRATIONS.pending(db):
        return
    with transaction(db.conn):
        MIGRATIONS.apply(db, stop_before=stop_before)
