"""Fixtures shared by the whole suite: a real marketplace on loopback, a paired shop."""

from __future__ import annotations

import itertools
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.pg import BACKENDS, database_for

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate: Callable[[], Any], timeout: float = 5.0, interval: float = 0.02) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """``@pytest.mark.both_backends``: the test's ``market`` runs on SQLite and PostgreSQL
    (ids ``sqlite`` / ``postgresql``); tests/marketplace does it for all its tests."""
    if ("market" in metafunc.fixturenames
            and metafunc.definition.get_closest_marker("both_backends") is not None):
        metafunc.parametrize("market", BACKENDS, indirect=True)


@pytest.fixture
def market(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    """A marketplace on loopback, on SQLite unless parametrised (``both_backends``)."""
    from marketplace.embedded import EmbeddedMarketplace

    backend = getattr(request, "param", "sqlite")
    with database_for(backend, tmp_path) as database:
        server = EmbeddedMarketplace(database, port=free_port(),
                                     settings={"auto_reject_after_s": 600})
        server.start()
        yield server
        server.stop()


_phones = itertools.count(1_000_000)


@dataclass
class Customer:
    """The customer side of the reference marketplace, over real HTTP."""

    url: str
    shop_id: str
    http: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=10))
    secrets: dict[str, str] = field(default_factory=dict)  # order id -> its X-Order-Secret

    def order(self, lines: list[tuple[str, int]], **extra: Any) -> httpx.Response:
        # Each order from another phone: one customer may hold only a few open orders.
        body = {
            "customer": {"name": "Zoé Lefèvre", "phone": f"06{next(_phones):08d}"},
            "channel": "collect",
            "lines": [{"sku": sku, "qty": qty} for sku, qty in lines],
            "note": "Sans sésame, merci !",
            **extra,
        }
        response = self.http.post(f"{self.url}/v1/customer/shops/{self.shop_id}/orders",
                                  json=body)
        if response.status_code == 201:  # only this secret reads or cancels the order
            self.secrets[response.json()["id"]] = response.json()["order_secret"]
        return response

    def place(self, lines: list[tuple[str, int]], **extra: Any) -> dict:
        response = self.order(lines, **extra)
        assert response.status_code == 201, response.text
        return response.json()

    def get(self, order_id: str) -> dict:
        response = self.http.get(f"{self.url}/v1/customer/shops/{self.shop_id}/orders/{order_id}",
                                 headers={"X-Order-Secret": self.secrets.get(order_id, "")})
        assert response.status_code == 200, response.text
        return response.json()

    def cancel(self, order_id: str) -> httpx.Response:
        return self.http.post(
            f"{self.url}/v1/customer/shops/{self.shop_id}/orders/{order_id}/cancel",
            headers={"X-Order-Secret": self.secrets.get(order_id, "")},
        )


@pytest.fixture
def demo_shop(market: Any) -> tuple[str, str]:
    return market.seed_demo_shop()


def watch_shop(market: Any, shop_id: str) -> None:
    """Pair a watching counter (with a fresh code): a shop nobody watches takes no orders
    (409 shop_unattended), and a pairing counts as the counter being there for a while."""
    response = httpx.post(f"{market.url}/v1/pair", timeout=10, json={
        "pairing_code": market.new_pairing_code(shop_id), "device_name": "Comptoir (veille)"})
    assert response.status_code == 200, response.text


@pytest.fixture
def customer(market: Any, demo_shop: tuple[str, str]) -> Iterator[Customer]:
    """A customer of the demo shop, which a counter watches (its own code stays unused)."""
    watch_shop(market, demo_shop[0])
    c = Customer(market.url, demo_shop[0])
    yield c
    c.http.close()


class Recorder:
    """A SyncListener that records what the engine reports, thread-safely."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.statuses: list[Any] = []
        self.summaries: list[Any] = []
        self.refusals: list[dict] = []

    def sync_status_changed(self, status: Any) -> None:
        with self.lock:
            self.statuses.append(status)

    def pulled(self, summary: Any) -> None:
        with self.lock:
            self.summaries.append(summary)

    def mutations_refused(self, refused: list[dict]) -> None:
        with self.lock:
            self.refusals.extend(refused)

    @property
    def last(self) -> Any:
        with self.lock:
            return self.statuses[-1] if self.statuses else None


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def live_counter(tmp_path: Path, market: Any, demo_shop: tuple[str, str],
                 recorder: Recorder) -> Iterator[tuple[Any, Any, str]]:
    """A real counter of the demo shop: its own store and the real sync engine, paired and
    with the catalogue pulled; yields (store, engine, device token)."""
    from posapp.store.db import Store, open_store
    from posapp.store.replica import ShopReplica
    from sync.client import pair_device
    from sync.engine import SyncEngine

    answer = pair_device(market.url, demo_shop[1], "Comptoir (test)")
    store = open_store(tmp_path / "shop")
    engine = SyncEngine(market.url, answer["device_token"],
                        lambda: ShopReplica(Store(store.path)), recorder,
                        wait=10.0, timeout=3.0, backoff_cap=0.5)
    engine.start()
    wait_until(lambda: store.query_one("SELECT count(*) AS n FROM products")["n"] > 0)
    yield store, engine, answer["device_token"]
    engine.stop()
    store.close()


# -- a real browser (the storefront's and the operator console's tests) -----------------------------

CHROMIUM = Path("/usr/bin/chromium")
# Root in a container without the network: no sandbox, and none of Chromium's calls home
# (refused here, many at a time, at every start).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (its own browser download cannot work on the
    project's machines). Missing: skipped on a developer's machine, a FAILURE in CI.

    One per test module, not per session: Playwright's sync API keeps an asyncio loop
    running in the main thread while it is open, and a later test's asyncio.run() would
    then fail ("cannot be called from a running event loop")."""
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is not installed (./dev installs Debian's chromium)")
        pytest.skip(f"{CHROMIUM} is not installed (./dev test installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                              args=CHROMIUM_ARGS)
        yield launched
        launched.close()
