import sqlite3

import pytest

from posapp.domain.orders import InvalidAction, OrdersService
from posapp.domain.stock import StockService
from posapp.store.db import DB_FILENAME, Store, StoreError, open_store
from posapp.store.replica import ShopReplica
from tests.factories import pull, wire_order, wire_product


@pytest.fixture
def store(tmp_path):
    s = open_store(tmp_path)
    yield s
    s.close()


def test_store_is_wal_and_migrated(store):
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {r["name"] for r in store.query("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"products", "stock", "orders", "order_lines", "outbox", "print_jobs",
            "sync_state", "refused_mutations"} <= tables


def test_reopening_applies_nothing_twice(tmp_path):
    open_store(tmp_path).close()
    again = open_store(tmp_path)
    names = [r["name"] for r in again.query("SELECT name FROM _sqlite_migrations")]
    assert len(names) == len(set(names))


def test_corrupted_file_gives_clear_error(tmp_path):
    (tmp_path / DB_FILENAME).write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="illisible ou endommagée"):
        open_store(tmp_path)


def test_file_from_newer_version_is_refused(tmp_path):
    open_store(tmp_path).close()
    conn = sqlite3.connect(tmp_path / DB_FILENAME)
    conn.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at)"
        " VALUES ('comptoir.shop', '9999_future', 'x')"
    )
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="plus récente"):
        Store(tmp_path / DB_FILENAME)


def test_pull_applied_twice_changes_nothing(store):
    replica = ShopReplica(store)
    p = pull(orders=[wire_order()], products=[wire_product()])
    first = replica.apply_pull(p)
    second = replica.apply_pull(p)
    assert [o["id"] for o in first.new_orders] == ["ord_1"]
    assert second.new_orders == []
    assert store.query_one("SELECT count(*) AS n FROM orders")["n"] == 1
    assert store.query_one("SELECT count(*) AS n FROM order_lines")["n"] == 1


def test_offline_sale_shows_at_once_and_still_counts_after_confirmation(store):
    replica = ShopReplica(store)
    stock = StockService(store)
    replica.apply_pull(pull(products=[wire_product(stock=10)]))
    mutation_id = stock.adjust("ECL", -3, "counter_sale")
    assert stock.product("ECL")["quantity"] == 7
    # Meanwhile an online sale of 2 happened; the server confirms our delta too.
    replica.apply_pull(pull(cursor=2, last_mutation_id=mutation_id,
                            products=[wire_product(stock=10 - 2 - 3)]))
    shown = stock.product("ECL")
    assert (shown["quantity"], shown["pending_delta"]) == (5, 0)
    assert replica.pending_count() == 0


def test_pull_not_covering_a_pending_delta_keeps_it(store):
    replica = ShopReplica(store)
    stock = StockService(store)
    replica.apply_pull(pull(products=[wire_product(stock=10)]))
    stock.adjust("ECL", -1, "counter_sale")
    replica.apply_pull(pull(cursor=2, last_mutation_id=0, products=[wire_product(stock=8)]))
    assert stock.product("ECL")["quantity"] == 7  # online sale of 2 + our pending -1


def test_physical_count_is_a_delta_against_what_was_seen(store):
    replica = ShopReplica(store)
    stock = StockService(store)
    replica.apply_pull(pull(products=[wire_product(stock=10)]))
    seen = stock.product("ECL")["quantity"]
    # An online sale arrives while the shopkeeper counts.
    replica.apply_pull(pull(cursor=2, products=[wire_product(stock=9)]))
    stock.count("ECL", counted=12, seen=seen)
    assert stock.product("ECL")["quantity"] == 11  # +2 found, the online sale kept


def test_decisions_are_queued_with_optimistic_status(store):
    replica = ShopReplica(store)
    orders = OrdersService(store)
    replica.apply_pull(pull(orders=[wire_order()]))
    orders.accept("ord_1", ready_in_minutes=20)
    shown = orders.get("ord_1")
    assert shown["status"] == "accepted" and shown["confirmed_status"] == "new"
    assert shown["ready_by"] is not None
    assert [m.name for m in replica.mutations_to_push(10)] == ["order.accept"]
    with pytest.raises(InvalidAction):
        orders.accept("ord_1", 10)  # already accepted as the counter sees it
    orders.mark_ready("ord_1")
    assert orders.board()["ready"][0]["id"] == "ord_1"


def test_refused_mutation_leaves_outbox_and_is_kept_for_display(store):
    replica = ShopReplica(store)
    orders = OrdersService(store)
    replica.apply_pull(pull(orders=[wire_order()]))
    mid = orders.accept("ord_1", 10)
    refused = replica.record_push(mid, [{"id": mid, "status": "refused",
                                         "code": "illegal_transition", "message": "déjà annulée"}])
    assert refused[0]["message"] == "déjà annulée"
    assert replica.pending_count() == 0
    assert orders.get("ord_1")["status"] == "new"  # optimistic status rolled back
    assert orders.refused_unseen()[0]["code"] == "illegal_transition"


def test_pushed_mutations_are_not_resent_but_kept_until_pulled(store):
    replica = ShopReplica(store)
    stock = StockService(store)
    replica.apply_pull(pull(products=[wire_product()]))
    a = stock.adjust("ECL", -1, "counter_sale")
    b = stock.adjust("ECL", 5, "restock")
    replica.record_push(a, [{"id": a, "status": "applied", "code": "", "message": ""}])
    assert [m.id for m in replica.mutations_to_push(10)] == [b]
    assert replica.pending_count() == 2
    # A server that forgot (restored backup) makes the client resend.
    replica.apply_pull(pull(cursor=5, last_mutation_id=0, products=[wire_product()]))
    assert [m.id for m in replica.mutations_to_push(10)] == [a, b]


def test_mutation_ids_are_never_reused(store):
    replica = ShopReplica(store)
    stock = StockService(store)
    replica.apply_pull(pull(products=[wire_product()]))
    first = stock.adjust("ECL", -1, "counter_sale")
    replica.apply_pull(pull(cursor=2, last_mutation_id=first, products=[wire_product()]))
    second = stock.adjust("ECL", -1, "counter_sale")
    assert second > first


def test_a_pull_racing_the_push_answer_does_not_swallow_a_refusal(store):
    """The server refused; its long-poll answered (last id 1) before the push answer came."""
    replica = ShopReplica(store)
    orders = OrdersService(store)
    replica.apply_pull(pull(orders=[wire_order()]))
    mid = orders.accept("ord_1", 10)
    replica.apply_pull(pull(cursor=2, last_mutation_id=mid,
                            orders=[wire_order(status="cancelled")]))
    assert replica.pending_count() == 0
    assert orders.get("ord_1")["status"] == "cancelled"
    # The answer is still owed: the next push replays it to hear the stored result.
    assert [m.id for m in replica.mutations_to_push(10)] == [mid]
    refused = replica.record_push(mid, [{"id": mid, "status": "refused",
                                         "code": "illegal_transition", "message": "annulée"}])
    assert [r["code"] for r in refused] == ["illegal_transition"]
    assert orders.refused_unseen()[0]["message"] == "annulée"
    assert replica.mutations_to_push(10) == []


def test_an_applied_answer_heard_after_the_pull_leaves_nothing_behind(store):
    replica = ShopReplica(store)
    stock = StockService(store)
    replica.apply_pull(pull(products=[wire_product(stock=10)]))
    mid = stock.adjust("ECL", -1, "counter_sale")
    replica.apply_pull(pull(cursor=2, last_mutation_id=mid, products=[wire_product(stock=9)]))
    assert stock.product("ECL")["quantity"] == 9
    assert replica.record_push(mid, [{"id": mid, "status": "applied", "code": "",
                                      "message": ""}]) == []
    assert replica.mutations_to_push(10) == [] and replica.pending_count() == 0
    assert stock.product("ECL")["quantity"] == 9


def test_an_absurd_quantity_is_refused_at_the_counter_with_a_message(store):
    from posapp.domain.stock import InvalidStockChange

    ShopReplica(store).apply_pull(pull(products=[wire_product()]))
    with pytest.raises(InvalidStockChange, match="at most"):
        StockService(store).adjust("ECL", 10**20, "restock")
    with pytest.raises(InvalidStockChange):
        StockService(store).count("ECL", counted=10**20)
    assert ShopReplica(store).pending_count() == 0


def test_an_out_of_stock_toggle_survives_a_pull_of_the_old_value(store):
    replica = ShopReplica(store)
    stock = StockService(store)
    replica.apply_pull(pull(products=[wire_product(available=True)]))
    mid = stock.set_available("ECL", False)
    replica.apply_pull(pull(cursor=2, products=[wire_product(available=True)]))  # not yet pushed
    assert stock.product("ECL")["available"] == 0
    refused = replica.record_push(mid, [{"id": mid, "status": "refused", "code": "unknown_sku",
                                         "message": "?"}])
    assert refused and stock.product("ECL")["available"] == 1  # back to the marketplace's value


def test_a_failed_rollback_never_hides_the_original_error(store):
    with pytest.raises(ValueError, match="the original error"):
        with store.transaction() as conn:
            conn.execute("INSERT INTO settings (key, value) VALUES ('k', 'v')")
            conn.execute("ROLLBACK")  # SQLite ended it by itself (disk full, I/O error…)
            raise ValueError("the original error")
    assert not store.conn.in_transaction
    assert store.query("SELECT * FROM settings WHERE key = 'k'") == []
    with store.transaction() as conn:  # and the store goes on working
        conn.execute("INSERT INTO settings (key, value) VALUES ('k', 'v')")
    assert store.query_one("SELECT value FROM settings WHERE key = 'k'") == {"value": "v"}


def test_one_script_splitter_keeps_triggers_whole():
    from sync.sqlite_tx import split_script

    script = """
        CREATE TABLE t (a TEXT); -- a comment; with a semicolon
        CREATE TRIGGER t_ins AFTER INSERT ON t BEGIN
            UPDATE t SET a = 'x;y' WHERE rowid = new.rowid;
        END;
        -- trailing comment
    """
    assert [s.split()[1] for s in split_script(script)] == ["TABLE", "TRIGGER"]
    with pytest.raises(ValueError):
        split_script("CREATE TABLE u (a TEXT)")


def test_an_order_lost_while_offline_is_announced_but_not_the_pairing_history(store):
    replica = ShopReplica(store)
    # Pairing pull (no cursor yet): the day's refused and cancelled orders are history.
    first = replica.apply_pull(pull(cursor=5, orders=[
        wire_order("ord_1", 1, "rejected", reject_reason="timeout"),
        wire_order("ord_2", 2, "cancelled")]))
    assert first.timed_out_orders == [] and first.cancelled_orders == []
    # Offline while ord_3 arrived and was refused, ord_4 arrived and was cancelled.
    later = replica.apply_pull(pull(cursor=9, orders=[
        wire_order("ord_3", 3, "rejected", reject_reason="timeout"),
        wire_order("ord_4", 4, "cancelled"),
        wire_order("ord_5", 5, "rejected", reject_reason="too_busy")]))  # the shop's own answer
    assert [o["id"] for o in later.timed_out_orders] == ["ord_3"]
    assert [o["id"] for o in later.cancelled_orders] == ["ord_4"]


@pytest.mark.parametrize(("setting", "kept"), [
    ('[{"id": "ord_1", "why": "timeout", "number": 1, "customer": "Zoé"},'
     ' {"id": "ord_2", "why": "cancelled", "number": 2}, {"no": "id"}, 7]',
     [("ord_1", "timeout", 1, "Zoé"), ("ord_2", "cancelled", 2, "")]),
    ("{not json", []),
    ('{"id": "ord_1"}', []),
])
def test_lost_orders_kept_in_the_old_setting_move_to_their_table(tmp_path, setting, kept):
    import sqlite_utils

    from posapp.domain.orders import OrdersService
    from posapp.store.migrations import MIGRATIONS

    conn = sqlite3.connect(tmp_path / DB_FILENAME)
    MIGRATIONS.apply(sqlite_utils.Database(conn), stop_before="0010_lost_orders")
    conn.execute("INSERT INTO settings (key, value) VALUES ('lost_orders_unseen', ?)", (setting,))
    conn.commit()
    conn.close()
    store = open_store(tmp_path)
    try:
        unseen = OrdersService(store).lost_unseen()
        assert [(e["id"], e["why"], e["number"], e["customer"]) for e in unseen] == kept
        assert store.query_one("SELECT 1 AS x FROM settings WHERE key = 'lost_orders_unseen'") \
            is None
    finally:
        store.close()
