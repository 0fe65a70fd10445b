"""The sync engine against a real reference marketplace over loopback HTTP."""

from __future__ import annotations

import threading
import time

import httpx

from marketplace.embedded import EmbeddedMarketplace
from posapp.domain.orders import OrdersService
from posapp.domain.stock import StockService
from posapp.store.db import Store, open_store
from posapp.store.replica import ShopReplica
from sync.client import pair_device
from sync.engine import SyncEngine
from tests.conftest import wait_until


def _first_product(store) -> dict:
    return StockService(store).products()[0]


def test_new_order_reaches_the_store_within_a_second(live_counter, customer):
    store, _, _ = live_counter
    sku = _first_product(store)["sku"]
    time.sleep(0.3)  # let the engine settle into its long-poll
    started = time.monotonic()
    placed = customer.place([(sku, 1)])
    wait_until(lambda: store.query_one("SELECT 1 AS x FROM orders WHERE id = ?", (placed["id"],)),
               timeout=2.0, interval=0.005)
    assert time.monotonic() - started < 1.0


def test_accepting_at_the_counter_reaches_the_marketplace(live_counter, customer):
    store, engine, _ = live_counter
    sku = _first_product(store)["sku"]
    placed = customer.place([(sku, 1)])
    wait_until(lambda: OrdersService(store).get(placed["id"]))
    OrdersService(store).accept(placed["id"], ready_in_minutes=20)
    engine.push_soon()
    wait_until(lambda: customer.get(placed["id"])["status"] == "accepted")
    # ... and the counter's pending entry is confirmed by the next pull.
    wait_until(lambda: ShopReplica(store).pending_count() == 0)
    assert OrdersService(store).get(placed["id"])["confirmed_status"] == "accepted"


def test_counter_and_online_sales_both_count(live_counter, customer):
    store, engine, _ = live_counter
    product = _first_product(store)
    before = product["quantity"]
    StockService(store).adjust(product["sku"], -2, "counter_sale")
    engine.push_soon()
    customer.place([(product["sku"], 1)])
    wait_until(lambda: ShopReplica(store).pending_count() == 0)
    wait_until(lambda: StockService(store).product(product["sku"])["quantity"] == before - 3)


def test_refused_mutation_is_reported_and_does_not_block(tmp_path, market, demo_shop, customer,
                                                         recorder):
    answer = pair_device(market.url, demo_shop[1], "counter")
    store = open_store(tmp_path / "shop")

    def engine() -> SyncEngine:
        return SyncEngine(market.url, answer["device_token"],
                          lambda: ShopReplica(Store(store.path)), recorder,
                          wait=10.0, timeout=3.0, backoff_cap=0.5)

    first = engine()
    first.start()
    wait_until(lambda: store.query_one("SELECT count(*) AS n FROM products")["n"] > 0)
    sku = _first_product(store)["sku"]
    placed = customer.place([(sku, 1)])
    wait_until(lambda: OrdersService(store).get(placed["id"]))
    first.stop()
    # Offline, the counter accepts an order the customer cancels meanwhile, and restocks.
    assert customer.cancel(placed["id"]).status_code == 200
    OrdersService(store).accept(placed["id"], 10)
    StockService(store).adjust(sku, 4, "restock")
    second = engine()
    second.start()
    try:
        wait_until(lambda: recorder.refusals)
        assert recorder.refusals[0]["code"] == "illegal_transition"
        wait_until(lambda: ShopReplica(store).pending_count() == 0)  # the restock went through
        wait_until(lambda: OrdersService(store).get(placed["id"])["status"] == "cancelled")
        assert OrdersService(store).refused_unseen()[0]["name"] == "order.accept"
    finally:
        second.stop()
        store.close()


def test_offline_changes_survive_and_drain_when_the_server_is_back(tmp_path, market, demo_shop,
                                                                   recorder):
    answer = pair_device(market.url, demo_shop[1], "counter")
    store = open_store(tmp_path / "shop")
    make_engine = lambda: SyncEngine(market.url, answer["device_token"],  # noqa: E731
                                     lambda: ShopReplica(Store(store.path)), recorder,
                                     wait=5.0, timeout=2.0, backoff_cap=0.3)
    engine = make_engine()
    engine.start()
    wait_until(lambda: store.query_one("SELECT count(*) AS n FROM products")["n"] > 0)
    product = _first_product(store)
    port, db_path = market.port, market.db_path
    market.stop()
    for _ in range(5):
        StockService(store).adjust(product["sku"], -1, "counter_sale")
    engine.push_soon()
    wait_until(lambda: recorder.last and not recorder.last.online and recorder.last.last_error)
    assert StockService(store).product(product["sku"])["quantity"] == product["quantity"] - 5
    engine.stop()  # the app is closed while offline...
    restarted = EmbeddedMarketplace(db_path, port=port)
    restarted.start()
    try:
        engine = make_engine()  # ... and opened again when the server is back
        engine.start()
        wait_until(lambda: ShopReplica(store).pending_count() == 0, timeout=10)
        with httpx.Client() as http:
            products = http.get(f"{restarted.url}/v1/pull", params={"cursor": 0},
                                headers={"Authorization": f"Bearer {answer['device_token']}"})
        server_qty = {p["sku"]: p["stock"] for p in products.json()["products"]}
        assert server_qty[product["sku"]] == product["quantity"] - 5
        engine.stop()
    finally:
        restarted.stop()
        store.close()


def test_revoked_token_asks_to_pair_again_and_keeps_the_outbox(live_counter, market, demo_shop,
                                                               recorder):
    store, engine, token = live_counter
    product = _first_product(store)
    httpx.delete(f"{market.url}/v1/devices/self", headers={"Authorization": f"Bearer {token}"})
    StockService(store).adjust(product["sku"], -1, "counter_sale")
    engine.push_soon()
    wait_until(lambda: recorder.last and recorder.last.auth_required)
    assert ShopReplica(store).pending_count() == 1
    new_code = market.new_pairing_code(demo_shop[0])
    answer = pair_device(market.url, new_code, "counter again")
    engine.set_credentials(market.url, answer["device_token"])
    wait_until(lambda: ShopReplica(store).pending_count() == 0, timeout=10)


def test_stop_cuts_a_long_poll_in_flight(tmp_path, market, demo_shop, recorder):
    answer = pair_device(market.url, demo_shop[1], "counter")
    store = open_store(tmp_path / "shop")
    engine = SyncEngine(market.url, answer["device_token"], lambda: ShopReplica(Store(store.path)),
                        recorder, wait=25.0)
    engine.start()
    wait_until(lambda: recorder.summaries)  # the first pull is done: a 25-s long-poll follows
    time.sleep(0.2)
    threads = [t for t in threading.enumerate() if t.name.startswith("comptoir-")]
    started = time.monotonic()
    engine.stop()
    assert time.monotonic() - started < 1.0
    assert threads and not any(t.is_alive() for t in threads)
    store.close()
