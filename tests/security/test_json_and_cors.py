"""Only JSON bodies, and CORS only for the origins the operator allowed (issue 12, point 5)."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.security.conftest import ALLOWED_ORIGIN

ORDER = {"customer": {"name": "Zoé", "phone": "0601020304"}, "channel": "collect",
         "lines": [{"sku": "CROIS", "qty": 1}]}


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded",
                                          "multipart/form-data; boundary=x", "application/jsonx"])
def test_an_order_not_sent_as_json_is_refused_with_415(shop, content_type):
    headers = {"Content-Type": content_type} if content_type else {}
    response = shop.http.post(f"{shop.url}/v1/customer/shops/{shop.shop_id}/orders",
                              content=json.dumps(ORDER).encode(), headers=headers)
    assert response.status_code == 415, response.text
    assert response.json()["error"]["code"] == "unsupported_media_type"
    assert shop.pull()["orders"] == []


def test_shop_endpoints_want_json_too(shop):
    response = shop.http.post(f"{shop.url}/v1/push", headers={**shop.auth,
                              "Content-Type": "text/plain"},
                              content=json.dumps({"client_id": "c", "mutations": []}))
    assert response.status_code == 415


def _preflight(url: str, origin: str) -> httpx.Response:
    return httpx.options(url, headers={"Origin": origin, "Access-Control-Request-Method": "POST",
                                       "Access-Control-Request-Headers": "content-type"})


def test_cors_preflight_is_refused_to_an_unknown_origin(shop):
    url = f"{shop.url}/v1/customer/shops/{shop.shop_id}/orders"
    response = _preflight(url, "https://evil.example")
    assert response.status_code == 400
    assert "access-control-allow-origin" not in response.headers
    simple = shop.http.get(url.removesuffix("/orders"), headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in simple.headers


def test_cors_is_answered_for_an_allowed_origin(shop):
    url = f"{shop.url}/v1/customer/shops/{shop.shop_id}/orders"
    response = _preflight(url, ALLOWED_ORIGIN)
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == ALLOWED_ORIGIN
    got = shop.http.get(url.removesuffix("/orders"), headers={"Origin": ALLOWED_ORIGIN})
    assert got.headers["access-control-allow-origin"] == ALLOWED_ORIGIN


def test_cors_is_closed_by_default_and_never_on_shop_endpoints(server, tmp_path):
    from marketplace.settings import Settings

    assert Settings().cors_origins == ()
    response = _preflight(f"{server.url}/v1/push", ALLOWED_ORIGIN)
    assert "access-control-allow-origin" not in response.headers
    with pytest.raises(ValueError):
        Settings(cors_origins=("https://x.example/path",))
