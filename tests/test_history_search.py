"""History search (FTS5 indexes of migration 0004) and the index-friendly board query."""

from __future__ import annotations

import datetime as dt
import random
import sqlite3

import pytest
import sqlite_utils

from posapp.domain.orders import _ORDER_COLUMNS, BOARD_COLUMNS, OrdersService, parse_search
from posapp.store.db import DB_FILENAME, Store, open_store
from posapp.store.migrations import MIGRATIONS
from posapp.store.replica import ShopReplica
from sync.protocol import to_iso
from tests.factories import pull, wire_order

T0 = dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC)


def at(minutes: float) -> str:
    return to_iso(T0 + dt.timedelta(minutes=minutes))


def order(n: int, name: str = "Marc Dupont", phone: str = "0699887766", minute: float | None = None,
          **over) -> dict:
    created = at(n if minute is None else minute)
    return wire_order(f"ord_{n}", n, customer_name=name, customer_phone=phone,
                      created_at=created, updated_at=created,
                      history=[{"status": "new", "at": created, "by": "customer"}], **over)


@pytest.fixture
def store(tmp_path):
    s = open_store(tmp_path)
    yield s
    s.close()


def add(store, *orders: dict) -> None:
    ShopReplica(store).apply_pull(pull(orders=list(orders)))


def ids(results: list[dict]) -> list[str]:
    return [o["id"] for o in results]


def check_index(store) -> None:
    for table in ("orders_search_name", "orders_search_phone"):
        store.conn.execute(f"INSERT INTO {table}({table}, rank) VALUES ('integrity-check', 1)")


def test_names_match_without_accents_case_or_whole_words(store):
    add(store, order(1, "Zoé Lefèvre"), order(2, "Hélène Müller"), order(3, "ZOE MARTIN"),
        order(4, "Jean-Pierre Le Gall"))
    search = OrdersService(store).search
    assert ids(search("lefevre")) == ["ord_1"]
    assert ids(search("LEFÈVRE")) == ["ord_1"]
    assert ids(search("zo")) == ["ord_3", "ord_1"]  # prefix, newest first
    assert ids(search("zoé")) == ["ord_3", "ord_1"]
    assert ids(search("helene mul")) == ["ord_2"]
    assert ids(search("mul hel")) == ["ord_2"]  # word order does not matter
    assert ids(search("jean-pierre")) == ["ord_4"]
    assert ids(search("le gall")) == ["ord_4"]
    assert ids(search("zoe dupont")) == []


@pytest.mark.parametrize("stored", ["0601020304", "06 01 02 03 04", "+33 6 01 02 03 04",
                                    "06.01.02.03.04", "06-01-02-03-04", "0033 6 01 02 03 04",
                                    "+33 (0)6 01 02 03 04", "06\u00a001\u00a002\u00a003\u00a004"])
def test_phone_fragments_match_however_the_number_was_written(store, stored):
    add(store, order(1, phone=stored), order(2, phone="07 55 44 33 22"))
    search = OrdersService(store).search
    for typed in ("0601", "06 01", "06 01 02 03 04", "+33 6 01", "+33601020304", "0203",
                  "02 03 04", "304", "1020"):
        assert ids(search(typed)) == ["ord_1"], typed
    assert ids(search("0699")) == []
    assert ids(search("06")) == []  # two digits say too little (and no order number 06)


def test_a_number_finds_that_order_exactly_before_phone_matches(store):
    add(store, order(12, phone="0601020304"), order(112), order(120), order(121),
        order(500, phone="0712121212"))
    search = OrdersService(store).search
    assert ids(search("12")) == ["ord_12"]  # not 112, 120, nor phones with "12"
    assert ids(search("#12")) == ["ord_12"]
    assert ids(search("n° 12")) == ["ord_12"]
    assert ids(search("N°121")) == ["ord_121"]
    assert ids(search("121")) == ["ord_121", "ord_500"]  # the order, then phones with 121
    assert search("121")[0]["number"] == 121


def test_name_and_phone_together(store):
    add(store, order(1, "Zoé Lefèvre", "0601020304"), order(2, "Zoé Martin", "0699887766"),
        order(3, "Marc Dupont", "0601020304"))
    search = OrdersService(store).search
    assert ids(search("zoe 0601")) == ["ord_1"]
    assert ids(search("0601 dupont")) == ["ord_3"]
    assert ids(search("zoe 06 99")) == ["ord_2"]


def test_newest_first_by_creation_date_and_limit(store):
    # Arrival order (rowid) differs from creation order on purpose.
    add(store, order(1, minute=30), order(2, minute=10), order(3, minute=50), order(4, minute=20))
    search = OrdersService(store).search
    assert ids(search("dupont")) == ["ord_3", "ord_1", "ord_4", "ord_2"]
    assert ids(search("99887")) == ["ord_3", "ord_1", "ord_4", "ord_2"]
    assert ids(search("")) == ["ord_3", "ord_1", "ord_4", "ord_2"]
    assert ids(search("dupont", limit=2)) == ["ord_3", "ord_1"]
    assert ids(search("", limit=2)) == ["ord_3", "ord_1"]


def test_results_carry_the_shown_order_fields(store):
    add(store, order(7, "Zoé Lefèvre"))
    service = OrdersService(store)
    shown = {k: v for k, v in service.get("ord_7").items() if k not in ("lines", "history")}
    assert service.search("zoe") == [shown] == service.search("7")
    assert shown["item_count"] == 2 and shown["status"] == "new"


def test_updates_and_deletions_reach_the_index(store):
    add(store, order(1, "Zoé Lefèvre", "0601020304"), order(2, "Marc Dupont", "0699887766"))
    service = OrdersService(store)
    with store.transaction() as conn:
        conn.execute("UPDATE orders SET customer_name = 'Chloé Bernard',"
                     " customer_phone = '07 11 22 33 44' WHERE id = 'ord_1'")
    assert ids(service.search("lefevre")) == []
    assert ids(service.search("0601")) == []
    assert ids(service.search("chloe")) == ["ord_1"]
    assert ids(service.search("07 11 22")) == ["ord_1"]
    with store.transaction() as conn:
        conn.execute("DELETE FROM orders WHERE id = 'ord_2'")
    assert ids(service.search("dupont")) == []
    assert ids(service.search("99887")) == []
    check_index(store)


def test_pulled_again_orders_keep_one_index_entry(store):
    add(store, order(1, "Zoé Lefèvre"))
    add(store, order(1, "Zoé Lefèvre", status="accepted"))  # the upsert path of a pull
    assert ids(OrdersService(store).search("zoe")) == ["ord_1"]
    check_index(store)


@pytest.mark.parametrize("typed", ['"', "*", "AND", "OR zoe", "NEAR(", "(", "-", "zo*", "'", "^",
                                   "zoe:", "+33", "# ", "n°", "%", "_"])
def test_any_typing_is_safe(store, typed):
    add(store, order(1, "Zoé Lefèvre"))
    OrdersService(store).search(typed)  # no exception, whatever the result


def test_migration_backfills_orders_stored_before_it(tmp_path):
    path = tmp_path / DB_FILENAME
    conn = sqlite3.connect(path, isolation_level=None)
    MIGRATIONS.apply(sqlite_utils.Database(conn), stop_before="0004_orders_search")
    # An order written by the previous version (no search index yet), as it wrote them.
    conn.execute(
        "INSERT INTO orders (id, number, status, channel, customer_name, customer_phone,"
        " total_cents, created_at, updated_at, received_at) VALUES ('ord_1', 1, 'completed',"
        " 'collect', 'Zoé Lefèvre', '06 01 02 03 04', 500, ?, ?, ?)",
        ("2026-11-23T10:00:00.000Z",) * 3,
    )
    conn.close()
    store = Store(path)
    try:
        assert ids(OrdersService(store).search("lefevre")) == ["ord_1"]
        assert ids(OrdersService(store).search("0601")) == ["ord_1"]
        check_index(store)
    finally:
        store.close()


def test_parse_search():
    assert parse_search("0601") == parse_search("06 01")  # a phone, not order No. 601
    assert parse_search("0601").number is None
    assert parse_search("42").number == 42 and parse_search("42").phone == ""
    assert parse_search("+33 6 12").phone == "0612"
    assert parse_search("Zoé 0612").words == ("Zoé",)


# -- board -----------------------------------------------------------------------------

def reference_board(store, since: str) -> dict[str, list[str]]:
    """The board's rule written plainly (a full scan), to compare with the indexed query."""
    rows = store.query(
        f"SELECT {_ORDER_COLUMNS} FROM orders o"
        " WHERE COALESCE(o.pending_status, o.status) IN ('new', 'accepted', 'ready')"
        "    OR o.updated_at >= ? OR o.received_at >= ? ORDER BY o.created_at",
        (since, since))
    return {col: [r["id"] for r in rows if r["status"] in statuses]
            for col, statuses in BOARD_COLUMNS.items()}


def test_board_query_matches_the_plain_rule(store):
    rng = random.Random(7)
    statuses = ("new", "accepted", "ready", "completed", "rejected", "cancelled")
    pending = (None, None, None, "accepted", "ready", "completed", "rejected")
    add(store, *[order(n, minute=rng.randrange(3000)) for n in range(1, 301)])
    with store.transaction() as conn:
        for n in range(1, 301):
            conn.execute(
                "UPDATE orders SET status = ?, pending_status = ?, updated_at = ?,"
                " received_at = ? WHERE id = ?",
                (rng.choice(statuses), rng.choice(pending), at(rng.randrange(3000)),
                 at(rng.randrange(3000)), f"ord_{n}"))
    service = OrdersService(store)
    for since in (at(0), at(1000), at(2500), at(2999), at(5000)):
        got = {col: [o["id"] for o in orders] for col, orders in service.board(since=since).items()}
        assert got == reference_board(store, since)


def test_board_search_and_alerts_do_not_scan_every_order(store):
    def plan(sql: str, params: tuple = ()) -> str:
        return " | ".join(r["detail"] for r in store.query("EXPLAIN QUERY PLAN " + sql, params))

    board = plan(
        "SELECT rowid FROM orders WHERE status IN ('new', 'accepted', 'ready')"
        " UNION ALL SELECT rowid FROM orders WHERE pending_status IS NOT NULL"
        " UNION ALL SELECT rowid FROM orders WHERE max(updated_at, received_at) >= ?", ("x",))
    assert "SCAN orders" not in board, board
    assert "orders_pending" in board and "orders_touched" in board
    add(store, order(1))
    service = OrdersService(store)
    calls: list[str] = []
    store.conn.set_trace_callback(calls.append)
    service.board()
    service.unacknowledged()
    service.search("zoe")
    service.search("0601")
    service.search("12")
    store.conn.set_trace_callback(None)
    for sql in calls:
        if sql.startswith("SELECT"):
            detail = plan(sql.replace("?", "NULL"))
            assert "SCAN o " not in detail + " " and "SCAN orders " not in detail + " ", (sql,
                                                                                          detail)
