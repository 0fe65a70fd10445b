"""Customer orders: stock taken and given back, refusals, idempotency, numbering, ledger."""

from __future__ import annotations

import httpx
import pytest

from marketplace.catalogue import DEMO_PRODUCTS
from tests.db import sql

INITIAL = {p["sku"]: p["stock"] for p in DEMO_PRODUCTS}


def test_an_order_takes_its_stock_and_gets_the_next_number(shop):
    first = shop.place([("CROIS", 2), ("PAC", 1)])
    second = shop.place([("CROIS", 3)])
    assert (first["number"], second["number"]) == (1, 2)
    assert first["status"] == "new"
    assert first["total_cents"] == 2 * 120 + 135
    assert first["lines"][0] == {"sku": "CROIS", "name": "Croissant", "qty": 2,
                                 "unit_price_cents": 120, "options": []}
    assert first["customer"] == {"name": "Zoé Lefèvre", "phone": "06 01 02 03 04",
                                 "address": None}
    assert first["history"] == [{"status": "new", "at": first["created_at"], "by": "customer"}]
    stock = shop.stock()
    assert stock["CROIS"] == INITIAL["CROIS"] - 5
    assert stock["PAC"] == INITIAL["PAC"] - 1


def test_orders_beyond_the_stock_are_refused_and_take_nothing(shop):
    tarts = INITIAL["TARTP"]
    assert shop.order([("TARTP", tarts + 1)]).json()["error"]["code"] == "out_of_stock"
    # Two lines of the same product count together.
    response = shop.order([("TARTP", tarts), ("CROIS", 1), ("TARTP", 1)])
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "out_of_stock"
    assert "Tarte aux pommes" in response.json()["error"]["message"]
    assert shop.stock() == INITIAL
    shop.place([("TARTP", tarts)])  # exactly the stock is fine
    assert shop.order([("TARTP", 1)]).status_code == 409


def test_unavailable_products_are_out_of_stock(shop):
    shop.push(("product.set_available", {"sku": "ECL", "available": False}))
    assert shop.order([("ECL", 1)]).json()["error"]["code"] == "out_of_stock"
    shop.push(("product.set_available", {"sku": "ECL", "available": True}))
    shop.place([("ECL", 1)])


def test_a_paused_shop_takes_no_orders(shop):
    shop.push(("shop.pause", {"paused": True}))
    response = shop.order([("CROIS", 1)])
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "shop_paused"
    assert shop.stock() == INITIAL
    shop.push(("shop.pause", {"paused": False}))
    shop.place([("CROIS", 1)])


def test_unknown_products_and_shops(shop):
    response = shop.order([("CROIS", 1), ("CAVIAR", 1)])
    assert (response.status_code, response.json()["error"]["code"]) == (404, "unknown_sku")
    response = shop.order([("CROIS", 1)], shop_id="shop_nope")
    assert (response.status_code, response.json()["error"]["code"]) == (404, "unknown_shop")
    assert shop.stock() == INITIAL


@pytest.mark.parametrize("qty", [0, -1, 1.5, "2", True, None, 10**6, 2**70])
def test_quantities_must_be_positive_integers(shop, qty):
    response = shop.http.post(
        f"{shop.url}/v1/customer/shops/{shop.shop_id}/orders",
        json={"customer": {"name": "Léa", "phone": "06"}, "channel": "collect",
              "lines": [{"sku": "CROIS", "qty": qty}]})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_request"


@pytest.mark.parametrize("change", [
    {"channel": "drone"}, {"channel": "delivery"}, {"lines": []}, {"lines": "CROIS"},
    {"customer": "Léa"}, {"customer": {"name": "", "phone": "06"}}, {"paid": "yes"},
    {"pickup_slot": "16h"}, {"pickup_slot": "2026-11-23T16:00:00"}, {"note": 3},
    {"idempotency_key": 12}, {"lines": [{"sku": "CROIS", "qty": 1, "options": "chaud"}]},
])
def test_invalid_orders_are_422(shop, change):
    body = {"customer": {"name": "Léa", "phone": "06"}, "channel": "collect",
            "lines": [{"sku": "CROIS", "qty": 1}], **change}
    response = shop.http.post(f"{shop.url}/v1/customer/shops/{shop.shop_id}/orders", json=body)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "invalid_request"


def test_a_delivery_with_an_address(shop):
    order = shop.place([("QUICHE", 1)], channel="delivery",
                       customer={"name": "Hélène", "phone": "06",
                                 "address": "12 rue des Tanneurs, 67000 Strasbourg"})
    assert order["channel"] == "delivery"
    assert order["customer"]["address"] == "12 rue des Tanneurs, 67000 Strasbourg"


def test_the_same_idempotency_key_gives_the_same_order(shop):
    first = shop.order([("ECL", 2)], idempotency_key="panier-42")
    again = shop.order([("ECL", 2)], idempotency_key="panier-42")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert shop.stock()["ECL"] == INITIAL["ECL"] - 2
    assert len(shop.pull()["orders"]) == 1
    different = shop.order([("ECL", 3)], idempotency_key="panier-42")
    assert (different.status_code, different.json()["error"]["code"]) == (
        409, "idempotency_conflict")
    assert shop.order([("ECL", 1)], idempotency_key="panier-43").json()["number"] == 2


def test_customer_cancellation_gives_the_stock_back(shop):
    order = shop.place([("FLAN", 3), ("CROIS", 1)])
    response = shop.cancel(order["id"])
    assert response.status_code == 200
    cancelled = response.json()
    assert cancelled["status"] == "cancelled"
    assert cancelled["history"][-1]["by"] == "customer"
    assert shop.stock() == INITIAL
    assert shop.cancel(order["id"]).json() == cancelled  # again: nothing more happens
    assert shop.stock() == INITIAL


def test_an_accepted_order_can_still_be_cancelled_a_completed_one_not(shop):
    accepted = shop.place([("CROIS", 1)])
    done = shop.place([("PAC", 1)])
    shop.push(("order.accept", {"order_id": accepted["id"], "ready_by": "2026-11-23T13:00:00Z"}),
              ("order.collected", {"order_id": done["id"]}))
    assert shop.cancel(accepted["id"]).json()["status"] == "cancelled"
    response = shop.cancel(done["id"])
    assert (response.status_code, response.json()["error"]["code"]) == (409, "illegal_transition")
    assert shop.stock()["CROIS"] == INITIAL["CROIS"]
    assert shop.stock()["PAC"] == INITIAL["PAC"] - 1


def test_a_rejection_by_the_shop_gives_the_stock_back(shop, server):
    order = shop.place([("KOUGL", 2)])
    answer = shop.push(("order.reject", {"order_id": order["id"], "reason": "too_busy"}))
    assert answer["results"][0]["status"] == "applied"
    rejected = shop.get_order(order["id"]).json()
    assert (rejected["status"], rejected["reject_reason"]) == ("rejected", "too_busy")
    assert shop.stock()["KOUGL"] == INITIAL["KOUGL"]
    moves = sql(server, "SELECT delta, source, reason FROM stock_movements"
                        " WHERE order_id = ? ORDER BY id", (order["id"],))
    assert [tuple(m.values()) for m in moves] == [(-2, "online", "order"), (2, "reject", "too_busy")]


def test_the_ledger_adds_up_to_the_stock(shop, server):
    kept = shop.place([("CROIS", 2), ("PAC", 2)])
    cancelled = shop.place([("CROIS", 1)])
    rejected = shop.place([("PAC", 4)])
    shop.cancel(cancelled["id"])
    shop.push(("order.reject", {"order_id": rejected["id"], "reason": "out_of_stock"}),
              ("order.accept", {"order_id": kept["id"], "ready_by": "2026-11-23T13:00:00Z"}),
              ("stock.adjust", {"sku": "CROIS", "delta": -7, "reason": "counter_sale"}),
              ("stock.adjust", {"sku": "PAC", "delta": 12, "reason": "restock"}))
    sums = {r["sku"]: r["total"] for r in sql(
        server, "SELECT sku, CAST(SUM(delta) AS BIGINT) AS total FROM stock_movements"
                " WHERE shop_id = ? GROUP BY sku", (shop.shop_id,))}
    assert sums == shop.stock()
    assert shop.stock()["CROIS"] == INITIAL["CROIS"] - 2 - 7
    assert shop.stock()["PAC"] == INITIAL["PAC"] - 2 + 12


def test_reading_an_order(shop):
    order = shop.place([("CREMB", 1, ["sans caramel"])], allergens="lactose, œufs")
    read = shop.get_order(order["id"])
    assert read.status_code == 200
    assert read.json() == {k: v for k, v in order.items() if k != "order_secret"}
    assert order["allergens"] == "lactose, œufs"
    assert order["lines"][0]["options"] == ["sans caramel"]
    # The answer to the POST is built from what was written, not read back: it must be
    # exactly what a read gives, for every field (a delivery, two lines, a note).
    delivery = shop.place([("PAC", 2), ("CROIS", 1, ["tiède", "coupé"])], channel="delivery",
                          customer={"name": "Hélène", "phone": "06 11 22 33 44",
                                    "address": "3 rue des Lilas\n2e étage"},
                          note="Sonner fort")
    pulled = {o["id"]: o for o in shop.pull()["orders"]}
    for placed in (order, delivery):
        assert shop.get_order(placed["id"]).json() == placed == pulled[placed["id"]]
    missing = shop.get_order("ord_nope")
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "unknown_order")


def test_the_customer_catalogue(shop):
    shop.push(("product.set_available", {"sku": "ECL", "available": False}))
    response = shop.http.get(f"{shop.url}/v1/customer/shops/{shop.shop_id}")
    assert response.status_code == 200
    products = {p["sku"]: p for p in response.json()["products"]}
    assert set(products) == set(INITIAL)
    assert products["ECL"]["availability"] == "sold_out"
    assert shop.http.get(f"{shop.url}/v1/customer/shops/shop_x").status_code == 404


def test_the_catalogue_is_in_the_same_order_on_both_backends(server):
    """Uncategorised products first, then by category and name compared as bytes (SQLite's
    BINARY, PostgreSQL's COLLATE "C"): not a locale's order, which would differ by server."""
    shop_id, _code = server.create_shop("Épicerie ordonnée", products=[
        {"sku": sku, "name": name, "price_cents": 100, "category": category, "stock": 1}
        for sku, name, category in [("A", "éclair", "b"), ("B", "Zeste", "b"), ("C", "zèbre", "b"),
                                    ("D", "sans rayon", None), ("E", "Abricot", "a")]])
    products = httpx.get(f"{server.url}/v1/customer/shops/{shop_id}").json()["products"]
    assert [p["sku"] for p in products] == ["D", "E", "B", "C", "A"]
