"""Schema of the shop's store, as registered migrations (sqlite-utils ≥ 4).

Each migration runs atomically with its record in ``_sqlite_migrations``.
Never edit an applied migration: add a new one. A file carrying migrations
this version does not know is refused by ``Store`` (it comes from a newer app).
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from sync.sqlite_tx import run_script

__all__ = ["MIGRATIONS", "rebuild_orders_search"]

MIGRATIONS = Migrations("comptoir.shop")


def _run_script(db: Database, script: str) -> None:
    run_script(db.conn, script)  # one by one: ``executescript`` would COMMIT the migration


@MIGRATIONS(name="0001_initial")
def _initial(db: Database) -> None:
    _run_script(
        db,
        """
        CREATE TABLE products (
            sku TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            price_cents INTEGER NOT NULL,
            barcode TEXT,
            category TEXT,
            active INTEGER NOT NULL DEFAULT 1,
            available INTEGER NOT NULL DEFAULT 1,
            low_stock_threshold INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX products_barcode ON products(barcode);
        CREATE INDEX products_name ON products(name COLLATE NOCASE);

        -- confirmed_qty: what the marketplace last confirmed;
        -- pending_delta: sum of this shop's stock.adjust still in the outbox.
        CREATE TABLE stock (
            sku TEXT PRIMARY KEY,
            confirmed_qty INTEGER NOT NULL DEFAULT 0,
            pending_delta INTEGER NOT NULL DEFAULT 0,
            updated_at TEXT
        );

        CREATE TABLE orders (
            id TEXT PRIMARY KEY,
            number INTEGER NOT NULL,
            status TEXT NOT NULL,            -- confirmed by the marketplace
            pending_status TEXT,             -- set by a mutation still in the outbox
            pending_ready_by TEXT,           -- ready_by of a pending order.accept
            channel TEXT NOT NULL,
            customer_name TEXT NOT NULL DEFAULT '',
            customer_phone TEXT NOT NULL DEFAULT '',
            customer_address TEXT,
            note TEXT NOT NULL DEFAULT '',
            allergens TEXT NOT NULL DEFAULT '',
            total_cents INTEGER NOT NULL,
            paid INTEGER NOT NULL DEFAULT 0,
            pickup_slot TEXT,
            ready_by TEXT,
            reject_reason TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            received_at TEXT NOT NULL,       -- when this shop first saw it
            acknowledged_at TEXT             -- when someone at the counter silenced its alert
        );
        CREATE INDEX orders_status ON orders(status);
        CREATE INDEX orders_created ON orders(created_at);
        CREATE INDEX orders_number ON orders(number);

        CREATE TABLE order_lines (
            order_id TEXT NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            sku TEXT NOT NULL,
            name TEXT NOT NULL,
            qty INTEGER NOT NULL,
            unit_price_cents INTEGER NOT NULL,
            options TEXT NOT NULL DEFAULT '[]',
            PRIMARY KEY (order_id, position)
        );

        CREATE TABLE order_history (
            order_id TEXT NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            status TEXT NOT NULL,
            at TEXT NOT NULL,
            by TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (order_id, seq)
        );

        -- AUTOINCREMENT: a mutation id is never reused, even after its row is dropped.
        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL,
            args TEXT NOT NULL,
            at TEXT NOT NULL,
            order_id TEXT,
            sku TEXT
        );
        CREATE INDEX outbox_order ON outbox(order_id);
        CREATE INDEX outbox_sku ON outbox(sku);

        CREATE TABLE refused_mutations (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            args TEXT NOT NULL,
            at TEXT NOT NULL,
            code TEXT NOT NULL,
            message TEXT NOT NULL,
            refused_at TEXT NOT NULL,
            seen INTEGER NOT NULL DEFAULT 0
        );

        CREATE TABLE sync_state (key TEXT PRIMARY KEY, value TEXT);
        CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT);
        """
    )


@MIGRATIONS(name="0002_print_jobs")
def _print_jobs(db: Database) -> None:
    from printing.journal import ensure_schema  # the print journal owns its DDL

    ensure_schema(db.conn)


@MIGRATIONS(name="0003_stock_ledger")
def _stock_ledger(db: Database) -> None:
    # Every stock movement (see posapp/domain/ledger.py). The opening rows make an
    # existing store satisfy the invariant at once: confirmed rows add up to
    # stock.confirmed_qty, pending rows (one per queued stock.adjust) to pending_delta.
    _run_script(
        db,
        """
        CREATE TABLE stock_ledger (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            sku TEXT NOT NULL,
            delta INTEGER NOT NULL,
            reason TEXT NOT NULL,
            source TEXT NOT NULL,            -- counter | online | marketplace
            counter_id TEXT,                 -- client_id of the counter that made it
            mutation_id INTEGER UNIQUE,      -- its outbox entry (counter movements)
            order_id TEXT,
            line_no INTEGER,
            price_cents INTEGER,             -- unit price at the time
            at TEXT NOT NULL,
            confirmed INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX stock_ledger_sku ON stock_ledger(sku, confirmed, delta);
        CREATE INDEX stock_ledger_at ON stock_ledger(at);
        CREATE INDEX stock_ledger_pending ON stock_ledger(mutation_id) WHERE confirmed = 0;
        CREATE UNIQUE INDEX stock_ledger_order_line
            ON stock_ledger(order_id, line_no, reason) WHERE order_id IS NOT NULL;

        INSERT INTO stock_ledger (sku, delta, reason, source, at, confirmed)
            SELECT sku, confirmed_qty, 'opening', 'marketplace',
                   strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 1
            FROM stock WHERE confirmed_qty != 0;
        INSERT INTO stock_ledger (sku, delta, reason, source, counter_id, mutation_id,
                                  price_cents, at, confirmed)
            SELECT o.sku, json_extract(o.args, '$.delta'), json_extract(o.args, '$.reason'),
                   'counter', (SELECT value FROM sync_state WHERE key = 'client_id'), o.id,
                   (SELECT price_cents FROM products p WHERE p.sku = o.sku), o.at, 0
            FROM outbox o WHERE o.name = 'stock.adjust';
        """,
    )


def _phone_digits_sql(phone: str) -> str:
    """SQL for a phone in national digits: "+33 6 01 02 03 04" and "06.01.02.03.04" → "0601020304".

    Plain SQL (no Python function) so that the triggers work on any connection.
    """
    digits = phone
    for sep in (" ", ".", "-", "+", "(", ")", "/"):
        digits = f"replace({digits}, '{sep}', '')"
    for code in (160, 8239):  # no-break spaces, as pasted from some phones
        digits = f"replace({digits}, char({code}), '')"
    return (
        "(SELECT CASE WHEN d LIKE '0033%' THEN '0' || substr(d, 5)"
        " WHEN d LIKE '330%' AND length(d) = 12 THEN substr(d, 3)"  # +33 (0)6 …
        " WHEN d LIKE '33%' AND length(d) = 11 THEN '0' || substr(d, 3) ELSE d END"
        f" FROM (SELECT {digits} AS d))"
    )


def rebuild_orders_search(db: Database) -> None:
    """Refill the search index from the orders (also the repair for a damaged index)."""
    for table in ("orders_search_name", "orders_search_phone"):
        db.execute(f"INSERT INTO {table}({table}) VALUES ('rebuild')")
        db.execute(f"INSERT INTO {table}({table}) VALUES ('optimize')")


@MIGRATIONS(name="0004_orders_search")
def _orders_search(db: Database) -> None:
    # Two FTS5 indexes keyed by the orders' rowid, kept in sync by triggers:
    # names (accent-insensitive words, prefix indexes so "zo" → "Zoé" stays
    # cheap) and phones (trigrams of the national digits: any fragment of three
    # digits or more, wherever it sits in the number). Their content is the view
    # below, so 'rebuild' can always regenerate them. A later migration that
    # rebuilds the orders table must call rebuild_orders_search (rowids change).
    # Also indexes that let board() read only open and recently changed orders.
    new_phone, old_phone = _phone_digits_sql("new.customer_phone"), _phone_digits_sql(
        "old.customer_phone")
    _run_script(
        db,
        f"""
        CREATE INDEX orders_pending ON orders(pending_status) WHERE pending_status IS NOT NULL;
        CREATE INDEX orders_touched ON orders(max(updated_at, received_at));

        CREATE VIEW orders_search_source AS
            SELECT rowid AS order_rowid, customer_name AS name,
                   {_phone_digits_sql("customer_phone")} AS phone
            FROM orders;
        CREATE VIRTUAL TABLE orders_search_name USING fts5(
            name, content='orders_search_source', content_rowid='order_rowid',
            tokenize='unicode61 remove_diacritics 2', prefix='1 2 3');
        CREATE VIRTUAL TABLE orders_search_phone USING fts5(
            phone, content='orders_search_source', content_rowid='order_rowid',
            tokenize='trigram');

        CREATE TRIGGER orders_search_insert AFTER INSERT ON orders BEGIN
            INSERT INTO orders_search_name(rowid, name) VALUES (new.rowid, new.customer_name);
            INSERT INTO orders_search_phone(rowid, phone) VALUES (new.rowid, {new_phone});
        END;
        CREATE TRIGGER orders_search_delete AFTER DELETE ON orders BEGIN
            INSERT INTO orders_search_name(orders_search_name, rowid, name)
                VALUES ('delete', old.rowid, old.customer_name);
            INSERT INTO orders_search_phone(orders_search_phone, rowid, phone)
                VALUES ('delete', old.rowid, {old_phone});
        END;
        CREATE TRIGGER orders_search_update AFTER UPDATE OF customer_name, customer_phone
        ON orders BEGIN
            INSERT INTO orders_search_name(orders_search_name, rowid, name)
                VALUES ('delete', old.rowid, old.customer_name);
            INSERT INTO orders_search_phone(orders_search_phone, rowid, phone)
                VALUES ('delete', old.rowid, {old_phone});
            INSERT INTO orders_search_name(rowid, name) VALUES (new.rowid, new.customer_name);
            INSERT INTO orders_search_phone(rowid, phone) VALUES (new.rowid, {new_phone});
        END;
        """,
    )
    rebuild_orders_search(db)


@MIGRATIONS(name="0005_outbox_unreported")
def _outbox_unreported(db: Database) -> None:
    # Mutations a pull confirmed as processed before this counter heard their push result:
    # kept (and replayed) until the server's stored result says applied or refused, so a
    # refusal is never swallowed by a pull that raced its push answer.
    _run_script(
        db,
        """
        CREATE TABLE outbox_unreported (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            args TEXT NOT NULL,
            at TEXT NOT NULL,
            order_id TEXT,
            sku TEXT
        );
        """,
    )


@MIGRATIONS(name="0006_pending_available")
def _pending_available(db: Database) -> None:
    # Like orders.pending_status: the availability a product.set_available still in the
    # outbox will set, so a pull of the old value does not flip the counter's toggle back.
    db.execute("ALTER TABLE products ADD COLUMN pending_available INTEGER")


@MIGRATIONS(name="0007_order_respond_by")
def _order_respond_by(db: Database) -> None:
    # The marketplace's deadline for answering a new order (protocol: respond_by), so the
    # board can count down to the automatic refusal. NULL from servers that do not send it.
    db.execute("ALTER TABLE orders ADD COLUMN respond_by TEXT")


@MIGRATIONS(name="0008_utc_times")
def _utc_times(db: Database) -> None:
    # Times are compared as text: one written with an offset ("+01:00") sorts wrong.
    # SQLite's strftime reads the offset and writes UTC; times already in Z are left alone.
    # One pass per table (a million orders: one scan, not five).
    for table, columns in (("orders", ("created_at", "updated_at", "pickup_slot", "ready_by",
                                       "pending_ready_by", "respond_by")),
                           ("order_history", ("at",)), ("stock_ledger", ("at",))):
        utc = {c: f"strftime('%Y-%m-%dT%H:%M:%fZ', {c})" for c in columns}
        offset = {c: f"({c} NOT LIKE '%Z' AND {utc[c]} IS NOT NULL)" for c in columns}
        sets = ", ".join(f"{c} = CASE WHEN {offset[c]} THEN {utc[c]} ELSE {c} END"
                         for c in columns)
        db.execute(f"UPDATE {table} SET {sets} WHERE {' OR '.join(offset.values())}")


@MIGRATIONS(name="0009_left_behind")
def _left_behind(db: Database) -> None:
    # Changes queued for a shop this counter then left (paired with another shop or
    # marketplace): never pushed to the new one, kept here for the shopkeeper to export.
    _run_script(
        db,
        """
        CREATE TABLE left_behind_mutations (
            id INTEGER NOT NULL,
            name TEXT NOT NULL,
            args TEXT NOT NULL,
            at TEXT NOT NULL,
            shop_id TEXT,
            marketplace_url TEXT,
            left_at TEXT NOT NULL,
            PRIMARY KEY (shop_id, id)
        );
        """,
    )


@MIGRATIONS(name="0010_lost_orders")
def _lost_orders(db: Database) -> None:
    # Orders lost without the shop's answer (refused on timeout, cancelled by the
    # customer), written with the pull that brought the news so that a crash before the
    # window heard of it cannot lose the banner; ``seen_at`` when OK was pressed.
    # The unseen ones kept so far in the 'lost_orders_unseen' setting move here.
    _run_script(
        db,
        """
        CREATE TABLE lost_orders (
            order_id TEXT NOT NULL,
            why TEXT NOT NULL,
            number INTEGER,
            customer TEXT NOT NULL DEFAULT '',
            lost_at TEXT NOT NULL,
            seen_at TEXT,
            PRIMARY KEY (order_id, why)
        );
        CREATE INDEX lost_orders_unseen ON lost_orders(lost_at) WHERE seen_at IS NULL;
        INSERT OR IGNORE INTO lost_orders (order_id, why, number, customer, lost_at)
            SELECT json_extract(e.value, '$.id'), json_extract(e.value, '$.why'),
                   json_extract(e.value, '$.number'),
                   COALESCE(json_extract(e.value, '$.customer'), ''),
                   strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
            FROM settings AS s,
                 json_each(CASE WHEN json_valid(s.value) AND json_type(s.value) = 'array'
                           THEN s.value ELSE '[]' END) AS e
            WHERE s.key = 'lost_orders_unseen' AND e.type = 'object'
              AND json_extract(e.value, '$.id') IS NOT NULL
              AND json_extract(e.value, '$.why') IS NOT NULL;
        DELETE FROM settings WHERE key = 'lost_orders_unseen';
        """,
    )


@MIGRATIONS(name="0011_left_behind_status")
def _left_behind_status(db: Database) -> None:
    # ``sent``: the old shop had answered this change's push (applied) or processed it
    # without the counter hearing the result, so it must not be entered again blindly.
    # ``told_at``: when it was exported and the shopkeeper told; a crash between the move
    # and telling leaves it NULL, and the next start-up tells. Rows from before: told.
    _run_script(
        db,
        """
        ALTER TABLE left_behind_mutations ADD COLUMN sent INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE left_behind_mutations ADD COLUMN told_at TEXT;
        UPDATE left_behind_mutations SET told_at = left_at;
        """,
    )


@MIGRATIONS(name="0012_utc_times_again")
def _utc_times_again(db: Database) -> None:
    # 0008 left two spellings that still sort wrong as text: UTC without milliseconds
    # ("…:00Z" sorts after "…:00.500Z") and offsets without a colon ("+0100", which
    # SQLite does not read). Both become "…:00.000Z"; what SQLite cannot read stays.
    for table, columns in (("orders", ("created_at", "updated_at", "pickup_slot", "ready_by",
                                       "pending_ready_by", "respond_by")),
                           ("order_history", ("at",)), ("stock_ledger", ("at",))):
        readable = {c: (f"CASE WHEN {c} GLOB '*T*[+-][0-9][0-9][0-9][0-9]' THEN"
                        f" substr({c}, 1, length({c}) - 2) || ':' || substr({c}, -2)"
                        f" ELSE {c} END") for c in columns}
        utc = {c: f"strftime('%Y-%m-%dT%H:%M:%fZ', {readable[c]})" for c in columns}
        changed = {c: f"({utc[c]} IS NOT NULL AND {utc[c]} != {c})" for c in columns}
        sets = ", ".join(f"{c} = CASE WHEN {changed[c]} THEN {utc[c]} ELSE {c} END"
                         for c in columns)
        db.execute(f"UPDATE {table} SET {sets} WHERE {' OR '.join(changed.values())}")
