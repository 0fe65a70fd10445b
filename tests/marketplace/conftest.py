"""Fixtures for the marketplace tests: one real server per module, a fresh shop per test.

Shops are isolated from each other by design, so sharing one server keeps the
suite fast without tests seeing each other's data.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from marketplace.catalogue import DEMO_PRODUCTS
from marketplace.embedded import EmbeddedMarketplace
from tests.pg import BACKENDS, database_for, fresh_database

_names = itertools.count(1)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every marketplace test that uses the function-scoped ``market`` runs on both backends
    (``server`` is parametrised by itself)."""
    if "market" in metafunc.fixturenames:
        metafunc.parametrize("market", BACKENDS, indirect=True)


@pytest.fixture(scope="module", params=BACKENDS)
def server(request: pytest.FixtureRequest,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedMarketplace]:
    """One server per module and backend (ids ``sqlite`` / ``postgresql``)."""
    with database_for(request.param, tmp_path_factory.mktemp("marketplace")) as database:
        market = EmbeddedMarketplace(database, settings={"auto_reject_after_s": 600})
        market.start()
        yield market
        market.stop()


@pytest.fixture(params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database on each backend: a SQLite file path or a PostgreSQL URL."""
    with database_for(request.param, tmp_path) as found:
        yield found


@pytest.fixture
def pg_database() -> Iterator[str]:
    """A fresh PostgreSQL database (URL), for what only PostgreSQL has."""
    with fresh_database() as url:
        yield url


def db_args(database: str) -> list[str]:
    """The CLI's option naming ``database``."""
    return ["--database-url", database] if "://" in database else ["--db", database]


@dataclass
class ShopSession:
    """A paired shop (device token) plus an anonymous customer, over real HTTP."""

    url: str
    shop_id: str
    token: str
    http: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=10))
    client_id: str = "c_test"
    next_id: int = 1
    secrets: dict[str, str] = field(default_factory=dict)  # order id -> its X-Order-Secret

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def push_raw(self, mutations: list[dict[str, Any]], client_id: str | None = None,
                 token: str | None = None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token or self.token}"}
        body = {"client_id": client_id or self.client_id, "mutations": mutations}
        return self.http.post(f"{self.url}/v1/push", json=body, headers=headers)

    def push(self, *mutations: tuple[str, dict[str, Any]]) -> dict[str, Any]:
        """Push mutations with fresh increasing ids; returns the 200 body."""
        batch = []
        for name, args in mutations:
            batch.append({"id": self.next_id, "name": name, "args": args,
                          "at": "2026-11-23T12:00:00.000Z"})
            self.next_id += 1
        response = self.push_raw(batch)
        assert response.status_code == 200, response.text
        return response.json()

    def pull(self, cursor: int = 0, wait: float = 0, **params: Any) -> dict[str, Any]:
        response = self.http.get(f"{self.url}/v1/pull", headers=self.auth,
                                 params={"cursor": cursor, "wait": wait,
                                         "client_id": self.client_id, **params})
        assert response.status_code == 200, response.text
        return response.json()

    def stock(self) -> dict[str, int]:
        return {p["sku"]: p["stock"] for p in self.pull()["products"]}

    def product(self, sku: str) -> dict[str, Any]:
        return next(p for p in self.pull()["products"] if p["sku"] == sku)

    # -- customer side --
    def order(self, lines: list[tuple[Any, ...]], shop_id: str | None = None,
              **extra: Any) -> httpx.Response:
        """``lines``: (sku, qty) or (sku, qty, [options])."""
        body = {"customer": {"name": "Zoé Lefèvre", "phone": "06 01 02 03 04"},
                "channel": "collect",
                "lines": [{"sku": line[0], "qty": line[1], "options": list(line[2:3] and line[2])}
                          for line in lines],
                "note": "Sans sésame, merci !", **extra}
        response = self.http.post(
            f"{self.url}/v1/customer/shops/{shop_id or self.shop_id}/orders", json=body)
        if response.status_code == 201:
            self.secrets[response.json()["id"]] = response.json()["order_secret"]
        return response

    def place(self, lines: list[tuple[Any, ...]], **extra: Any) -> dict[str, Any]:
        response = self.order(lines, **extra)
        assert response.status_code == 201, response.text
        order = response.json()
        del order["order_secret"]  # kept in self.secrets; the ORDER itself is what others see
        return order

    def _secret(self, order_id: str) -> dict[str, str]:
        return {"X-Order-Secret": self.secrets.get(order_id, "")}

    def get_order(self, order_id: str) -> httpx.Response:
        return self.http.get(f"{self.url}/v1/customer/shops/{self.shop_id}/orders/{order_id}",
                             headers=self._secret(order_id))

    def cancel(self, order_id: str) -> httpx.Response:
        return self.http.post(
            f"{self.url}/v1/customer/shops/{self.shop_id}/orders/{order_id}/cancel",
            headers=self._secret(order_id))


def open_shop(market: EmbeddedMarketplace, name: str | None = None) -> ShopSession:
    """A new shop with the demo catalogue, paired."""
    shop_id, code = market.create_shop(name or f"Boulangerie n° {next(_names)}",
                                       "1 rue du Test", products=DEMO_PRODUCTS)
    response = httpx.post(f"{market.url}/v1/pair",
                          json={"pairing_code": code, "device_name": "Comptoir test"})
    assert response.status_code == 200, response.text
    return ShopSession(market.url, shop_id, response.json()["device_token"])


@pytest.fixture
def shop(server: EmbeddedMarketplace) -> Iterator[ShopSession]:
    session = open_shop(server)
    yield session
    session.http.close()


