"""A shop's token reaches its own shop only: nothing of another shop can be read or changed,
and refusals never reveal that another shop's order or product exists."""

from __future__ import annotations

import hashlib

import httpx
import pytest

from tests.marketplace.conftest import open_shop

READY_BY = "2026-11-23T13:00:00.000Z"


@pytest.fixture
def two_shops(server):
    a, b = open_shop(server, "Boucherie Anaïs"), open_shop(server, "Boulangerie Bérénice")
    server.add_products(b.shop_id, [{"sku": "ONLYB", "name": "Spécialité de B",
                                     "price_cents": 500, "stock": 9}])
    yield a, b
    a.http.close()
    b.http.close()


def test_a_pull_shows_only_the_callers_shop(two_shops):
    a, b = two_shops
    b_order = b.place([("CROIS", 3)])
    pulled = a.pull()
    assert pulled["shop"]["id"] == a.shop_id
    assert pulled["orders"] == []
    assert "ONLYB" not in {p["sku"] for p in pulled["products"]}
    assert {p["sku"]: p["stock"] for p in pulled["products"]}["CROIS"] == 48  # not B's 45
    assert b_order["id"] in {o["id"] for o in b.pull()["orders"]}


def test_mutations_on_another_shops_things_are_refused_as_unknown(two_shops):
    a, b = two_shops
    b_order = b.place([("CROIS", 1)])
    before_b = b.pull()
    answer = a.push(
        ("order.accept", {"order_id": b_order["id"], "ready_by": READY_BY}),
        ("order.reject", {"order_id": b_order["id"], "reason": "other"}),
        ("order.ready", {"order_id": b_order["id"]}),
        ("order.collected", {"order_id": b_order["id"]}),
        ("stock.adjust", {"sku": "ONLYB", "delta": -9, "reason": "waste"}),
        ("product.set_available", {"sku": "ONLYB", "available": False}),
        ("shop.pause", {"paused": True}),  # pauses A, never B
    )
    codes = [r.get("error", {}).get("code") for r in answer["results"]]
    assert codes == ["unknown_order"] * 4 + ["unknown_sku"] * 2 + [None]
    # The refusal for another shop's order reads exactly like one for a made-up id.
    made_up = a.push(("order.ready", {"order_id": "ord_00000000000000000000"}))["results"][0]
    assert answer["results"][2]["error"]["message"].replace(b_order["id"], "X") == \
        made_up["error"]["message"].replace("ord_00000000000000000000", "X")
    after_b = b.pull()
    assert after_b["orders"] == before_b["orders"]
    assert after_b["products"] == before_b["products"]
    assert after_b["shop"]["paused"] is False
    assert a.pull()["shop"]["paused"] is True


def test_a_shared_sku_name_changes_only_the_callers_product(two_shops):
    a, b = two_shops
    a.push(("stock.adjust", {"sku": "CROIS", "delta": -40, "reason": "counter_sale"}))
    assert a.stock()["CROIS"] == 8
    assert b.stock()["CROIS"] == 48


def test_client_ids_are_per_shop(two_shops):
    a, b = two_shops
    a.push(("shop.pause", {"paused": False}), ("shop.pause", {"paused": False}))
    assert a.pull()["last_mutation_id"] == 2
    assert b.pull()["last_mutation_id"] == 0  # same client_id "c_test", other shop
    answer = b.push_raw([{"id": 1, "name": "shop.pause", "args": {"paused": False}}]).json()
    assert answer["results"] == [{"id": 1, "status": "applied"}]  # not a replay of A's


@pytest.mark.parametrize("forge", [
    lambda b: b.shop_id,                                   # the shop id itself
    lambda b: hashlib.sha256(b.token.encode()).hexdigest(),  # what the database holds
    lambda b: b.token[:-1] + ("A" if b.token[-1] != "A" else "B"),  # one character off
    lambda b: b.token.upper(),
    lambda b: "cpt_" + "A" * 43,
])
def test_forged_tokens_read_and_change_nothing(two_shops, forge):
    a, b = two_shops
    headers = {"Authorization": f"Bearer {forge(b)}"}
    assert httpx.get(f"{b.url}/v1/pull", headers=headers).status_code == 401
    pushed = httpx.post(f"{b.url}/v1/push", headers=headers, json={
        "client_id": "x", "mutations": [{"id": 1, "name": "shop.pause", "args": {"paused": True}}]})
    assert pushed.status_code == 401
    assert pushed.json()["error"]["code"] == "unauthorized"
    assert b.pull()["shop"]["paused"] is False


def test_customer_paths_do_not_cross_shops(two_shops):
    a, b = two_shops
    b_order = b.place([("PAC", 2)])
    base = f"{a.url}/v1/customer/shops/{a.shop_id}/orders/{b_order['id']}"
    read = httpx.get(base)
    cancel = httpx.post(f"{base}/cancel")
    assert (read.status_code, read.json()["error"]["code"]) == (404, "unknown_order")
    assert (cancel.status_code, cancel.json()["error"]["code"]) == (404, "unknown_order")
    assert b.get_order(b_order["id"]).json()["status"] == "new"
    assert b.stock()["PAC"] == 40 - 2
    # Ordering B's own product through A's shop does not find it either.
    assert a.order([("ONLYB", 1)]).json()["error"]["code"] == "unknown_sku"
