"""The stock ledger: every movement kept, and the shown quantity is the ledger's sum."""

from __future__ import annotations

import sqlite3

import pytest

from posapp.domain import ledger
from posapp.domain.ledger import LedgerService
from posapp.domain.stock import StockService
from posapp.store.db import Store, open_store
from posapp.store.replica import ShopReplica
from tests.factories import pull, wire_order, wire_product


@pytest.fixture
def store(tmp_path):
    s = open_store(tmp_path)
    yield s
    s.close()


@pytest.fixture
def replica(store):
    r = ShopReplica(store)
    r.apply_pull(pull(products=[wire_product("ECL", stock=10), wire_product("PAIN", stock=4)]))
    return r


def assert_invariant(store: Store) -> None:
    """Shown = confirmed + pending, and both halves are the ledger's sums."""
    assert ledger.check(store.conn) == []
    for p in StockService(store).products():
        balance = LedgerService(store).balance(p["sku"])
        assert p["quantity"] == p["confirmed_qty"] + p["pending_delta"] == balance["quantity"]
        assert (balance["confirmed"], balance["pending"]) == (p["confirmed_qty"],
                                                              p["pending_delta"])


def test_first_sight_is_an_opening_balance(store, replica):
    rows = LedgerService(store).movements("ECL")
    assert [(r["delta"], r["reason"], r["source"], r["confirmed"]) for r in rows] == [
        (10, "opening", "marketplace", 1)]
    assert_invariant(store)


def test_counter_movement_is_pending_then_confirmed_with_its_counter(store, replica):
    mutation_id = StockService(store).adjust("ECL", -3, "counter_sale")
    (row,) = [r for r in LedgerService(store).movements("ECL") if r["source"] == "counter"]
    assert (row["delta"], row["reason"], row["mutation_id"], row["confirmed"]) == (
        -3, "counter_sale", mutation_id, 0)
    assert row["counter_id"] == replica.client_id()
    assert row["price_cents"] == 250
    assert_invariant(store)
    replica.apply_pull(pull(cursor=2, last_mutation_id=mutation_id,
                            products=[wire_product("ECL", stock=7)]))
    assert LedgerService(store).movements("ECL")[0]["confirmed"] == 1
    assert StockService(store).product("ECL")["quantity"] == 7
    assert len(LedgerService(store).movements("ECL")) == 2  # nothing unexplained to add
    assert_invariant(store)


def test_movement_rolled_back_with_its_transaction_leaves_no_trace(store, replica):
    with pytest.raises(RuntimeError), store.transaction():
        StockService(store).adjust("ECL", 5, "restock")
        raise RuntimeError("crash before commit")
    assert store.query_one("SELECT count(*) AS n FROM outbox")["n"] == 0
    assert [r["source"] for r in LedgerService(store).movements("ECL")] == ["marketplace"]
    assert_invariant(store)


def test_online_sale_and_its_rejection_are_recorded_once(store, replica):
    order = wire_order("ord_9", lines=[
        {"sku": "ECL", "name": "Éclair", "qty": 2, "unit_price_cents": 250, "options": []},
        {"sku": "ECL", "name": "Éclair", "qty": 1, "unit_price_cents": 250, "options": ["x"]}])
    sold = pull(cursor=2, orders=[order], products=[wire_product("ECL", stock=7)])
    replica.apply_pull(sold)
    replica.apply_pull(sold)  # a replayed pull adds nothing
    online = [r for r in LedgerService(store).movements("ECL") if r["source"] == "online"]
    assert sorted((r["delta"], r["reason"], r["order_id"]) for r in online) == [
        (-2, "order", "ord_9"), (-1, "order", "ord_9")]
    assert_invariant(store)
    rejected = dict(order, status="rejected", updated_at="2026-11-23T10:05:00.000Z")
    back = pull(cursor=3, orders=[rejected], products=[wire_product("ECL", stock=10)])
    replica.apply_pull(back)
    replica.apply_pull(back)
    returns = [r for r in LedgerService(store).movements("ECL") if r["reason"] == "order_rejected"]
    assert sorted(r["delta"] for r in returns) == [1, 2]
    assert not [r for r in LedgerService(store).movements("ECL") if r["reason"] == "sync"]
    assert_invariant(store)


def test_orders_in_the_first_pull_are_not_counted_twice(store):
    ShopReplica(store).apply_pull(pull(orders=[wire_order()], products=[wire_product(stock=8)]))
    rows = LedgerService(store).movements("ECL")
    assert [(r["delta"], r["reason"]) for r in rows] == [(8, "opening")]
    assert_invariant(store)


def test_physical_count_is_a_delta_against_what_was_seen(store, replica):
    stock = StockService(store)
    seen = stock.product("ECL")["quantity"]  # 10 when the count starts
    replica.apply_pull(pull(cursor=2, orders=[wire_order("ord_2")],  # sells 2 meanwhile
                            products=[wire_product("ECL", stock=8)]))
    stock.count("ECL", counted=9, seen=seen)
    (count,) = [r for r in LedgerService(store).movements("ECL") if r["reason"] == "count"]
    assert count["delta"] == -1
    assert stock.product("ECL")["quantity"] == 7  # the online sale is kept
    assert_invariant(store)


def test_movements_made_elsewhere_are_explained_by_the_marketplace(store, replica):
    mine = StockService(store).adjust("PAIN", 2, "restock")
    # The server applied ours (+2) and another counter's waste (-1): 4 + 2 - 1.
    replica.apply_pull(pull(cursor=2, last_mutation_id=mine,
                            products=[wire_product("PAIN", stock=5)]))
    rows = LedgerService(store).movements("PAIN")
    assert sorted((r["source"], r["reason"], r["delta"]) for r in rows) == [
        ("counter", "restock", 2), ("marketplace", "opening", 4), ("marketplace", "sync", -1)]
    assert_invariant(store)


def test_refused_movement_leaves_the_ledger(store, replica):
    mutation_id = StockService(store).adjust("ECL", -1, "waste")
    replica.record_push(mutation_id, [{"id": mutation_id, "status": "refused",
                                       "code": "unknown_sku", "message": "inconnu"}])
    assert not [r for r in LedgerService(store).movements("ECL") if r["source"] == "counter"]
    assert store.query_one("SELECT count(*) AS n FROM refused_mutations")["n"] == 1
    assert_invariant(store)


def test_restored_store_never_reuses_a_mutation_id_the_server_processed(store, replica):
    replica.apply_pull(pull(cursor=2, last_mutation_id=40))
    assert StockService(store).adjust("ECL", -1, "counter_sale") == 41


def test_existing_store_gets_an_opening_balance_and_its_pending_moves(tmp_path):
    path = tmp_path / "old.db"
    first = Store(path)
    ShopReplica(first).apply_pull(pull(products=[wire_product("ECL", stock=6)]))
    mutation_id = StockService(first).adjust("ECL", -2, "counter_sale")
    first.close()
    # Make it a store from before the ledger existed.
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE stock_ledger")
    conn.execute("DELETE FROM _sqlite_migrations WHERE name = '0003_stock_ledger'")
    conn.commit()
    conn.close()
    again = Store(path)
    rows = LedgerService(again).movements("ECL")
    assert sorted((r["reason"], r["delta"], r["mutation_id"], r["confirmed"]) for r in rows) == [
        ("counter_sale", -2, mutation_id, 0), ("opening", 6, None, 1)]
    assert_invariant(again)
    again.close()


def test_a_refusal_heard_after_the_pull_leaves_no_phantom_sale(tmp_path):
    from posapp.domain import ledger
    from posapp.domain.stock import StockService
    from posapp.store.db import open_store
    from posapp.store.replica import ShopReplica
    from tests.factories import pull, wire_product

    store = open_store(tmp_path)
    replica = ShopReplica(store)
    replica.apply_pull(pull(products=[wire_product(stock=10)]))
    mid = StockService(store).adjust("ECL", -3, "counter_sale")
    # The server refused it; its long-poll answered before the push answer was heard.
    replica.apply_pull(pull(cursor=2, last_mutation_id=mid, products=[wire_product(stock=10)]))
    replica.record_push(mid, [{"id": mid, "status": "refused", "code": "bad_args",
                               "message": "?"}])
    sales = store.conn.execute(
        "SELECT count(*) FROM stock_ledger WHERE reason = 'counter_sale'").fetchone()[0]
    assert sales == 0
    assert ledger.check(store.conn) == []
    assert StockService(store).product("ECL")["quantity"] == 10
