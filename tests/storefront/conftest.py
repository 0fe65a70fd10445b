"""The storefront in a real browser: Playwright driving Debian's Chromium (/usr/bin/chromium).

Playwright's own browser download cannot work on the project's machines, so the tests
launch the system Chromium by path (``./dev`` installs Debian's ``chromium``). Without it
the browser tests are skipped on a developer's machine and FAIL in CI (CI=true).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from marketplace.storefront import storefront_url
from tests.conftest import CHROMIUM  # noqa: F401 (screenshots.py imports it)

PHONE = {"width": 360, "height": 640}
LAPTOP = {"width": 1366, "height": 768}
ORDER_BUTTON = re.compile(r"^Commander · ")


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A phone-sized page in a fresh context (empty storage, cold cache), French."""
    context = browser.new_context(viewport=PHONE, locale="fr-FR", timezone_id="Europe/Paris")
    context.set_default_timeout(10_000)
    errors: list[str] = []
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert errors == [], errors  # no script error on any page a test visited


@pytest.fixture
def shop_url(market: Any, demo_shop: tuple[str, str]) -> str:
    return f"{storefront_url(market.url)}#/b/{demo_shop[0]}"


def order_secret(page: Any, order_id: str) -> str:
    """The secret the page keeps for an order (only in this browser's localStorage)."""
    return page.evaluate(
        "id => JSON.parse(localStorage.getItem('comptoir.orders')).find(o => o.id === id).secret",
        order_id)


def fetch_order(market: Any, shop_id: str, order_id: str, secret: str) -> dict[str, Any]:
    response = httpx.get(f"{market.url}/v1/customer/shops/{shop_id}/orders/{order_id}",
                         headers={"X-Order-Secret": secret}, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()
