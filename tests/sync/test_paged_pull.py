"""A long history comes in pages: never one giant answer, never a skipped or split change."""

from __future__ import annotations

import contextlib

import pytest

from marketplace.embedded import EmbeddedMarketplace
from marketplace.pull import read_pull
from marketplace.storage import open_database
from posapp.store.db import Store, open_store
from posapp.store.replica import ShopReplica
from sync.client import pair_device
from sync.engine import SyncEngine
from sync.wire import ProtocolError, parse_pull
from tests.conftest import Customer, free_port, wait_until, watch_shop
from tests.db import sql, value
from tests.factories import pull
from tests.sync.history import clone_orders


def _history(market, customer, count: int, per_version: int) -> int:
    watch_shop(market, customer.shop_id)  # orders are taken while a counter watches
    sku = customer.http.get(f"{market.url}/v1/customer/shops/{customer.shop_id}").json()
    model = customer.place([(sku["products"][0]["sku"], 1)])
    clone_orders(market, model["id"], count, per_version)
    return count + 1


@pytest.mark.parametrize("per_version,page_size", [(1, 10), (7, 10), (25, 10)])
def test_pages_hold_every_order_once_and_never_split_a_transaction(market, customer,
                                                                   per_version, page_size):
    total = _history(market, customer, 60, per_version)
    seen: list[str] = []
    cursor, pages = 0, 0
    with contextlib.closing(open_database(market.database_url)) as db:
        while True:
            body = read_pull(db, customer.shop_id, cursor, None, page_size=page_size).body
            parse_pull(body, asked_cursor=cursor)
            pages += 1
            versions = {o["id"]: v for o, v in _versions(market, body["orders"])}
            assert len(body["orders"]) <= max(page_size, per_version)
            if body["more"]:
                # The whole last transaction is in this page: nothing of it waits beyond.
                last = max(versions.values())
                assert body["cursor"] == last
                group = {r["id"] for r in sql(
                    market, "SELECT id FROM orders WHERE shop_id = ? AND version = ?",
                    (customer.shop_id, last))}
                assert group <= set(versions)
            seen.extend(o["id"] for o in body["orders"])
            assert body["cursor"] >= cursor
            cursor = body["cursor"]
            if not body["more"]:
                break
            assert pages < 100  # bounded
    assert len(seen) == len(set(seen)) == total
    assert pages >= total // max(page_size, per_version)


def _versions(market, orders):
    for order in orders:
        yield order, value(market, "SELECT version FROM orders WHERE id = ?", (order["id"],))


def test_a_shop_with_a_long_history_pairs_in_pages(tmp_path, recorder):
    market = EmbeddedMarketplace(tmp_path / "market.db", port=free_port(),
                                 settings={"pull_page_size": 25})
    market.start()
    try:
        shop_id, code = market.seed_demo_shop()
        customer = Customer(market.url, shop_id)
        total = _history(market, customer, 400, 3)
        answer = pair_device(market.url, code, "counter")
        store = open_store(tmp_path / "shop")
        engine = SyncEngine(market.url, answer["device_token"],
                            lambda: ShopReplica(Store(store.path)), recorder, wait=10.0)
        engine.start()
        try:
            wait_until(lambda: store.query_one("SELECT count(*) AS n FROM orders")["n"] == total,
                       timeout=20)
            sizes = [len(s.new_orders) for s in recorder.summaries]
            assert max(sizes) <= 27 and len(sizes) >= total // 27
            # Then the long-poll as usual: a new order arrives on its own.
            placed = customer.place([(market_first_sku(store), 1)])
            wait_until(lambda: store.query_one("SELECT 1 AS x FROM orders WHERE id = ?",
                                               (placed["id"],)))
        finally:
            engine.stop()
            customer.http.close()
            store.close()
    finally:
        market.stop()


def market_first_sku(store) -> str:
    return store.query_one("SELECT sku FROM products ORDER BY sku LIMIT 1")["sku"]


def test_a_cursor_the_server_never_issued_is_reset_not_refused(tmp_path, market, demo_shop,
                                                               recorder):
    answer = pair_device(market.url, demo_shop[1], "counter")
    store = open_store(tmp_path / "shop")
    ShopReplica(store).set_state("cursor", str(10**12))  # e.g. the marketplace was reset
    engine = SyncEngine(market.url, answer["device_token"],
                        lambda: ShopReplica(Store(store.path)), recorder, wait=10.0)
    engine.start()
    try:
        wait_until(lambda: store.query_one("SELECT count(*) AS n FROM products")["n"] == 14)
        assert ShopReplica(store).cursor() < 10**12
    finally:
        engine.stop()
        store.close()


@pytest.mark.parametrize("raw,asked", [
    (pull(cursor=-1), None),
    ({**pull(), "last_mutation_id": -3}, None),
    (pull(cursor=4), 5),  # backwards, and the server did not say reset
    ({**pull(), "more": "yes"}, None),
])
def test_a_bad_cursor_is_refused(raw, asked):
    with pytest.raises(ProtocolError):
        parse_pull(raw, asked_cursor=asked)


def test_a_reset_may_go_back_and_pages_are_flagged():
    parsed = parse_pull({**pull(cursor=4), "reset": True, "more": True}, asked_cursor=5)
    assert parsed["cursor"] == 4 and parsed["more"] and parsed["reset"]
    assert parse_pull(pull(cursor=5), asked_cursor=5)["more"] is False
