"""respond_by: the marketplace's deadline for an answer, on every order, down to the shop's
store; the timeout sweep keeps that promise."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from marketplace.embedded import EmbeddedMarketplace
from posapp.domain.orders import OrdersService
from posapp.store.db import open_store
from posapp.store.replica import ShopReplica
from sync.protocol import parse_iso
from sync.wire import ProtocolError, parse_pull
from tests.marketplace.conftest import open_shop

DELAY_S = 1.5


@pytest.fixture(scope="module")
def market(tmp_path_factory):
    market = EmbeddedMarketplace(tmp_path_factory.mktemp("respond") / "m.db",
                                 settings={"auto_reject_after_s": DELAY_S,
                                           "timeout_check_interval_s": 0.1})
    market.start()
    yield market
    market.stop()


def _deadline(order: dict) -> dt.timedelta:
    return parse_iso(order["respond_by"]) - parse_iso(order["created_at"])


def test_every_order_carries_its_deadline_and_the_sweep_keeps_it(market, tmp_path):
    shop = open_shop(market)
    placed = shop.place([("CROIS", 1)])
    assert _deadline(placed) == dt.timedelta(seconds=DELAY_S)  # the customer sees it too
    answered = shop.place([("CROIS", 1)])
    shop.push(("order.accept", {"order_id": answered["id"], "ready_by": "2026-11-23T13:00:00Z"}))
    pulled = shop.pull()
    assert {o["id"] for o in pulled["orders"]} >= {placed["id"], answered["id"]}
    assert all(_deadline(o) == dt.timedelta(seconds=DELAY_S) for o in pulled["orders"])

    # The shop's store keeps it, for the board's countdown.
    store = open_store(tmp_path / "shop")
    try:
        ShopReplica(store).apply_pull(parse_pull(pulled))
        [new] = OrdersService(store).board()["new"]
        assert new["id"] == placed["id"] and new["respond_by"] == placed["respond_by"]
    finally:
        store.close()

    # Refused on timeout, not before its respond_by (and soon after it).
    started = time.monotonic()
    while shop.get_order(placed["id"]).json()["status"] == "new" and time.monotonic() - started < 5:
        time.sleep(0.05)
    refused = shop.get_order(placed["id"]).json()
    assert refused["status"] == "rejected" and refused["reject_reason"] == "timeout"
    refused_at = parse_iso(refused["history"][-1]["at"])
    assert parse_iso(placed["respond_by"]) <= refused_at
    assert refused_at - parse_iso(placed["respond_by"]) < dt.timedelta(seconds=1)


def test_the_client_checks_respond_by(market):
    shop = open_shop(market)
    shop.place([("CROIS", 1)])
    answer = shop.pull()
    assert parse_pull(answer)["orders"][0]["respond_by"] == answer["orders"][0]["respond_by"]
    del answer["orders"][0]["respond_by"]  # an older server: no countdown, no failure
    assert parse_pull(answer)["orders"][0]["respond_by"] is None
    answer["orders"][0]["respond_by"] = "in ten minutes"
    with pytest.raises(ProtocolError):
        parse_pull(answer)
