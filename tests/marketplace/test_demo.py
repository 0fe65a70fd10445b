"""The demo order generator, through the real customer endpoint."""

from __future__ import annotations

import random

import httpx

from marketplace.catalogue import DEMO_PRODUCTS
from marketplace.demo import DemoOrderGenerator, build_demo_order, place_demo_order
from sync.wire import parse_pull
from tests.marketplace.conftest import open_shop


def test_the_generator_places_french_orders_the_shop_app_accepts(server):
    shop = open_shop(server)
    generator = DemoOrderGenerator(server.url, shop.shop_id, interval=0.05, first_burst=3,
                                   seed=7, max_orders=6)
    generator.start()
    generator.wait(10)
    generator.stop()
    assert len(generator.placed) == 6
    pulled = parse_pull(shop.pull())  # the sync engine's own wire checks
    assert len(pulled["orders"]) == 6
    names = " ".join(o["customer_name"] for o in pulled["orders"])
    assert any(ch in names for ch in "éèëïöœçñüâ")
    for order in generator.placed:
        assert order["status"] == "new" and order["lines"] and order["total_cents"] > 0
        assert order["channel"] in ("collect", "delivery")
        assert order["channel"] == "collect" or order["customer"]["address"]


def test_orders_that_cannot_be_taken_are_skipped(server):
    shop = open_shop(server)
    with httpx.Client() as http:
        shop.push(("shop.pause", {"paused": True}))
        assert place_demo_order(http, server.url, shop.shop_id, random.Random(1)) is None
        shop.push(("shop.pause", {"paused": False}))
        for product in shop.pull()["products"]:  # sell everything at the counter
            shop.push(("stock.adjust", {"sku": product["sku"], "delta": -product["stock"],
                                        "reason": "counter_sale"}))
        assert place_demo_order(http, server.url, shop.shop_id, random.Random(2)) is None
    assert shop.pull()["orders"] == []


def test_orders_never_ask_for_more_than_the_stock():
    rng = random.Random(3)
    products = [{"sku": "A", "name": "Croissant", "availability": "few_left"},
                {"sku": "B", "name": "Éclair café", "availability": "sold_out"}]
    for _ in range(50):
        body = build_demo_order(products, rng)
        assert body is not None
        assert body["lines"] == [{"sku": "A", "qty": 1, "options": body["lines"][0]["options"]}]


def test_a_shop_nobody_watches_gets_no_demo_order(server):
    shop_id, _code = server.create_shop("Sans comptoir", products=DEMO_PRODUCTS)
    with httpx.Client() as http:
        assert place_demo_order(http, server.url, shop_id, random.Random(4)) is None
