"""Fewer trips to the database (marketplace/storage.py): several statements in one round
trip (``Tx.batch``), a read's COMMIT sent with its last statements, and the hot paths'
statements planned once per connection (``Prepared``), on both backends."""

from __future__ import annotations

import contextlib

import psycopg
import pytest

from marketplace import admin, orders
from marketplace.listener import listen_conninfo
from marketplace.orders import OrderLineRequest, OrderRequest
from marketplace.pull import read_pull
from marketplace.storage import (
    Prepared,
    Store,
    connect,
    open_database,
    prepared,
    read_tx,
    unavailable,
    write_tx,
)


@pytest.fixture
def shop_db(database):
    with contextlib.closing(open_database(database)) as db:
        shop_id, _code = admin.create_shop(db, "Épicerie des tests")
        yield db, shop_id


def _seq(db, shop_id: str) -> int:
    with read_tx(db) as tx:
        return int(tx.row("SELECT seq FROM shops WHERE id = ?", (shop_id,))["seq"])


def test_prepared_numbers_its_placeholders_outside_literals_and_comments():
    statement = Prepared("SELECT * FROM t WHERE a = ? AND b LIKE '5%?' AND c = 'it''s ?'"
                         " AND d > ? -- why?\n LIMIT ?")
    assert statement.arity == 3
    assert statement.prepare == (
        f"PREPARE {statement.name} AS SELECT * FROM t WHERE a = $1 AND b LIKE '5%?'"
        " AND c = 'it''s ?' AND d > $2 -- why?\n LIMIT $3")
    assert prepared(statement.sql) is prepared(statement.sql)  # one object per text
    assert Prepared("SELECT 1 % 2").prepare.endswith("AS SELECT 1 % 2")
    assert Prepared("SELECT 1").arity == 0
    assert Prepared("SELECT 1").name != Prepared("SELECT 2").name


def test_a_batch_answers_each_statement_in_order(shop_db):
    db, shop_id = shop_db
    before = _seq(db, shop_id)
    with write_tx(db) as tx:
        named, written, numbers = tx.batch([
            (prepared("SELECT name FROM shops WHERE id = ?"), (shop_id,)),
            ("UPDATE shops SET name = ? WHERE id = ?", ("Épicerie renommée", shop_id)),
            ("SELECT 1 AS n UNION ALL SELECT 2 ORDER BY n", ()),
        ], version_of=shop_id)
        assert named == [{"name": "Épicerie des tests"}]
        assert written == []
        assert numbers == [{"n": 1}, {"n": 2}]
        # The version taken with the batch is the transaction's one, taken once.
        assert tx.version(shop_id) == before + 1
        assert tx.touched_shops == {shop_id}
        assert tx.row("SELECT name FROM shops WHERE id = ?", (shop_id,))["name"] == \
            "Épicerie renommée"
    assert _seq(db, shop_id) == before + 1


def test_a_failed_batch_rolls_the_transaction_back(shop_db):
    db, shop_id = shop_db
    before = _seq(db, shop_id)
    with pytest.raises(Exception), write_tx(db) as tx:  # noqa: B017 - each backend its own
        tx.batch([("UPDATE shops SET name = ? WHERE id = ?", ("Perdu", shop_id)),
                  ("SELECT * FROM no_such_table", ())], version_of=shop_id)
    with read_tx(db) as tx:
        assert tx.row("SELECT name FROM shops WHERE id = ?", (shop_id,))["name"] == \
            "Épicerie des tests"
    assert _seq(db, shop_id) == before


def test_a_read_s_last_batch_commits_and_nothing_may_follow(shop_db):
    db, shop_id = shop_db
    with read_tx(db) as tx:
        (shop,) = tx.batch([(prepared("SELECT id FROM shops WHERE id = ?"), (shop_id,))],
                           last=True)
        assert shop == [{"id": shop_id}]
        with pytest.raises(RuntimeError, match="after batch"):
            tx.row("SELECT 1 AS x")
    if db.is_postgresql:
        assert db.conn.info.transaction_status == 0  # idle: committed with the batch
    with write_tx(db) as tx, pytest.raises(RuntimeError, match="write transaction"):
        tx.batch([("SELECT 1 AS x", ())], last=True)


def test_a_replayed_order_changes_nothing_not_even_the_shop_s_sequence(shop_db):
    db, shop_id = shop_db
    with write_tx(db) as tx:
        tx.execute("INSERT INTO products (shop_id, sku, name, price_cents, stock, version)"
                   " VALUES (?, 'PAIN', 'Pain', 120, 10, ?)", (shop_id, tx.version(shop_id)))
    request = OrderRequest("Zoé", "0601020304", None, "collect", (OrderLineRequest("PAIN", 1),),
                           idempotency_key="clé-1", request_hash="h1")
    first, created = orders.place_order(db, shop_id, request)
    assert created
    after_first = _seq(db, shop_id)
    again, created = orders.place_order(db, shop_id, request)
    assert not created
    assert again == first  # the same order, secret included
    assert _seq(db, shop_id) == after_first  # a pull's cursor does not move for a replay
    with read_tx(db) as tx:
        assert tx.row("SELECT stock FROM products WHERE shop_id = ?", (shop_id,))["stock"] == 9


def _prepared_here(db) -> set[str]:
    return {r[0] for r in db.conn.execute("SELECT name FROM pg_prepared_statements")}


def test_postgresql_prepares_a_statement_once_per_connection(pg_database):
    statement = prepared("SELECT id FROM shops WHERE id = ?")
    with contextlib.closing(open_database(pg_database)) as db:
        shop_id, _code = admin.create_shop(db, "Épicerie préparée")
        for _ in range(3):
            with read_tx(db) as tx:
                assert tx.row(statement, (shop_id,)) == {"id": shop_id}
        assert statement.name in _prepared_here(db)
    with contextlib.closing(connect(pg_database)) as other:  # another connection: its own
        assert statement.name not in _prepared_here(other)
        with read_tx(other) as tx:
            assert tx.row(statement, (shop_id,)) == {"id": shop_id}


def test_a_trip_that_failed_after_its_prepare_does_not_break_the_connection(pg_database):
    """PREPARE outlives a rollback: a trip that prepared, then failed, must not make the
    next one PREPARE the same name again ("already exists") and fail forever."""
    statement = prepared("SELECT CAST(? AS integer) + 1 AS n")
    with contextlib.closing(connect(pg_database)) as db:
        with pytest.raises(psycopg.errors.DivisionByZero), read_tx(db) as tx:
            tx.batch([(statement, (1,)), ("SELECT 1 / 0", ())])
        assert statement.name in _prepared_here(db)  # it ran before the error
        for _ in range(2):
            with read_tx(db) as tx:
                assert tx.row(statement, (41,)) == {"n": 42}


def test_a_column_added_by_another_process_s_migration_breaks_no_prepared_statement(
        pg_database):
    """The hot paths' statements name their columns (schema.columns), never ``*``: a column
    that another process's migration adds does not change what they return, so PostgreSQL
    keeps their plans ("cached plan must not change result type" would be a failed
    order)."""
    store = Store(pg_database, pool_size=1, max_overflow=0)
    try:
        with contextlib.closing(open_database(pg_database)) as db:
            shop_id, _code = admin.create_shop(db, "Épicerie migrée")
            with write_tx(db) as tx:
                tx.execute("INSERT INTO products (shop_id, sku, name, price_cents, stock,"
                           " version) VALUES (?, 'PAIN', 'Pain', 120, 10, ?)",
                           (shop_id, tx.version(shop_id)))

        def order(i: int) -> None:
            store.run(orders.place_order, shop_id, OrderRequest(
                "Zoé", f"060102030{i}", None, "collect", (OrderLineRequest("PAIN", 1),),
                idempotency_key=f"k{i}", request_hash="h"))

        order(1)
        assert len(store.run(read_pull, shop_id, 0, "c", 600.0, 100, None).body["orders"]) == 1
        with psycopg.connect(listen_conninfo(pg_database), autocommit=True) as ddl:
            for table in ("shops", "orders", "order_lines", "order_history", "products"):
                ddl.execute(f"ALTER TABLE {table} ADD COLUMN migrated_extra integer")
        order(2)
        order(1)  # a replay reads the order back
        body = store.run(read_pull, shop_id, 0, "c", 600.0, 100, None).body
        assert [o["number"] for o in body["orders"]] == [1, 2]
    finally:
        store.close()


def test_a_plan_made_stale_by_a_migration_is_a_retryable_error_then_works(pg_database):
    """A column's type changed under a prepared statement (another process migrated):
    PostgreSQL refuses the old plan once, whatever the language of its messages; the
    request is answered 503 (retry) and the next run prepares the statement again."""
    statement = prepared("SELECT id, name FROM shops WHERE id = ?")
    store = Store(pg_database, pool_size=1, max_overflow=0)
    try:
        with contextlib.closing(open_database(pg_database)) as db:
            shop_id, _code = admin.create_shop(db, "Épicerie migrée")

        def read(db):
            with read_tx(db) as tx:
                return tx.row(statement, (shop_id,))

        assert store.run(read)["name"] == "Épicerie migrée"
        with psycopg.connect(listen_conninfo(pg_database), autocommit=True) as ddl:
            ddl.execute("ALTER TABLE shops ALTER COLUMN name TYPE varchar(500)")
        with pytest.raises(psycopg.errors.FeatureNotSupported) as refused:
            store.run(read)
        assert unavailable(refused.value)
        assert store.run(read)["name"] == "Épicerie migrée"
    finally:
        store.close()


def test_a_savepoint_rolls_back_a_failed_trip_of_prepared_statements(pg_database):
    """After a failed trip that used prepared statements, the savepoint's ROLLBACK TO runs
    first (a DEALLOCATE or PREPARE would be refused in the failed transaction and replace
    the error): the error that goes on is the original one, and the transaction lives on."""
    statement = prepared("SELECT CAST(? AS integer) + 1 AS n")
    with contextlib.closing(open_database(pg_database)) as db:
        shop_id, _code = admin.create_shop(db, "Épicerie sauvée")
        with write_tx(db) as tx:
            with pytest.raises(psycopg.errors.DivisionByZero), tx.savepoint():
                tx.batch([(statement, (1,)), ("SELECT 1 / 0", ())])
            assert tx.row(statement, (41,)) == {"n": 42}
            tx.execute("UPDATE shops SET name = ? WHERE id = ?", ("Sauvée", shop_id))
        with read_tx(db) as tx:
            assert tx.row("SELECT name FROM shops WHERE id = ?", (shop_id,))["name"] == "Sauvée"


class _CountingConnection:
    """A psycopg connection that counts the queries sent (each one round trip)."""

    def __init__(self, conn):
        self._conn = conn
        self.sent: list[str] = []

    def execute(self, query, *args, **kwargs):
        self.sent.append(str(query))
        return self._conn.execute(query, *args, **kwargs)

    def __getattr__(self, name):
        return getattr(self._conn, name)


def test_an_order_is_three_round_trips_and_its_delivery_one(pg_database):
    with contextlib.closing(open_database(pg_database)) as db:
        shop_id, _code = admin.create_shop(db, "Épicerie comptée")
        with write_tx(db) as tx:
            tx.execute("INSERT INTO products (shop_id, sku, name, price_cents, stock, version)"
                       " VALUES (?, 'PAIN', 'Pain', 120, 10, ?), (?, 'CAFE', 'Café', 90, 10, ?)",
                       (shop_id, tx.version(shop_id), shop_id, tx.version(shop_id)))
        cursor = read_pull(db, shop_id, 0, "c").body["cursor"]
        counting = db.conn = _CountingConnection(db.conn)
        request = OrderRequest("Zoé", "0601020304", None, "collect",
                               (OrderLineRequest("PAIN", 2), OrderLineRequest("CAFE", 1)),
                               idempotency_key="k", request_hash="h")
        orders.place_order(db, shop_id, request)
        assert len(counting.sent) == 3, counting.sent
        counting.sent.clear()
        body = read_pull(db, shop_id, cursor, "c", token=None).body
        assert len(counting.sent) == 1, counting.sent
        assert [len(o["lines"]) for o in body["orders"]] == [2]
        assert [h["status"] for h in body["orders"][0]["history"]] == ["new"]
