import pytest

from sync.wire import ProtocolError, parse_pull, parse_push_response
from tests.factories import pull, wire_order, wire_product


def _as_server_sends(order: dict) -> dict:
    out = {k: v for k, v in order.items() if not k.startswith("customer_")}
    out["customer"] = {"name": order["customer_name"], "phone": order["customer_phone"],
                       "address": order["customer_address"]}
    return out


def test_valid_pull_is_normalised():
    raw = pull(orders=[_as_server_sends(wire_order())], products=[wire_product()])
    parsed = parse_pull(raw)
    assert parsed["orders"][0]["customer_name"] == "Zoé Lefèvre"
    assert parsed["products"][0]["stock"] == 10


@pytest.mark.parametrize(
    "breakage",
    [
        lambda p: p.pop("cursor"),
        lambda p: p.update(cursor="12"),
        lambda p: p["orders"][0].update(status="teleported"),
        lambda p: p["orders"][0]["lines"][0].update(qty=True),
        lambda p: p["orders"][0].update(lines="two croissants"),
        lambda p: p["products"][0].update(stock=None),
        lambda p: p["orders"][0].update(created_at="yesterday"),
        lambda p: p.update(orders=[42]),
    ],
)
def test_malformed_pull_is_refused_whole(breakage):
    raw = pull(orders=[_as_server_sends(wire_order())], products=[wire_product()])
    breakage(raw)
    with pytest.raises(ProtocolError):
        parse_pull(raw)


@pytest.mark.parametrize("raw", [[], {"results": []}, {"last_mutation_id": 1, "results": [{"id": 1}]},
                                 {"last_mutation_id": 1, "results": [{"id": 1, "status": "maybe"}]}])
def test_malformed_push_answer_is_refused(raw):
    with pytest.raises(ProtocolError):
        parse_push_response(raw)
