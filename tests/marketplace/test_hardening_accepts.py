"""What the hardening must still let through (issue 12): the guards of tests/security/ are
hostile inputs refused; these are honest ones at the edge, taken."""

from __future__ import annotations

import json
from typing import Any

from marketplace.order_limits import TEXT_LIMITS

ORDER = {"customer": {"name": "Zoé", "phone": "0601020304"}, "channel": "collect",
         "lines": [{"sku": "CROIS", "qty": 1}]}


def _order(shop, **fields: Any):
    body: dict[str, Any] = {"customer": {"name": "Zoé", "phone": "0601020304"},
                            "channel": "collect", "lines": [{"sku": "CROIS", "qty": 1}]}
    for key, value in fields.items():
        if key.startswith("customer_"):
            body["customer"][key.removeprefix("customer_")] = value
        else:
            body[key] = value
    return shop.http.post(f"{shop.url}/v1/customer/shops/{shop.shop_id}/orders", json=body)


def test_json_with_a_charset_is_json(shop):
    response = shop.http.post(f"{shop.url}/v1/customer/shops/{shop.shop_id}/orders",
                              content=json.dumps(ORDER).encode(),
                              headers={"Content-Type": "application/json; charset=utf-8"})
    assert response.status_code == 201, response.text


def test_an_order_at_every_limit_is_taken(shop):
    full = {f: "é" * limit.max_chars for f, limit in TEXT_LIMITS.items()}
    response = _order(shop, customer_name=full["customer.name"],
                      customer_phone=full["customer.phone"],
                      customer_address="\n".join(["a" * 40] * 4), note="\n".join(["n" * 40] * 6),
                      allergens=full["allergens"], idempotency_key=full["idempotency_key"],
                      lines=[{"sku": "CROIS", "qty": 1, "options": ["o" * 50] * 5}])
    assert response.status_code == 201, response.text
