"""Database work runs a few calls at a time per kind (app.MarketState): orders, pushes and
deliveries on ``db_threads``; the console and the pulls' first reads on threads of their
own."""

from __future__ import annotations

import asyncio
import threading
import time

import httpx
import pytest

from marketplace import app as app_module
from marketplace import orders as orders_module
from marketplace.__main__ import _hardening_settings, build_parser
from marketplace.embedded import EmbeddedMarketplace
from marketplace.settings import Settings
from tests.marketplace.conftest import open_shop


class Overlap:
    """Wraps a function: how many calls ran at once, at most (each held ``hold_s``)."""

    def __init__(self, fn, hold_s: float):
        self.fn, self.hold_s = fn, hold_s
        self.lock = threading.Lock()
        self.now = self.most = 0

    def __call__(self, *args, **kwargs):
        with self.lock:
            self.now += 1
            self.most = max(self.most, self.now)
        try:
            time.sleep(self.hold_s)
            return self.fn(*args, **kwargs)
        finally:
            with self.lock:
                self.now -= 1


def _order(url: str, shop_id: str, i: int) -> int:
    with httpx.Client(timeout=30) as http:
        return http.post(f"{url}/v1/customer/shops/{shop_id}/orders",
                         json={"customer": {"name": "Zoé", "phone": f"06 01 02 03 {i:02d}"},
                               "channel": "collect", "lines": [{"sku": "CROIS", "qty": 1}]}
                         ).status_code


def test_at_most_db_threads_orders_run_at_once_and_the_others_wait_their_turn(
        tmp_path, monkeypatch):
    overlap = Overlap(orders_module.place_order, hold_s=0.3)
    monkeypatch.setattr(orders_module, "place_order", overlap)
    with EmbeddedMarketplace(tmp_path / "m.db", settings={"db_threads": 2}) as market:
        shops = [open_shop(market) for _ in range(3)]
        statuses: list[int] = []
        threads = [threading.Thread(target=lambda i=i: statuses.append(
            _order(market.url, shops[i % 3].shop_id, i))) for i in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    assert statuses == [201] * 6  # every order taken: the others waited, none refused
    assert overlap.most == 2


def test_a_slow_console_report_does_not_hold_up_an_order(tmp_path):
    """The console's reads have threads of their own: a report that takes seconds, several
    at once, and a customer's order still goes straight through."""
    release = threading.Event()

    def slow_report(db) -> None:
        release.wait(10)

    with EmbeddedMarketplace(tmp_path / "m.db", settings={"db_threads": 1}) as market:
        shop = open_shop(market)
        state = market._state
        assert state is not None and state.loop is not None
        reports = [asyncio.run_coroutine_threadsafe(state.console_db(slow_report), state.loop)
                   for _ in range(app_module.CONSOLE_THREADS + 2)]
        try:
            started = time.monotonic()
            assert _order(market.url, shop.shop_id, 1) == 201
            assert time.monotonic() - started < 2.0
        finally:
            release.set()
        for report in reports:
            report.result(10)


def test_db_threads_is_a_serve_option_and_must_be_positive():
    args = build_parser().parse_args(["serve", "--database-url", "postgresql://h/m",
                                      "--db-threads", "3"])
    assert Settings.coerce(_hardening_settings(args)).db_threads == 3
    assert Settings().db_threads >= 1
    with pytest.raises(ValueError):
        Settings(db_threads=0)

