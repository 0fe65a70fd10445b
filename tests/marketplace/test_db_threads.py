"""Database work runs a few calls at a time per kind (app.MarketState): orders, pushes and
deliveries on ``db_threads``; the console and the pulls' first reads on threads of their
own."""

from __future__ import annotations

import threading
import time

import httpx
import psycopg
import pytest

from marketplace import app as app_module
from marketplace import orders as orders_module
from marketplace.__main__ import _hardening_settings, build_parser
from marketplace.console import kpis
from marketplace.embedded import EmbeddedMarketplace
from marketplace.listener import listen_conninfo
from marketplace.settings import Settings
from tests.conftest import wait_until
from tests.db import lock_waiters
from tests.marketplace.conftest import open_shop
from tests.marketplace.console_support import logged_in


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


def test_a_slow_console_report_does_not_hold_up_an_order(tmp_path, monkeypatch):
    """The console's reads have threads of their own: dashboards whose report takes
    seconds, more of them than those threads, and a customer's order still goes straight
    through."""
    release, computing = threading.Event(), []
    real_compute = kpis.compute

    def slow_compute(*args, **kwargs):
        computing.append(1)
        release.wait(10)
        return real_compute(*args, **kwargs)

    with EmbeddedMarketplace(tmp_path / "m.db", settings={"db_threads": 1}) as market:
        shop = open_shop(market)
        consoles = [logged_in(market.url, tmp_path / "m.db", timeout=20)[0]
                    for _ in range(app_module.CONSOLE_THREADS + 2)]
        monkeypatch.setattr(kpis, "compute", slow_compute)
        pages: list[int] = []
        readers = [threading.Thread(target=lambda c=c: pages.append(c.get("/console/")
                                                                     .status_code))
                   for c in consoles]
        try:
            for reader in readers:
                reader.start()
            wait_until(lambda: len(computing) >= app_module.CONSOLE_THREADS, timeout=10)
            started = time.monotonic()
            assert _order(market.url, shop.shop_id, 1) == 201
            assert time.monotonic() - started < 2.0
        finally:
            release.set()
            for reader in readers:
                reader.join(20)
            for console in consoles:
                console.close()
        assert pages == [200] * len(consoles)


def test_db_threads_is_a_serve_option_and_must_be_positive():
    args = build_parser().parse_args(["serve", "--database-url", "postgresql://h/m",
                                      "--db-threads", "3"])
    assert Settings.coerce(_hardening_settings(args)).db_threads == 3
    assert Settings().db_threads >= 1
    with pytest.raises(ValueError):
        Settings(db_threads=0)


def test_a_shop_locked_elsewhere_holds_one_thread_and_other_shops_orders_go_through(
        pg_database):
    """A shop's row lock held elsewhere (an operator's open psql transaction), and a crowd
    of its customers ordering: its orders take their turn one at a time, so they hold one
    of the few threads, not all, and the other shops' orders go straight through. The
    stuck shop's orders get the retryable 503 when their turn or the lock does not come in
    time."""
    settings = {"db_threads": 2, "db_lock_timeout_s": 3.0}
    with EmbeddedMarketplace(pg_database, settings=settings) as market:
        locked, other = open_shop(market), open_shop(market)
        holder = psycopg.connect(listen_conninfo(pg_database), connect_timeout=5)
        try:
            holder.execute("SELECT 1 FROM shops WHERE id = %s FOR UPDATE", (locked.shop_id,))
            stuck: list[int] = []
            crowd = [threading.Thread(target=lambda i=i: stuck.append(
                _order(market.url, locked.shop_id, i))) for i in range(6)]
            for thread in crowd:
                thread.start()
            wait_until(lambda: lock_waiters(pg_database), timeout=10)
            started = time.monotonic()
            assert [_order(market.url, other.shop_id, 10 + i) for i in range(3)] == [201] * 3
            assert time.monotonic() - started < 2.5  # before the first stuck one gives up
            for thread in crowd:
                thread.join(30)
            assert stuck == [503] * 6
        finally:
            holder.close()
        assert _order(market.url, locked.shop_id, 20) == 201  # the lock gone: taken again
        assert len(market._state.turns) == 0  # every turn given back
