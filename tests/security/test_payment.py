"""Payment is not the customer's word (issue 12, point 2)."""

from __future__ import annotations

import json
import time

import httpx

from marketplace import payments
from marketplace.embedded import EmbeddedMarketplace
from tests.marketplace.conftest import open_shop

SECRET = "partagé-avec-le-prestataire"
SETTINGS = {"payment_secret": SECRET}


def _notify(shop, order, *, secret=SECRET, amount=None, stamp=None, reference="pi_1"):
    body = json.dumps({"shop_id": shop.shop_id, "order_id": order["id"],
                       "amount_cents": order["total_cents"] if amount is None else amount,
                       "reference": reference}).encode()
    stamp = int(time.time()) if stamp is None else stamp
    return httpx.post(f"{shop.url}/v1/payments/notify", content=body, headers={
        "Content-Type": "application/json", "X-Comptoir-Timestamp": str(stamp),
        "X-Comptoir-Signature": payments.sign(secret, stamp, body)})


def test_an_anonymous_order_cannot_say_it_is_paid(shop):
    response = shop.order([("CROIS", 2)], paid=True)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == "paid"
    assert shop.pull()["orders"] == []
    order = shop.place([("CROIS", 2)], paid=False)
    assert order["paid"] is False


def test_a_signed_notification_marks_the_order_paid_for_the_shop(shop):
    order = shop.place([("CROIS", 2)])
    cursor = shop.pull()["cursor"]
    response = _notify(shop, order)
    assert response.status_code == 200, response.text
    assert response.json()["paid"] is True
    [pulled] = shop.pull(cursor)["orders"]  # the counter learns it at its next pull
    assert pulled["id"] == order["id"] and pulled["paid"] is True
    assert _notify(shop, order).status_code == 200  # the provider retries: harmless


def test_forged_stale_or_wrong_notifications_change_nothing(shop):
    order = shop.place([("CROIS", 1)])
    forged = _notify(shop, order, secret="deviné")
    assert forged.status_code == 401 and forged.json()["error"]["code"] == "bad_signature"
    stale = _notify(shop, order, stamp=int(time.time()) - 3600)
    assert stale.status_code == 401 and stale.json()["error"]["code"] == "stale_notification"
    cheap = _notify(shop, order, amount=1)
    assert cheap.status_code == 409 and cheap.json()["error"]["code"] == "amount_mismatch"
    unsigned = httpx.post(f"{shop.url}/v1/payments/notify", json={
        "shop_id": shop.shop_id, "order_id": order["id"], "amount_cents": order["total_cents"],
        "reference": "x"})
    assert unsigned.status_code == 401
    assert [o["paid"] for o in shop.pull()["orders"]] == [False]


def test_without_a_secret_there_is_no_payment_endpoint(tmp_path):
    with EmbeddedMarketplace(tmp_path / "m.db") as market:
        shop = open_shop(market)
        order = shop.place([("CROIS", 1)])
        assert _notify(shop, order).status_code == 404
