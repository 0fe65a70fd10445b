"""Bounded orders: no paper bomb from an anonymous request (issue 12, point 1)."""

from __future__ import annotations

from typing import Any

import pytest

from marketplace.order_limits import MAX_LINES_PER_ORDER, TEXT_LIMITS


def _order(shop, **fields: Any):
    body: dict[str, Any] = {"customer": {"name": "Zoé", "phone": "0601020304"},
                            "channel": "collect", "lines": [{"sku": "CROIS", "qty": 1}]}
    for key, value in fields.items():
        if key.startswith("customer_"):
            body["customer"][key.removeprefix("customer_")] = value
        else:
            body[key] = value
    return shop.http.post(f"{shop.url}/v1/customer/shops/{shop.shop_id}/orders", json=body)


def _refused(response, field: str) -> None:
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid_request" and error["field"] == field, error


def test_the_audit_paper_bomb_is_refused(shop):
    bomb = "\n" * 400_000  # the audit's 801 KB order: ~400,000 printed lines
    too_big = _order(shop, note=bomb)
    assert too_big.status_code == 413, too_big.text  # an order body is at most 64 KiB
    _refused(_order(shop, note="\n" * 30_000), "note")
    _refused(_order(shop, note="x" * 301), "note")
    assert shop.pull()["orders"] == []


@pytest.mark.parametrize("field", ["customer.name", "customer.phone", "customer.address", "note",
                                   "allergens", "idempotency_key"])
def test_every_free_text_field_has_a_length_limit(shop, field):
    limit = TEXT_LIMITS[field].max_chars
    key = field.replace(".", "_")
    _refused(_order(shop, **{key: "x" * (limit + 1)}), field)


@pytest.mark.parametrize("field", ["customer.address", "note", "allergens"])
def test_multi_line_fields_have_a_line_limit(shop, field):
    lines = TEXT_LIMITS[field].max_lines
    key = field.replace(".", "_")
    _refused(_order(shop, **{key: "\n".join(["x"] * (lines + 1))}), field)
    assert _order(shop, **{key: "\n".join(["x"] * lines)}).status_code == 201


@pytest.mark.parametrize("field", ["customer.name", "customer.phone", "idempotency_key"])
def test_one_line_fields_take_no_line_break(shop, field):
    _refused(_order(shop, **{field.replace(".", "_"): "Zoé\nLefèvre"}), field)


def test_printer_control_characters_are_refused(shop):
    _refused(_order(shop, note="Merci\x1bi"), "note")  # ESC i: cut the paper
    _refused(_order(shop, customer_name="Zoé\x1bp\x00\x19\xfa"), "customer.name")  # the drawer
    _refused(_order(shop, allergens="noix\u2028noisettes"), "allergens")


def test_lines_and_options_per_order_are_bounded(shop):
    lines = [{"sku": "CROIS", "qty": 1}] * (MAX_LINES_PER_ORDER + 1)
    _refused(_order(shop, lines=lines), "lines")
    _refused(_order(shop, lines=[{"sku": "CROIS", "qty": 1, "options": ["a"] * 6}]),
             "lines[0].options")
    _refused(_order(shop, lines=[{"sku": "CROIS", "qty": 1, "options": ["a\nb"]}]),
             "lines[0].options[0]")
    _refused(_order(shop, lines=[{"sku": "CROIS", "qty": 1, "options": ["o" * 51]}]),
             "lines[0].options[0]")
    _refused(_order(shop, lines=[{"sku": "CROIS", "qty": 100}]), "lines[0].qty")
