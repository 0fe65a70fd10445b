"""When the engine speaks and retries: status order, Retry-After, a pusher woken by the counter."""

from __future__ import annotations

import threading
import time

import pytest

from marketplace.embedded import EmbeddedMarketplace
from posapp.domain.stock import StockService
from posapp.store.db import Store, open_store
from posapp.store.replica import ShopReplica
from sync.client import _retry_after, pair_device
from sync.engine import SyncEngine, SyncStatus
from tests.conftest import wait_until
from tests.factories import pull, wire_product
from tests.sync.stub_server import LongestJitter, StubServer


class _SlowFirst:
    """A listener whose first delivery is slow, as a busy GUI thread's queue can be."""

    def __init__(self) -> None:
        self.delivered: list[SyncStatus] = []

    def sync_status_changed(self, status: SyncStatus) -> None:
        if status.last_error == "first":
            time.sleep(0.5)
        self.delivered.append(status)

    def pulled(self, summary) -> None: ...
    def mutations_refused(self, refused) -> None: ...


def test_status_changes_reach_the_listener_in_the_order_they_happened():
    listener = _SlowFirst()
    engine = SyncEngine("http://127.0.0.1:9", None, lambda: None, listener)  # never started
    first = threading.Thread(target=engine._set_status, kwargs={"last_error": "first"})
    first.start()
    wait_until(lambda: engine.status.last_error == "first")  # decided, not yet delivered
    second = threading.Thread(target=engine._set_status, kwargs={"last_error": "second"})
    second.start()
    first.join()
    second.join()
    assert [s.last_error for s in listener.delivered] == ["first", "second"]
    assert listener.delivered[-1] == engine.status  # the UI ends on the real state


def _busy_server(retry_after: str) -> StubServer:
    """503 with a Retry-After to every request."""
    return StubServer(lambda query: (503, {"error": {"code": "busy", "message": "later"}},
                                     {"Retry-After": retry_after}))


@pytest.fixture
def shop_store(tmp_path):
    store = open_store(tmp_path / "shop")
    ShopReplica(store).apply_pull(pull(cursor=3, products=[wire_product(stock=10)]))
    yield store
    store.close()


def test_retry_after_is_honoured_even_by_a_woken_pusher(shop_store, recorder):
    server = _busy_server("2")
    StockService(shop_store).adjust("ECL", -1, "counter_sale")
    engine = SyncEngine(server.url, "token", lambda: ShopReplica(Store(shop_store.path)),
                        recorder, wait=1.0, timeout=2.0, backoff_cap=0.1)
    engine.start()
    try:
        wait_until(lambda: server.methods().count("POST") == 1)
        engine.push_soon()  # a counter action does not override the server's wish
        wait_until(lambda: server.methods().count("GET") >= 2, timeout=5)
        wait_until(lambda: server.methods().count("POST") >= 2, timeout=5)
    finally:
        engine.stop()
        server.close()
    for method in ("GET", "POST"):
        times = [hit["at"] for hit in server.hits if hit["method"] == method]
        assert times[1] - times[0] >= 1.9, method  # not the 0.1-s backoff cap


def test_a_counter_action_wakes_a_pusher_waiting_to_retry(tmp_path, market, demo_shop,
                                                          recorder):
    answer = pair_device(market.url, demo_shop[1], "counter")
    store = open_store(tmp_path / "shop")
    rng = LongestJitter()
    engine = SyncEngine(market.url, answer["device_token"],
                        lambda: ShopReplica(Store(store.path)), recorder, wait=10.0,
                        backoff_base=30.0, backoff_cap=30.0, rng=rng)
    engine.start()
    try:
        wait_until(lambda: store.query_one("SELECT count(*) AS n FROM products")["n"] > 0)
        sku = StockService(store).products()[0]["sku"]
        port, db_path = market.port, market.db_path
        market.stop()
        StockService(store).adjust(sku, -1, "counter_sale")
        engine.push_soon()
        wait_until(lambda: rng.draws >= 2)  # both loops failed: each now waits 30 s
        back = EmbeddedMarketplace(db_path, port=port)
        back.start()
        try:
            StockService(store).adjust(sku, -1, "counter_sale")
            engine.push_soon()
            wait_until(lambda: ShopReplica(store).pending_count() == 0, timeout=3)
        finally:
            engine.stop()
            back.stop()
    finally:
        engine.stop()
        store.close()


def test_stop_is_immediate_while_waiting_for_pairing(shop_store, recorder):
    engine = SyncEngine("http://127.0.0.1:9", None,
                        lambda: ShopReplica(Store(shop_store.path)), recorder)
    engine.start()
    wait_until(lambda: recorder.last is not None)  # the puller is up, waiting for a token
    started = time.monotonic()
    engine.stop()
    assert time.monotonic() - started < 1.0
    assert not [t for t in threading.enumerate() if t.name.startswith("comptoir-")]


def test_new_credentials_end_a_pusher_waiting_out_a_retry_after(tmp_path, market, demo_shop,
                                                                recorder):
    busy = _busy_server("50")
    answer = pair_device(market.url, demo_shop[1], "counter")
    store = open_store(tmp_path / "shop")
    engine = SyncEngine(busy.url, "token", lambda: ShopReplica(Store(store.path)), recorder,
                        wait=1.0, timeout=2.0)
    engine.start()
    try:
        wait_until(lambda: "GET" in busy.methods())
        engine.set_credentials(market.url, answer["device_token"])
        wait_until(lambda: store.query_one("SELECT count(*) AS n FROM products")["n"] > 0)
        sku = StockService(store).products()[0]["sku"]
        engine.set_credentials(busy.url, "token")  # the pusher hears "come back in 50 s"
        StockService(store).adjust(sku, -1, "counter_sale")
        engine.push_soon()
        wait_until(lambda: "POST" in busy.methods())
        engine.set_credentials(market.url, answer["device_token"])
        engine.push_soon()
        wait_until(lambda: ShopReplica(store).pending_count() == 0, timeout=5)
    finally:
        engine.stop()
        busy.close()
        store.close()


def test_retry_after_is_capped_at_a_minute():
    assert _retry_after("300") == 60.0
    assert _retry_after("20") == 20.0
