"""Customers see what they need, nothing more; one customer cannot drain a shop (point 6)."""

from __future__ import annotations

import httpx

from marketplace.catalogue import DEMO_PRODUCTS

SETTINGS = {"max_units_per_order": 12, "max_open_orders_per_customer": 2,
            "max_open_units_per_customer": 15}


def test_the_public_catalogue_shows_availability_not_quantities(shop):
    shop.push(("stock.adjust", {"sku": "BUCHE", "delta": -3, "reason": "counter_sale"}),  # 1 ≤ 2
              ("product.set_available", {"sku": "ECL", "available": False}))
    catalogue = httpx.get(f"{shop.url}/v1/customer/shops/{shop.shop_id}").json()
    products = {p["sku"]: p for p in catalogue["products"]}
    assert len(products) == len(DEMO_PRODUCTS)
    for product in products.values():
        assert "stock" not in product and "low_stock_threshold" not in product, product
    assert products["BUCHE"]["availability"] == "few_left"
    assert products["ECL"]["availability"] == "sold_out"
    assert products["CROIS"]["availability"] == "available"


def test_an_order_id_alone_reads_or_cancels_nothing(shop):
    response = shop.order([("CROIS", 1)], customer={"name": "Zoé Lefèvre",
                                                    "phone": "06 11 22 33 44",
                                                    "address": "3 rue des Orfèvres"})
    order = response.json()
    secret = order["order_secret"]
    assert len(secret) >= 32
    base = f"{shop.url}/v1/customer/shops/{shop.shop_id}/orders/{order['id']}"
    for headers in ({}, {"X-Order-Secret": "devine"}, {"X-Order-Secret": secret[:-1]}):
        read = httpx.get(base, headers=headers)
        assert (read.status_code, read.json()["error"]["code"]) == (404, "unknown_order")
        assert "Zoé" not in read.text and "06 11" not in read.text
        cancel = httpx.post(f"{base}/cancel", headers=headers)
        assert cancel.status_code == 404
    assert shop.pull()["orders"][0]["status"] == "new"
    read = httpx.get(base, headers={"X-Order-Secret": secret})
    assert read.status_code == 200 and read.json()["customer"]["name"] == "Zoé Lefèvre"
    assert "order_secret" not in read.json()
    assert httpx.post(f"{base}/cancel", headers={"X-Order-Secret": secret}).json()["status"] \
        == "cancelled"


def test_the_secret_comes_back_with_an_idempotent_replay(shop):
    first = shop.order([("CROIS", 1)], idempotency_key="k-1").json()
    again = shop.order([("CROIS", 1)], idempotency_key="k-1")
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["order_secret"] == first["order_secret"]


def test_one_customer_cannot_drain_the_stock(shop):
    too_big = shop.order([("BAGT", 13)])
    assert too_big.status_code == 409 and too_big.json()["error"]["code"] == "order_too_large"
    shop.place([("BAGT", 10)], customer={"name": "Léa", "phone": "+33 6 01 02 03 04"})
    # The same phone written otherwise is the same customer: 10 + 6 > 15 units held open.
    held = shop.order([("BAGT", 6)], customer={"name": "Léa", "phone": "06.01.02.03.04"})
    assert held.status_code == 409 and held.json()["error"]["code"] == "customer_limit"
    second = shop.place([("BAGT", 5)], customer={"name": "Léa", "phone": "0601020304"})
    third = shop.order([("BAGT", 1)], customer={"name": "Léa", "phone": "0601020304"})
    assert third.status_code == 409  # two open orders already
    shop.push(("order.collected", {"order_id": second["id"]}))  # handed over: no longer open
    shop.place([("BAGT", 1)], customer={"name": "Léa", "phone": "0601020304"})
    shop.place([("BAGT", 12)], customer={"name": "Marc", "phone": "0699999999"})  # another one
