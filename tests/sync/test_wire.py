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


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59.999Z",
                                    "2026-13-01T00:00:00Z", "2026-11-23T10:00:00"])
def test_impossible_times_are_not_times(moment):
    from sync.protocol import parse_iso

    assert parse_iso(moment) is None


@pytest.mark.parametrize(
    "breakage",
    [
        lambda p: p["orders"][0].update(history=5),
        lambda p: p["products"][0].update(stock=2**70),
        lambda p: p["orders"][0]["lines"][0].update(qty=-(2**64)),
        lambda p: p["orders"][0].update(created_at="9999-12-31T23:59:59.999Z"),
    ],
)
def test_answers_that_would_crash_later_are_refused_now(breakage):
    raw = pull(orders=[_as_server_sends(wire_order())], products=[wire_product()])
    breakage(raw)
    with pytest.raises(ProtocolError):
        parse_pull(raw)


def test_more_without_a_cursor_that_moves_is_refused():
    with pytest.raises(ProtocolError, match="cursor stayed"):
        parse_pull({**pull(cursor=7), "more": True}, asked_cursor=7)
    assert parse_pull({**pull(cursor=8), "more": True}, asked_cursor=7)["more"]
    assert not parse_pull(pull(cursor=7), asked_cursor=7)["more"]  # nothing new: fine


def test_one_reset_page_passes_but_not_a_second_in_a_row():
    reset = {**pull(cursor=3), "more": True, "reset": True}
    assert parse_pull(reset, asked_cursor=7)["reset"]  # cursor back and more: the first page
    with pytest.raises(ProtocolError, match="reset again"):
        parse_pull(reset, asked_cursor=3, after_reset=True)
    assert parse_pull({**pull(cursor=5), "more": True}, asked_cursor=3, after_reset=True)


def test_the_shop_s_timed_pause_and_time_zone_are_read_and_odd_values_dropped():
    from sync.wire import parse_pull

    base = {"cursor": 1, "last_mutation_id": 0, "orders": [], "products": []}
    shop = {"id": "s", "name": "n", "paused": True, "paused_until": "2026-11-23T12:00:00.000Z",
            "time_zone": "Europe/Paris"}
    parsed = parse_pull({**base, "shop": shop})["shop"]
    assert parsed["paused_until"] == "2026-11-23T12:00:00.000Z"
    assert parsed["time_zone"] == "Europe/Paris"
    odd = parse_pull({**base, "shop": {**shop, "paused_until": "soon", "time_zone": 3}})["shop"]
    assert odd["paused_until"] is None and odd["time_zone"] is None
    old_server = parse_pull({**base, "shop": {"id": "s", "name": "n"}})["shop"]
    assert old_server["paused_until"] is None and old_server["time_zone"] is None
