"""Push: once-only, in-order application, refusals that never block the queue."""

from __future__ import annotations

import pytest

from tests.db import sql

ACCEPT_AT = "2026-11-23T12:30:00.000Z"


def _codes(answer):
    return [(r["id"], r["status"], r.get("error", {}).get("code")) for r in answer["results"]]


def test_replaying_a_push_applies_it_once(shop):
    before = shop.stock()["CROIS"]
    batch = [{"id": 1, "name": "stock.adjust",
              "args": {"sku": "CROIS", "delta": -2, "reason": "counter_sale"},
              "at": "2026-11-23T12:00:00.000Z"},
             {"id": 2, "name": "stock.adjust", "args": {"sku": "NOPE", "delta": 1,
                                                        "reason": "restock"}}]
    first = shop.push_raw(batch).json()
    again = shop.push_raw(batch).json()
    assert first == again == {
        "last_mutation_id": 2,
        "results": [{"id": 1, "status": "applied"},
                    {"id": 2, "status": "refused",
                     "error": {"code": "unknown_sku", "message": first["results"][1]["error"][
                         "message"]}}],
    }
    assert shop.stock()["CROIS"] == before - 2


def test_a_push_overlapping_an_earlier_one_reports_the_replays(shop):
    def adjust(i, delta):
        return {"id": i, "name": "stock.adjust",
                "args": {"sku": "PAC", "delta": delta, "reason": "restock"}}

    before = shop.stock()["PAC"]
    shop.push_raw([adjust(1, 1), adjust(2, 2), adjust(3, 4)])
    answer = shop.push_raw([adjust(2, 2), adjust(3, 4), adjust(7, 8), adjust(9, 16)]).json()
    assert answer["last_mutation_id"] == 9
    assert [r["id"] for r in answer["results"]] == [2, 3, 7, 9]
    assert all(r["status"] == "applied" for r in answer["results"])
    assert shop.stock()["PAC"] == before + 1 + 2 + 4 + 8 + 16


def test_mutations_apply_in_order(shop):
    order = shop.place([("ECL", 1)])
    answer = shop.push(("order.accept", {"order_id": order["id"], "ready_by": ACCEPT_AT}),
                       ("order.ready", {"order_id": order["id"]}),
                       ("order.collected", {"order_id": order["id"]}))
    assert [r["status"] for r in answer["results"]] == ["applied"] * 3
    pulled = next(o for o in shop.pull()["orders"] if o["id"] == order["id"])
    assert pulled["status"] == "completed"
    assert pulled["ready_by"] == ACCEPT_AT
    assert [h["status"] for h in pulled["history"]] == ["new", "accepted", "ready", "completed"]
    assert [h["by"] for h in pulled["history"]] == ["customer", "shop", "shop", "shop"]


def test_refusals_do_not_block_the_queue(shop):
    order = shop.place([("CROIS", 1)])
    before = shop.stock()["BAGT"]
    answer = shop.push(
        ("order.ready", {"order_id": order["id"]}),                        # new → ready: illegal
        ("order.accept", {"order_id": "ord_nope", "ready_by": ACCEPT_AT}),  # unknown order
        ("stock.adjust", {"sku": "NOPE", "delta": 1, "reason": "restock"}),  # unknown sku
        ("stock.adjust", {"sku": "BAGT", "delta": 0, "reason": "restock"}),  # bad args
        ("stock.adjust", {"sku": "BAGT", "delta": 1, "reason": "gift"}),     # bad args
        ("order.accept", {"order_id": order["id"], "ready_by": "demain"}),   # bad args
        ("order.teleport", {"order_id": order["id"]}),                       # unknown mutation
        ("stock.adjust", {"sku": "BAGT", "delta": 10**12, "reason": "restock"}),  # too big
        ("order.accept", {"order_id": order["id"], "ready_by": ACCEPT_AT}),  # fine
        ("stock.adjust", {"sku": "BAGT", "delta": 5, "reason": "restock"}),  # fine
    )
    assert [code for _, _, code in _codes(answer)] == [
        "illegal_transition", "unknown_order", "unknown_sku", "bad_args", "bad_args", "bad_args",
        "unknown_mutation", "bad_args", None, None]
    assert answer["last_mutation_id"] == 10
    assert all(r["error"]["message"] for r in answer["results"] if r["status"] == "refused")
    assert shop.stock()["BAGT"] == before + 5
    assert shop.pull()["last_mutation_id"] == 10


def test_an_illegal_transition_changes_nothing(shop):
    order = shop.place([("CROIS", 1)])
    assert shop.cancel(order["id"]).status_code == 200
    answer = shop.push(("order.accept", {"order_id": order["id"], "ready_by": ACCEPT_AT}))
    assert _codes(answer) == [(1, "refused", "illegal_transition")]
    assert shop.get_order(order["id"]).json()["status"] == "cancelled"


def test_clients_have_their_own_ids(shop):
    adjust = {"id": 1, "name": "stock.adjust",
              "args": {"sku": "FLAN", "delta": -1, "reason": "waste"}}
    before = shop.stock()["FLAN"]
    assert shop.push_raw([adjust], client_id="c_one").json()["results"][0]["status"] == "applied"
    assert shop.push_raw([adjust], client_id="c_two").json()["results"][0]["status"] == "applied"
    assert shop.stock()["FLAN"] == before - 2
    assert shop.pull(client_id="c_one")["last_mutation_id"] == 1
    assert shop.pull(client_id="c_never")["last_mutation_id"] == 0


def test_an_id_below_the_last_one_that_was_never_seen_is_refused(shop):
    shop.push_raw([{"id": 10, "name": "shop.pause", "args": {"paused": False}}])
    answer = shop.push_raw([{"id": 5, "name": "shop.pause", "args": {"paused": True}}]).json()
    assert _codes(answer) == [(5, "refused", "mutation_id_reused")]
    assert answer["last_mutation_id"] == 10
    assert shop.pull()["shop"]["paused"] is False


def test_another_mutation_under_a_processed_id_is_never_answered_applied(shop):
    """A counter restored from an older backup numbers new changes below the server's last id."""
    def sale(i, delta, at="2026-11-23T12:00:00.000Z"):
        return {"id": i, "name": "stock.adjust", "at": at,
                "args": {"sku": "PAC", "delta": delta, "reason": "counter_sale"}}

    before = shop.stock()["PAC"]
    shop.push_raw([sale(1, -1), sale(2, -2), sale(3, -3)])
    # Same id, same content in another key order: a true replay, its stored result.
    again = {"id": 2, "name": "stock.adjust", "at": "2026-11-23T12:00:00.000Z",
             "args": {"reason": "counter_sale", "delta": -2, "sku": "PAC"}}
    assert _codes(shop.push_raw([again]).json()) == [(2, "applied", None)]
    # Same id, another sale (another quantity, or the same one made later): refused with a
    # code of its own, and nothing after it in the batch is processed (order is kept).
    answer = shop.push_raw([sale(2, -10), sale(3, -3, at="2026-11-23T13:00:00.000Z"),
                            sale(4, -4)]).json()
    assert _codes(answer) == [(2, "refused", "mutation_id_reused")]
    assert answer["last_mutation_id"] == 3
    assert shop.stock()["PAC"] == before - 6
    # Re-numbered above last_mutation_id, they apply.
    answer = shop.push_raw([sale(4, -10), sale(5, -3, at="2026-11-23T13:00:00.000Z"),
                            sale(6, -4)]).json()
    assert [s for _, s, _ in _codes(answer)] == ["applied"] * 3
    assert shop.stock()["PAC"] == before - 6 - 17


def test_counter_stock_can_go_below_zero_and_is_in_the_ledger(shop, server):
    stock = shop.stock()["BUCHE"]
    shop.push(("stock.adjust", {"sku": "BUCHE", "delta": -(stock + 3), "reason": "count"}))
    assert shop.stock()["BUCHE"] == -3
    ledger = [tuple(r.values()) for r in sql(
        server, "SELECT delta, reason, source, client_id, mutation_id FROM stock_movements"
                " WHERE shop_id = ? AND sku = 'BUCHE' AND source = 'counter'", (shop.shop_id,))]
    assert ledger == [(-(stock + 3), "count", "counter", shop.client_id, 1)]


def test_availability_and_pause(shop):
    shop.push(("product.set_available", {"sku": "ECL", "available": False}),
              ("shop.pause", {"paused": True}))
    pulled = shop.pull()
    assert pulled["shop"]["paused"] is True
    assert shop.product("ECL")["available"] is False
    shop.push(("shop.pause", {"paused": False}))
    assert shop.order([("ECL", 1)]).json()["error"]["code"] == "out_of_stock"


@pytest.mark.parametrize("body", [
    [],
    {"mutations": []},
    {"client_id": "", "mutations": []},
    {"client_id": 7, "mutations": []},
    {"client_id": "c", "mutations": {}},
    {"client_id": "c", "mutations": [{"id": "1", "name": "shop.pause", "args": {}}]},
    {"client_id": "c", "mutations": [{"id": 0, "name": "shop.pause", "args": {}}]},
    {"client_id": "c", "mutations": [{"id": 2**63, "name": "shop.pause", "args": {}}]},
    {"client_id": "c", "mutations": [{"id": True, "name": "shop.pause", "args": {}}]},
    {"client_id": "c", "mutations": [{"id": 1, "name": 5, "args": {}}]},
    {"client_id": "c", "mutations": [{"id": i, "name": "shop.pause", "args": {"paused": False}}
                                     for i in range(1, 502)]},
])
def test_malformed_push_requests_are_422_and_change_nothing(shop, body):
    response = shop.http.post(f"{shop.url}/v1/push", json=body, headers=shop.auth)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "invalid_request"
    assert shop.pull(client_id="c")["last_mutation_id"] == 0


def test_ids_going_down_within_a_push_are_409_and_change_nothing(shop):
    body = {"client_id": "c", "mutations": [{"id": 2, "name": "shop.pause", "args": {}},
                                            {"id": 1, "name": "shop.pause", "args": {}}]}
    response = shop.http.post(f"{shop.url}/v1/push", json=body, headers=shop.auth)
    assert (response.status_code, response.json()["error"]["code"]) == (409, "ids_not_increasing")
    assert shop.pull(client_id="c")["last_mutation_id"] == 0


def test_args_of_the_wrong_type_are_a_refusal_not_an_error(shop):
    answer = shop.push_raw([{"id": 1, "name": "stock.adjust", "args": ["CROIS", -1]},
                            {"id": 2, "name": "shop.pause", "args": {"paused": "yes"}},
                            {"id": 3, "name": "product.set_available",
                             "args": {"sku": 12, "available": True}}]).json()
    assert _codes(answer) == [(1, "refused", "bad_args"), (2, "refused", "bad_args"),
                              (3, "refused", "bad_args")]


def test_a_time_off_the_calendar_is_refused_not_a_server_error(tmp_path):
    import httpx

    from marketplace.embedded import EmbeddedMarketplace

    with EmbeddedMarketplace(tmp_path / "m.db") as market:
        shop_id, code = market.seed_demo_shop()
        token = httpx.post(f"{market.url}/v1/pair",
                           json={"pairing_code": code, "device_name": "t"}).json()["device_token"]
        body = {"client_id": "c1", "mutations": [
            {"id": 1, "name": "order.accept", "at": "2026-11-23T10:00:00.000Z",
             "args": {"order_id": "ord_x", "ready_by": "0001-01-01T00:00:00+01:00"}},
            {"id": 2, "name": "shop.pause", "at": "2026-11-23T10:00:00.000Z",
             "args": {"paused": False}}]}
        r = httpx.post(f"{market.url}/v1/push", json=body,
                       headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200
    assert [x["status"] for x in r.json()["results"]] == ["refused", "applied"]
    assert r.json()["last_mutation_id"] == 2
