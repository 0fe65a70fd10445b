"""The data layer itself (marketplace/storage.py) on both backends: placeholders, the
per-shop sequence, savepoints, hooks, and the shop lock that serialises one shop's writers."""

from __future__ import annotations

import contextlib
import re
import threading
import time

import httpx
import psycopg
import pytest

from marketplace import admin
from marketplace.embedded import EmbeddedMarketplace
from marketplace.listener import listen_conninfo
from marketplace.storage import (
    PgTimeouts,
    Store,
    database_url,
    open_database,
    pg_engine,
    read_tx,
    to_pyformat,
    unavailable,
    write_tx,
)
from tests.conftest import wait_until
from tests.db import lock_waiters, value
from tests.marketplace.conftest import open_shop


def test_placeholders_become_psycopg_ones_outside_literals_names_and_comments():
    assert to_pyformat("SELECT * FROM t WHERE a = ? AND b IN (?, ?)") == \
        "SELECT * FROM t WHERE a = %s AND b IN (%s, %s)"
    assert to_pyformat("SELECT '?', \"we?rd\", ? -- why? 100%\nFROM t") == \
        "SELECT '?', \"we?rd\", %s -- why? 100%%\nFROM t"
    assert to_pyformat("SELECT 'it''s ?', ? LIKE '5%'") == "SELECT 'it''s ?', %s LIKE '5%%'"
    assert to_pyformat("SELECT 1 % 2") == "SELECT 1 %% 2"


@pytest.mark.parametrize(("sql", "construct"), [
    ("SELECT 1 /* why? */, ?", "/*"), ("SELECT $$?$$, ?", "$$"),
    ("SELECT E'\\'?', ?", "E''"), ("SELECT x FROM t WHERE y = e'a?'", "E''")])
def test_placeholders_refuse_what_the_scanner_would_misread(sql, construct):
    with pytest.raises(ValueError, match=re.escape(construct)):
        to_pyformat(sql)
    # Inside literals, and as the end of a name, they are only text.
    assert to_pyformat("SELECT '/* $$ E''x', name'' FROM t WHERE a = ?").endswith("= %s")


def test_database_urls_accept_what_operators_write(tmp_path):
    assert database_url(tmp_path / "m.db") == f"sqlite:///{tmp_path / 'm.db'}"
    assert database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    with pytest.raises(ValueError, match="non prise en charge"):
        database_url("mysql://u@h/db")


@pytest.fixture
def shop_db(database):
    with contextlib.closing(open_database(database)) as db:
        shop_id, _code = admin.create_shop(db, "Épicerie des tests")
        yield db, shop_id


def test_a_shop_s_sequence_moves_once_per_transaction_and_only_its_own(shop_db):
    db, shop_id = shop_db
    other = admin.create_shop(db, "Épicerie voisine")[0]
    with read_tx(db) as tx:
        before = {r["id"]: r["seq"] for r in tx.rows("SELECT id, seq FROM shops")}
    with write_tx(db) as tx:
        first = tx.version(shop_id)
        assert tx.version(shop_id) == first == before[shop_id] + 1
        assert tx.touched_shops == {shop_id}
    with read_tx(db) as tx:
        after = {r["id"]: r["seq"] for r in tx.rows("SELECT id, seq FROM shops")}
        assert after == {**before, shop_id: first}
        with pytest.raises(RuntimeError):
            tx.version(other)
    with pytest.raises(LookupError), write_tx(db) as tx:
        tx.version("shop_nobody")


class Undo(Exception):
    pass


def test_a_savepoint_undone_forgets_the_version_it_took(shop_db):
    db, shop_id = shop_db
    with write_tx(db) as tx:
        with pytest.raises(Undo), tx.savepoint():
            taken = tx.version(shop_id)
            raise Undo
        assert tx.touched_shops == frozenset()
        assert tx.version(shop_id) == taken  # taken again: the undone bump is gone


def test_hooks_run_before_and_after_commit_and_not_on_rollback(shop_db):
    db, shop_id = shop_db
    seen: list[object] = []
    db.backend.before_commit_hooks.append(lambda tx: seen.append(("hook", tx.touched_shops)))
    try:
        with write_tx(db) as tx:
            tx.version(shop_id)
            tx.before_commit(lambda: seen.append("before"))
            tx.on_commit(lambda: seen.append("after"))
        assert seen == ["before", ("hook", {shop_id}), "after"]
        seen.clear()
        with pytest.raises(KeyError), write_tx(db) as tx:
            tx.on_commit(lambda: seen.append("after"))
            raise KeyError("no")
        assert seen == []
    finally:
        db.backend.before_commit_hooks.clear()


def test_a_writer_of_a_shop_waits_for_the_one_holding_its_lock(database):
    """What keeps check-then-insert and the cursor right on PostgreSQL (SQLite: one writer
    at a time for the whole file). The second writer's check sees the first one's row."""
    store = Store(database)
    with contextlib.closing(open_database(database)) as db:
        shop_id, _code = admin.create_shop(db, "Épicerie verrouillée")
    holding, release = threading.Event(), threading.Event()
    seen: dict[str, object] = {}

    def first(db):
        with write_tx(db) as tx:
            tx.lock_shop(shop_id)
            tx.execute("UPDATE shops SET name = 'écrit par le premier' WHERE id = ?", (shop_id,))
            holding.set()
            assert release.wait(10)

    def second(db):
        with write_tx(db) as tx:
            tx.lock_shop(shop_id)
            seen["at"] = time.monotonic()
            seen["name"] = tx.row("SELECT name FROM shops WHERE id = ?", (shop_id,))["name"]

    try:
        one = threading.Thread(target=store.run, args=(first,))
        one.start()
        assert holding.wait(10)
        two = threading.Thread(target=store.run, args=(second,))
        two.start()
        if "://" in database:  # PostgreSQL says when a backend waits on a row lock
            wait_until(lambda: lock_waiters(database), timeout=10)
        else:  # in-process writer lock: nothing to observe; give the thread time to block
            time.sleep(0.2)
        assert "at" not in seen
        released_at = time.monotonic()
        release.set()
        wait_until(lambda: "at" in seen, timeout=10)
        one.join(10)
        two.join(10)
        assert seen["at"] >= released_at and seen["name"] == "écrit par le premier"
    finally:
        release.set()
        store.close()


def test_other_shops_writers_do_not_wait_on_postgresql(pg_database):
    """(SQLite has one writer for the whole file, by design.)"""
    database = pg_database
    store = Store(database)
    with contextlib.closing(open_database(database)) as db:
        busy = admin.create_shop(db, "Épicerie occupée")[0]
        free = admin.create_shop(db, "Épicerie libre")[0]
    holding, release = threading.Event(), threading.Event()

    def hold(db):
        with write_tx(db) as tx:
            tx.version(busy)
            holding.set()
            assert release.wait(10)

    def write_other(db):
        with write_tx(db) as tx:
            return tx.version(free)

    try:
        one = threading.Thread(target=store.run, args=(hold,))
        one.start()
        assert holding.wait(10)
        started = time.monotonic()
        assert store.run(write_other) >= 1
        assert time.monotonic() - started < 2
    finally:
        release.set()
        one.join(10)
        store.close()


def test_connections_cut_under_the_server_are_replaced_by_themselves(pg_database):
    """A pooled connection whose server process went away (a restarted or failed-over
    PostgreSQL) fails on its first statement: the request runs again on a new one."""
    with EmbeddedMarketplace(pg_database) as market:
        shop = open_shop(market)
        for _ in range(3):
            shop.place([("CROIS", 1)])
            cut = value(pg_database, "SELECT COUNT(pg_terminate_backend(pid))"
                                     " FROM pg_stat_activity WHERE datname = current_database()"
                                     " AND pid <> pg_backend_pid()")
            assert cut >= 1
            assert shop.pull()["shop"]["id"] == shop.shop_id
        assert len(shop.pull()["orders"]) == 3


def _cut_every_other_connection(url: str) -> int:
    return value(url, "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity"
                      " WHERE datname = current_database() AND pid <> pg_backend_pid()")


def test_a_dead_pooled_connection_is_retried_only_before_its_first_answer(pg_database):
    """Once a statement was answered, a transaction may have done anything up to its
    COMMIT: the failure is the caller's (a 503), never a silent second run."""
    store = Store(pg_database, pool_size=1, max_overflow=0)
    calls: list[str] = []

    def first_statement_on_a_dead_connection(db):
        calls.append("first")
        with read_tx(db) as tx:
            return tx.row("SELECT 41 + 1 AS x")["x"]

    def dies_after_its_first_answer(db):
        calls.append("after")
        with write_tx(db) as tx:
            tx.row("SELECT 1 AS x")
            _cut_every_other_connection(pg_database)  # this very one included
            tx.row("SELECT 2 AS x")

    def only_executemany(db):
        calls.append("many")
        with write_tx(db) as tx:
            tx.executemany("SELECT CAST(? AS int)", [(1,), (2,)])
            _cut_every_other_connection(pg_database)  # before its COMMIT

    try:
        assert store.run(first_statement_on_a_dead_connection) == 42  # opens the pool's one
        assert _cut_every_other_connection(pg_database) == 1
        assert store.run(first_statement_on_a_dead_connection) == 42
        assert calls == ["first", "first", "first"]  # the second run: once more, fresh
        for after_an_answer in (dies_after_its_first_answer, only_executemany):
            with pytest.raises(Exception) as raised:
                store.run(after_an_answer)
            assert unavailable(raised.value)
        assert calls.count("after") == 1 and calls.count("many") == 1
        assert store.run(first_statement_on_a_dead_connection) == 42  # the pool recovers
    finally:
        store.close()


def test_after_a_restart_every_dead_pooled_connection_is_passed_over(pg_database):
    """A restarted PostgreSQL leaves every idle connection of the pool dead: a request
    goes through them to a live one, never a 503 once the server is back."""
    store = Store(pg_database, pool_size=4, max_overflow=0)
    started = threading.Barrier(4)

    def hold_one(db):  # four at once: the pool opens its four connections
        with read_tx(db) as tx:
            tx.row("SELECT 1 AS x")
            started.wait(timeout=10)

    try:
        threads = [threading.Thread(target=store.run, args=(hold_one,)) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=10)
        assert _cut_every_other_connection(pg_database) == 4
        for _ in range(6):
            assert store.run(lambda db: read_tx_value(db, "SELECT 7 AS x")) == 7
    finally:
        store.close()


def test_a_socket_found_hung_up_before_any_answer_is_a_dead_connection(pg_database, monkeypatch,
                                                                      caplog):
    """psycopg may find a cut connection's socket hung up before libpq read the server's
    goodbye ("connection socket closed", seen once in ~6 runs of the restart test above),
    with the query sent and the connection still looking open: nothing was answered, so
    the call goes on with the next connection, and the hung one is dropped, not given
    back to the pool (whose own reset would log an error)."""
    store = Store(pg_database, pool_size=2, max_overflow=0)
    seen = []

    def hangs_up(gen, *args, **kwargs):
        next(gen)  # the query goes out (libpq's send), then the socket "hangs up"
        raise psycopg.OperationalError("connection socket closed")

    def five(db):
        seen.append(db.conn)
        if len(seen) == 1:  # only this connection's next wait hangs up
            monkeypatch.setattr(db.conn, "wait", hangs_up)
        with read_tx(db) as tx:
            return tx.row("SELECT 5 AS x")["x"]

    try:
        assert store.run(five) == 5
        assert len(seen) == 2 and seen[0] is not seen[1]
        assert seen[0].closed  # dropped, not pooled
        assert not [r for r in caplog.records if r.levelname == "ERROR"]
    finally:
        store.close()


def test_an_error_postgresql_answered_is_the_callers_even_on_the_first_trip(pg_database):
    """A lock timeout on the very first statement (nothing answered before it) has a
    SQLSTATE: PostgreSQL refused it on a live connection, so the call is not run again."""
    store = Store(pg_database, pool_size=2, max_overflow=0,
                  timeouts=PgTimeouts(lock_s=0.05))
    calls: list[str] = []

    def refused_by_the_server(db):
        calls.append("refused")
        with write_tx(db) as tx:
            tx.execute("SELECT pg_advisory_xact_lock(4242)")

    holder = psycopg.connect(pg_database, autocommit=True)
    try:
        holder.execute("SELECT pg_advisory_lock(4242)")
        with pytest.raises(psycopg.errors.LockNotAvailable):
            store.run(refused_by_the_server)
        assert calls == ["refused"]
    finally:
        holder.close()
        store.close()


def read_tx_value(db, sql: str):
    with read_tx(db) as tx:
        return tx.row(sql)["x"]


def test_a_statement_sent_with_commit_alone_runs_outside_any_transaction(pg_database):
    from marketplace.listener import listen_conninfo

    store = Store(pg_database, pool_size=1, max_overflow=0)
    try:
        with psycopg.connect(listen_conninfo(pg_database), autocommit=True) as listener:
            listener.execute("LISTEN storage_test")

            def notify_only(db):
                with write_tx(db) as tx:
                    tx.with_commit("SELECT pg_notify(?, ?)", ("storage_test", "100% ?"))
                return db.conn.info.transaction_status

            assert store.run(notify_only) == psycopg.pq.TransactionStatus.IDLE
            heard = next(listener.notifies(timeout=5))
            assert heard.payload == "100% ?"
    finally:
        store.close()


def test_a_database_out_of_reach_is_a_503_to_retry_not_a_500(pg_database):
    with EmbeddedMarketplace(pg_database) as market:
        shop = open_shop(market)
        state = market._state
        assert state is not None
        # As if PostgreSQL were down: new connections refused, pooled ones dead.
        backend = state.store.backend
        backend.engine.dispose()
        backend.engine = pg_engine(backend.engine.url.set(port=1).render_as_string(False))
        response = shop.http.get(f"{shop.url}/v1/pull", headers=shop.auth)
        assert response.status_code == 503
        assert response.json()["error"]["code"] == "database_unavailable"
        assert response.headers["Retry-After"] == "1"
        placed = shop.order([("CROIS", 1)])
        assert placed.status_code == 503


def test_a_read_transaction_is_one_snapshot_from_its_first_statement(shop_db, database):
    """What a pull relies on: cursor, entities and last id from one snapshot (REPEATABLE
    READ on PostgreSQL, whose BEGIN travels with the first statement)."""
    db, shop_id = shop_db
    with contextlib.closing(open_database(database)) as other:
        with read_tx(db) as tx:
            seq = tx.row("SELECT seq FROM shops WHERE id = ?", (shop_id,))["seq"]
            with write_tx(other) as writer:
                writer.execute("UPDATE shops SET name = 'changée' WHERE id = ?", (shop_id,))
                assert writer.version(shop_id) == seq + 1
            again = tx.row("SELECT seq, name FROM shops WHERE id = ?", (shop_id,))
            assert (again["seq"], again["name"]) == (seq, "Épicerie des tests")
        with read_tx(db) as tx:
            assert tx.row("SELECT seq FROM shops WHERE id = ?", (shop_id,))["seq"] == seq + 1


def test_a_held_shop_lock_gives_its_orders_a_503_and_leaves_other_shops_alone(pg_database):
    """One shop's row lock held elsewhere (a stuck writer, an operator's open psql
    transaction): its orders give up after the lock timeout with the retryable 503, so they
    neither hold the (small) pool forever nor starve a pull of another shop."""
    settings = {"db_lock_timeout_s": 1.0, "db_pool_size": 2, "db_max_overflow": 2}
    with EmbeddedMarketplace(pg_database, settings=settings) as market:
        locked, other = open_shop(market), open_shop(market)
        holder = psycopg.connect(listen_conninfo(pg_database), connect_timeout=5)
        try:
            holder.execute("SELECT 1 FROM shops WHERE id = %s FOR UPDATE", (locked.shop_id,))
            answers: list[tuple[int, str, float]] = []

            def order(i: int) -> None:
                started = time.monotonic()
                with httpx.Client(timeout=20) as http:
                    response = http.post(
                        f"{market.url}/v1/customer/shops/{locked.shop_id}/orders",
                        json={"customer": {"name": "Zoé", "phone": f"06 01 02 03 {i:02d}"},
                              "channel": "collect", "lines": [{"sku": "CROIS", "qty": 1}],
                              "idempotency_key": f"k{i}"})
                error = response.json().get("error", {}).get("code", "")
                answers.append((response.status_code, error, time.monotonic() - started))

            threads = [threading.Thread(target=order, args=(i,)) for i in range(8)]
            for thread in threads:
                thread.start()
            wait_until(lambda: lock_waiters(pg_database), timeout=10)
            started = time.monotonic()
            assert other.pull()["shop"]["id"] == other.shop_id
            assert time.monotonic() - started < 5
            for thread in threads:
                thread.join(30)
            assert len(answers) == 8
            assert {(status, error) for status, error, _ in answers} == \
                {(503, "database_unavailable")}
            assert max(took for _, _, took in answers) < 10
        finally:
            holder.close()
        assert locked.place([("CROIS", 1)])["status"]  # the lock gone, orders go through


def test_pooled_postgresql_connections_carry_the_configured_bounds(pg_database):
    store = Store(pg_database, timeouts=PgTimeouts(lock_s=1.5, statement_s=20,
                                                   idle_in_transaction_s=0))
    try:
        def show(db):
            client = db.conn.info.get_parameters()  # libpq's side: a dead peer found in seconds
            return [db.conn.execute(f"SHOW {name}").fetchone()[0]
                    for name in ("lock_timeout", "statement_timeout",
                                 "idle_in_transaction_session_timeout")] + \
                [client.get("keepalives"), client.get("tcp_user_timeout")]
        assert store.run(show) == ["1500ms", "20s", "0", "1", "15000"]
    finally:
        store.close()
    # What the bounds raise is the retryable 503, never a 500.
    for error in (psycopg.errors.LockNotAvailable, psycopg.errors.QueryCanceled,
                  psycopg.errors.IdleInTransactionSessionTimeout):
        assert unavailable(error("limite atteinte"))


def test_the_connection_budget_is_explicit_and_fits_postgresql_s_defaults():
    """docs/DEPLOY.md: processes x (pool + overflow + 1 listener) + headroom must stay under
    max_connections (100 by default, 3 of them reserved for superusers)."""
    from marketplace.__main__ import _hardening_settings, build_parser
    from marketplace.settings import Settings

    assert 4 * Settings().db_connections <= 100 - 3 - 10  # 10 left for psql, CLI, backups
    args = build_parser().parse_args(["serve", "--database-url", "postgresql://h/m",
                                      "--db-pool-size", "3", "--db-max-overflow", "1",
                                      "--db-lock-timeout", "2"])
    settings = Settings.coerce(_hardening_settings(args))
    assert (settings.db_connections, settings.db_timeouts.lock_s) == (5, 2.0)
    with pytest.raises(ValueError):
        Settings(db_pool_size=0)
