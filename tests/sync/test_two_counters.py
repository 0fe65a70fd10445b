"""Two counters of one shop (two paired devices) against one real marketplace over loopback."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from posapp.domain import ledger
from posapp.domain.ledger import LedgerService
from posapp.domain.orders import OrdersService
from posapp.domain.stock import StockService
from posapp.store.db import Store, open_store
from posapp.store.replica import ShopReplica
from sync.client import pair_device
from sync.engine import SyncEngine
from tests.conftest import Recorder, wait_until

# Issue 13: the two-counter scenario on SQLite and on PostgreSQL (ids sqlite/postgresql).
pytestmark = pytest.mark.both_backends


@dataclass
class Counter:
    store: Store
    engine: SyncEngine
    token: str

    @property
    def stock(self) -> StockService:
        return StockService(self.store)

    @property
    def orders(self) -> OrdersService:
        return OrdersService(self.store)

    def pending(self) -> int:
        return ShopReplica(self.store).pending_count()

    def client_id(self) -> str:
        return ShopReplica(self.store).client_id()


def _start_counter(market, shop_id: str, code: str, folder: Path, name: str) -> Counter:
    answer = pair_device(market.url, code, name)
    assert answer["shop_id"] == shop_id
    store = open_store(folder)
    engine = SyncEngine(market.url, answer["device_token"],
                        lambda: ShopReplica(Store(store.path)), Recorder(),
                        wait=10.0, timeout=3.0, backoff_cap=0.5)
    engine.start()
    wait_until(lambda: store.query_one("SELECT count(*) AS n FROM products")["n"] > 0)
    return Counter(store, engine, answer["device_token"])


@pytest.fixture
def counters(tmp_path, market, demo_shop) -> Iterator[tuple[Counter, Counter]]:
    shop_id, code = demo_shop
    a = _start_counter(market, shop_id, code, tmp_path / "a", "Comptoir 1")
    b = _start_counter(market, shop_id, market.new_pairing_code(shop_id), tmp_path / "b",
                       "Comptoir 2")
    yield a, b
    for counter in (a, b):
        counter.engine.stop()
        counter.store.close()


def _server_stock(market, token: str) -> dict[str, int]:
    with httpx.Client(timeout=10) as http:
        answer = http.get(f"{market.url}/v1/pull", params={"cursor": 0},
                          headers={"Authorization": f"Bearer {token}"})
    return {p["sku"]: p["stock"] for p in answer.json()["products"]}


def _quantities(counter: Counter) -> dict[str, int]:
    return {p["sku"]: p["quantity"] for p in counter.stock.products()}


def _settled(a: Counter, b: Counter, market) -> bool:
    if a.pending() or b.pending():
        return False
    server = _server_stock(market, a.token)
    return _quantities(a) == server == _quantities(b)


def test_both_counters_are_distinct_clients_of_the_same_shop(counters):
    a, b = counters
    assert a.client_id() != b.client_id()
    assert _quantities(a) == _quantities(b)


def test_an_order_accepted_on_one_counter_shows_accepted_on_the_other(counters, customer):
    a, b = counters
    sku = a.stock.products()[0]["sku"]
    placed = customer.place([(sku, 1)])
    wait_until(lambda: a.orders.get(placed["id"]) and b.orders.get(placed["id"]))
    assert b.orders.get(placed["id"])["status"] == "new"
    a.orders.accept(placed["id"], ready_in_minutes=15)
    a.engine.push_soon()
    wait_until(lambda: b.orders.get(placed["id"])["status"] == "accepted", timeout=10)
    assert b.orders.get(placed["id"])["ready_by"] == customer.get(placed["id"])["ready_by"]
    # The second counter marks it ready; the first sees that too.
    b.orders.mark_ready(placed["id"])
    b.engine.push_soon()
    wait_until(lambda: a.orders.get(placed["id"])["status"] == "ready", timeout=10)
    assert customer.get(placed["id"])["status"] == "ready"


def test_stock_changes_from_both_counters_add_up_and_ledgers_agree(counters, customer, market):
    a, b = counters
    product = a.stock.products()[0]
    sku, start = product["sku"], product["quantity"]
    a.stock.adjust(sku, -2, "counter_sale")
    b.stock.adjust(sku, 5, "restock")
    customer.place([(sku, 1)])
    a.engine.push_soon()
    b.engine.push_soon()
    wait_until(lambda: _settled(a, b, market), timeout=10)
    assert _quantities(a)[sku] == _quantities(b)[sku] == start - 2 + 5 - 1
    for counter, mine, theirs in ((a, -2, 5), (b, 5, -2)):
        assert ledger.check(counter.store.conn) == []
        rows = LedgerService(counter.store).movements(sku)
        own = [r for r in rows if r["source"] == "counter"]
        assert [(r["delta"], r["confirmed"], r["counter_id"]) for r in own] == [
            (mine, 1, counter.client_id())]
        assert [r["delta"] for r in rows if r["source"] == "online"] == [-1]
        # The other counter's movement reaches this ledger through the marketplace.
        assert sum(r["delta"] for r in rows if r["reason"] == "sync") == theirs
        assert sum(r["delta"] for r in rows) == start - 2 + 5 - 1


def test_concurrent_changes_on_both_counters_converge(counters, customer, market):
    a, b = counters
    skus = [p["sku"] for p in a.stock.products()[:3]]
    start = {sku: q for sku, q in _quantities(a).items() if sku in skus}

    def work(counter: Counter, sign: int) -> None:
        own = Store(counter.store.path)  # the counter's GUI thread, in effect
        stock = StockService(own)
        for i in range(30):
            stock.adjust(skus[i % 3], sign * (1 + i % 2), "correction")
            if i % 5 == 0:
                counter.engine.push_soon()
        own.close()
        counter.engine.push_soon()

    threads = [threading.Thread(target=work, args=(a, -1)),
               threading.Thread(target=work, args=(b, +1))]
    for thread in threads:
        thread.start()
    orders = [customer.place([(skus[0], 1)]) for _ in range(3)]
    for thread in threads:
        thread.join()
    wait_until(lambda: _settled(a, b, market), timeout=20)
    # a: -45 spread over the skus; b: +45 likewise; the customer took 3 of the first.
    final = _quantities(a)
    assert {sku: final[sku] for sku in skus} == {skus[0]: start[skus[0]] - 3,
                                                  skus[1]: start[skus[1]],
                                                  skus[2]: start[skus[2]]}
    for counter in (a, b):
        assert ledger.check(counter.store.conn) == []
        wait_until(lambda c=counter: all(c.orders.get(o["id"]) for o in orders))
