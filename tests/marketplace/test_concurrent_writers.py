"""Issue 13 point 2: a pull's cursor is right under many concurrent writers of one shop.

Customers place orders and two counters push mutations (accepting orders, adjusting
stock) for the same shop, all at once through the real server, while a third counter
pulls with its cursor in a loop. On PostgreSQL the writers' transactions really run
side by side (one connection each); a change stamped with a version but committed
after a pull already returned a later cursor would be skipped forever. The puller's
replica must end up equal to the truth, having seen each change once.
"""

from __future__ import annotations

import itertools
import queue
import threading
import time
from typing import Any

import httpx

from marketplace.embedded import EmbeddedMarketplace
from tests.marketplace.conftest import ShopSession

CUSTOMERS = 6
ORDERS_EACH = 25
COUNTERS = 2
DEADLINE_S = 90.0
PRODUCTS = [{"sku": f"P{i}", "name": f"Produit {i}", "price_cents": 100 + i,
             "stock": 1_000_000, "category": "test"} for i in range(4)]


def _pair(market: EmbeddedMarketplace, shop_id: str, client_id: str) -> ShopSession:
    code = market.new_pairing_code(shop_id)
    answer = httpx.post(f"{market.url}/v1/pair", json={"pairing_code": code,
                                                       "device_name": client_id}, timeout=10)
    assert answer.status_code == 200, answer.text
    return ShopSession(market.url, shop_id, answer.json()["device_token"], client_id=client_id)


def _everything(session: ShopSession) -> dict[str, list[dict[str, Any]]]:
    """Pull from 0, every page (a fresh client's view)."""
    cursor, orders, products = 0, [], []
    for _ in range(100):  # bounded
        body = session.pull(cursor)
        orders += body["orders"]
        products += body["products"]
        cursor = body["cursor"]
        if not body["more"]:
            return {"orders": orders, "products": products}
    raise AssertionError("no end to the pages")


def test_no_change_is_skipped_or_repeated_by_a_pull_under_concurrent_writers(database):
    settings = {"auto_reject_after_s": 600, "max_open_orders_per_customer": 1000}
    with EmbeddedMarketplace(database, settings=settings) as market:
        shop_id, _code = market.create_shop("Boulangerie très demandée", products=PRODUCTS)
        puller = _pair(market, shop_id, "c_puller")
        counters = [_pair(market, shop_id, f"c_counter{i}") for i in range(COUNTERS)]
        placed: queue.Queue[str] = queue.Queue()
        placed_ids: set[str] = set()
        accepted_ids: set[str] = set()
        stock_moves: dict[str, int] = {p["sku"]: 0 for p in PRODUCTS}
        lock = threading.Lock()
        errors: list[str] = []
        writing = threading.Event()  # customers still ordering
        writing.set()
        done = threading.Event()  # every writer finished
        deadline = time.monotonic() + DEADLINE_S
        phones = itertools.count(10_000_000)

        def customer(n: int) -> None:
            with httpx.Client(timeout=20) as http:
                for i in range(ORDERS_EACH):
                    sku = PRODUCTS[(n + i) % len(PRODUCTS)]["sku"]
                    with lock:
                        phone = f"06{next(phones):08d}"
                    response = http.post(f"{market.url}/v1/customer/shops/{shop_id}/orders", json={
                        "customer": {"name": f"Client {n}", "phone": phone}, "channel": "collect",
                        "lines": [{"sku": sku, "qty": 1}], "idempotency_key": f"k-{n}-{i}"})
                    if response.status_code != 201:
                        errors.append(f"order: {response.status_code} {response.text}")
                        return
                    with lock:
                        placed_ids.add(response.json()["id"])
                        stock_moves[sku] -= 1
                    placed.put(response.json()["id"])

        def counter(session: ShopSession, n: int) -> None:
            # Accept every other order it takes from the queue; adjust stock in between.
            while time.monotonic() < deadline:
                try:
                    order_id = placed.get(timeout=0.05)
                except queue.Empty:
                    if not writing.is_set():
                        return
                    continue
                sku = PRODUCTS[n % len(PRODUCTS)]["sku"]
                mutations: list[tuple[str, dict[str, Any]]] = [
                    ("stock.adjust", {"sku": sku, "delta": -2, "reason": "counter_sale"})]
                if hash(order_id) % 2:
                    mutations.append(("order.accept", {"order_id": order_id,
                                                       "ready_by": "2026-11-23T13:00:00Z"}))
                answer = session.push(*mutations)
                if any(r["status"] != "applied" for r in answer["results"]):
                    errors.append(f"push: {answer}")
                    return
                with lock:
                    stock_moves[sku] -= 2
                    if len(mutations) == 2:
                        accepted_ids.add(order_id)

        # The puller's replica, built only from pulls: what a counter would hold.
        replica_orders: dict[str, str] = {}
        replica_stock: dict[str, int] = {}
        delivered: list[tuple[str, str]] = []  # (order id, status) as each pull delivered it
        pulls = 0

        def pull_loop() -> None:
            nonlocal pulls
            cursor = 0
            quiet_after_writes = False
            while time.monotonic() < deadline:
                body = puller.pull(cursor, wait=0 if done.is_set() else 1)
                pulls += 1
                assert not body["reset"] and body["cursor"] >= cursor
                cursor = body["cursor"]
                for order in body["orders"]:
                    delivered.append((order["id"], order["status"]))
                    replica_orders[order["id"]] = order["status"]
                for product in body["products"]:
                    replica_stock[product["sku"]] = product["stock"]
                if body["more"]:
                    continue
                if done.is_set() and not body["orders"] and not body["products"]:
                    if quiet_after_writes:
                        return  # two empty pulls after every writer is done: caught up
                    quiet_after_writes = True

        threads = [threading.Thread(target=customer, args=(n,)) for n in range(CUSTOMERS)]
        threads += [threading.Thread(target=counter, args=(s, n)) for n, s in enumerate(counters)]
        pulling = threading.Thread(target=pull_loop)
        pulling.start()
        for thread in threads:
            thread.start()
        for thread in threads[:CUSTOMERS]:
            thread.join(DEADLINE_S)
        writing.clear()  # counters drain the queue, then stop
        for thread in threads[CUSTOMERS:]:
            thread.join(DEADLINE_S)
        done.set()
        pulling.join(DEADLINE_S)
        assert not pulling.is_alive() and not any(t.is_alive() for t in threads)
        assert errors == []

        truth = _everything(puller)  # one fresh look at everything, for comparison
        assert len(placed_ids) == CUSTOMERS * ORDERS_EACH
        assert {o["id"]: o["status"] for o in truth["orders"]} == {
            order_id: "accepted" if order_id in accepted_ids else "new" for order_id in placed_ids}
        # Nothing skipped: every order in the replica, in its last state; every stock.
        assert replica_orders == {o["id"]: o["status"] for o in truth["orders"]}
        assert replica_stock == {p["sku"]: p["stock"] for p in truth["products"]}
        assert replica_stock == {p["sku"]: p["stock"] + stock_moves[p["sku"]] for p in PRODUCTS}
        # Nothing delivered twice: an order comes again only when it changed.
        assert len(delivered) == len(set(delivered))
        assert pulls > 10  # the puller really pulled while the writers wrote
