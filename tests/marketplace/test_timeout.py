"""Orders nobody acknowledges are rejected by the marketplace (reason "timeout")."""

from __future__ import annotations

import threading
import time

import pytest

from marketplace.catalogue import DEMO_PRODUCTS
from marketplace.embedded import EmbeddedMarketplace
from tests.marketplace.conftest import open_shop
from tests.pg import BACKENDS, database_for


@pytest.fixture(scope="module", params=BACKENDS)
def hasty(request, tmp_path_factory):
    with database_for(request.param, tmp_path_factory.mktemp("hasty")) as database:
        market = EmbeddedMarketplace(database, settings={"auto_reject_after_s": 0.6,
                                                         "timeout_check_interval_s": 0.1})
        market.start()
        yield market
        market.stop()


def test_an_unacknowledged_order_is_rejected_and_its_stock_returns(hasty):
    shop = open_shop(hasty)
    cursor = shop.pull()["cursor"]
    forgotten = shop.place([("BUCHE", 2)])
    handled = shop.place([("CROIS", 1)])
    shop.push(("order.accept", {"order_id": handled["id"], "ready_by": "2026-11-23T13:00:00Z"}))
    assert shop.stock()["BUCHE"] == DEMO_PRODUCTS[9]["stock"] - 2

    out: dict = {}

    def wait_for_the_timeout() -> None:  # a long-poll sees the rejection when it happens
        seen = shop.pull(cursor)["cursor"]
        started = time.monotonic()
        while time.monotonic() - started < 5:
            answer = shop.pull(seen, wait=5)
            seen = answer["cursor"]
            if any(o["status"] == "rejected" for o in answer["orders"]):
                out["at"] = time.monotonic()
                return

    waiter = threading.Thread(target=wait_for_the_timeout)
    waiter.start()
    waiter.join(10)
    order = shop.get_order(forgotten["id"]).json()
    assert order["status"] == "rejected"
    assert order["reject_reason"] == "timeout"
    assert order["history"][-1]["by"] == "marketplace"
    assert "at" in out
    assert shop.stock()["BUCHE"] == DEMO_PRODUCTS[9]["stock"]
    assert shop.get_order(handled["id"]).json()["status"] == "accepted"
    # Too late for the shop to accept it now.
    answer = shop.push(("order.accept", {"order_id": forgotten["id"],
                                         "ready_by": "2026-11-23T13:00:00Z"}))
    assert answer["results"][0]["error"]["code"] == "illegal_transition"


def test_the_default_delay_is_ten_minutes():
    from marketplace.settings import Settings

    assert Settings().auto_reject_after_s == 600
    assert Settings(auto_reject_after_s=2).sweep_interval_s == 0.5
    with pytest.raises(ValueError):
        Settings.coerce({"auto_reject_after": 5})  # a typo is an error, not a default
