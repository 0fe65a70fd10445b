"""Bad input gets a 4xx in the error shape, never a traceback; a server fault gets a 500 in it."""

from __future__ import annotations

import os
import sqlite3

import httpx
import pytest

from marketplace.embedded import EmbeddedMarketplace
from tests.marketplace.conftest import open_shop


def _is_error(response: httpx.Response, status: int, code: str | None = None) -> bool:
    body = response.json()
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert code is None or body["error"]["code"] == code, body
    return True


def _posts(shop):
    return [f"{shop.url}/v1/pair", f"{shop.url}/v1/push",
            f"{shop.url}/v1/customer/shops/{shop.shop_id}/orders"]


@pytest.mark.parametrize("raw", [b"", b"{", b"{'a': 1}", b"\xff\xfe\xfa", b"[1, 2,]",
                                 b'{"client_id": NaN}', b'{"x": Infinity}',
                                 b'{"name": "\\ud800"}', b"[" * 3_000])
def test_malformed_json_is_400(shop, raw):
    for url in _posts(shop):
        response = shop.http.post(url, content=raw, headers={**shop.auth,
                                                             "content-type": "application/json"})
        assert _is_error(response, 400, "invalid_json")


@pytest.mark.parametrize("body", [b"null", b"1", b'"text"', b"[]", b'{"unexpected": true}'])
def test_json_of_the_wrong_shape_is_422(shop, body):
    for url in _posts(shop):
        response = shop.http.post(url, content=body, headers={**shop.auth,
                                                              "content-type": "application/json"})
        assert _is_error(response, 422, "invalid_request")


def test_a_body_too_large_is_413(shop):
    big = b'{"client_id": "' + b"x" * (3 * 1024 * 1024) + b'"}'
    response = shop.http.post(f"{shop.url}/v1/push", content=big,
                              headers={**shop.auth, "content-type": "application/json"})
    assert _is_error(response, 413, "payload_too_large")


def test_unknown_routes_and_methods(shop):
    assert _is_error(shop.http.get(f"{shop.url}/v1/nothing"), 404, "not_found")
    assert _is_error(shop.http.get(f"{shop.url}/v1/push", headers=shop.auth), 405,
                     "method_not_allowed")
    assert _is_error(shop.http.put(f"{shop.url}/v1/pull"), 405, "method_not_allowed")


def test_text_is_unicode_throughout(shop):
    order = shop.place([("ECL", 1, ["très frais ☕"])], note="Près de l'église — 2ᵉ étage 🚪",
                       customer={"name": "Maël Dubœuf", "phone": "+33 6 00 00 00 00"})
    assert shop.get_order(order["id"]).json()["note"] == "Près de l'église — 2ᵉ étage 🚪"
    raw = shop.get_order(order["id"])
    assert "Maël Dubœuf".encode() in raw.content  # UTF-8 on the wire, not \\u escapes


def test_health(shop):
    response = shop.http.get(f"{shop.url}/v1/health")
    assert response.json() == {"status": "ok", "protocol": 1, "worker": os.getpid()}


def test_a_server_fault_is_a_500_in_the_error_shape(tmp_path):
    market = EmbeddedMarketplace(tmp_path / "m.db")
    market.start()
    try:
        shop = open_shop(market)
        # Break the database under the server: a table the order writes (with its COMMIT)
        # and the pull that reads the stock back does not read.
        with sqlite3.connect(market.db_path) as conn:
            conn.execute("DROP TABLE stock_movements")
        response = shop.order([("CROIS", 1)])
        assert _is_error(response, 500, "internal_error")
        assert "Traceback" not in response.text
        assert shop.stock()["CROIS"] == 48  # the failed transaction took nothing
        shop.http.close()
    finally:
        market.stop()


def test_nul_characters_are_422_on_both_backends_never_a_500(server, shop):
    """PostgreSQL's text cannot hold NUL (SQLite can): refused alike before any query."""
    _, code = server.create_shop("Épicerie NUL", "1 rue du Test")
    paired = httpx.post(f"{server.url}/v1/pair",
                        json={"pairing_code": code, "device_name": "Comptoir\x00"})
    assert _is_error(paired, 422, "invalid_request")
    assert "NUL" in paired.json()["error"]["message"]
    pushed = shop.push_raw([{"id": 1, "name": "shop.pause", "args": {"paused": False}}],
                           client_id="c\x00")
    assert _is_error(pushed, 422, "invalid_request")
    # A mutation's own arguments: refused as that mutation, like any unknown product.
    renamed = shop.push_raw([{"id": 1, "name": "product.set_available",
                              "args": {"sku": "ECL\x00", "available": False}}])
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["results"][0]["status"] == "refused"
    odd = shop.push_raw([{"id": 2, "name": "shop.pause\x00",
                          "args": {"paused": False}}])
    assert odd.status_code == 200, odd.text
    assert odd.json()["results"][0]["error"]["code"] == "bad_args"
    pulled = shop.http.get(f"{shop.url}/v1/pull", headers=shop.auth,
                           params={"cursor": 0, "wait": 0, "client_id": "c\x00"})
    assert _is_error(pulled, 422, "invalid_request")
    assert _is_error(shop.order([("CROIS", 1)], note="sans\x00sel"), 422)
    # The shop is untouched and still answers.
    assert shop.pull()["shop"]["id"] == shop.shop_id


def test_a_fault_in_a_pull_is_a_500_in_the_error_shape(tmp_path):
    """Pulls take a shortcut past the router (app.LongPollShortcut), which must stay inside
    CatchAll: a fault there is answered like anywhere else, and the server goes on."""
    market = EmbeddedMarketplace(tmp_path / "m.db")
    market.start()
    try:
        shop = open_shop(market)
        with sqlite3.connect(market.db_path) as conn:
            conn.execute("DROP TABLE products")  # what every pull reads
        response = shop.http.get(f"{shop.url}/v1/pull", params={"cursor": 0},
                                 headers=shop.auth)
        assert _is_error(response, 500, "internal_error")
        assert "Traceback" not in response.text
        assert shop.http.get(f"{shop.url}/v1/health").status_code == 200
        shop.http.close()
    finally:
        market.stop()
