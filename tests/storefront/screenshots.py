"""The storefront's screenshots for the README, at 360x640 (phone) and 1366x768 (laptop).

    .venv/bin/python -m tests.storefront.screenshots docs/screenshots

A throw-away marketplace with the demo bakery, a watching counter (its device token)
that accepts the order, and Debian's Chromium.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
import tempfile
from pathlib import Path

import httpx

from marketplace.embedded import EmbeddedMarketplace
from marketplace.storefront import storefront_url
from sync.protocol import to_iso
from tests.storefront.conftest import CHROMIUM, LAPTOP, ORDER_BUTTON, PHONE

__all__ = ["take_screenshots"]


def _accept(url: str, token: str, order_id: str, mutation_id: int) -> None:
    ready_by = to_iso(dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)
                      + dt.timedelta(minutes=20))
    response = httpx.post(f"{url}/v1/push", headers={"Authorization": f"Bearer {token}"},
                          timeout=10, json={"client_id": "shots", "mutations": [
                              {"id": mutation_id, "name": "order.accept",
                               "args": {"order_id": order_id, "ready_by": ready_by}}]})
    response.raise_for_status()
    assert response.json()["results"][0]["status"] == "applied", response.text


def take_screenshots(out: Path) -> list[Path]:
    from playwright.sync_api import expect, sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    shots: list[Path] = []
    with tempfile.TemporaryDirectory() as tmp, \
            EmbeddedMarketplace(Path(tmp) / "marketplace.db") as market, \
            sync_playwright() as playwright:
        shop_id, code = market.seed_demo_shop()
        token = httpx.post(f"{market.url}/v1/pair", timeout=10, json={
            "pairing_code": code, "device_name": "Comptoir"}).json()["device_token"]
        shop = f"{storefront_url(market.url)}#/b/{shop_id}"
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        for n, (size, viewport) in enumerate((("360x640", PHONE), ("1366x768", LAPTOP)), 1):
            context = browser.new_context(viewport=viewport, locale="fr-FR",
                                          timezone_id="Europe/Paris")
            page = context.new_page()

            def shot(name: str, page=page, size=size) -> None:
                path = out / f"storefront-{name}-{size}.png"
                page.screenshot(path=str(path))
                shots.append(path)

            page.goto(shop)
            page.get_by_role("button", name="Ajouter Croissant").click()
            page.get_by_role("button", name="Ajouter Pain au chocolat").click()
            page.get_by_role("button", name="Ajouter Pain au chocolat").click()
            page.evaluate("window.scrollTo(0, 0)")
            shot("shop")
            page.goto(f"{shop}/p/TARTP")
            expect(page.get_by_role("heading", level=1)).to_be_visible()
            shot("product")
            page.get_by_role("link", name=ORDER_BUTTON).click()
            page.get_by_label("Votre nom", exact=True).fill("Zoé Lefèvre")
            page.get_by_label("Téléphone", exact=True).fill("06 12 34 56 78")
            page.get_by_label("Allergies à signaler (facultatif)").fill("fruits à coque")
            page.evaluate("window.scrollTo(0, 0)")
            shot("checkout")
            page.get_by_role("button", name=ORDER_BUTTON).click()
            status = page.locator("[data-status]")
            expect(status).to_have_attribute("data-status", "new")
            _accept(market.url, token, re.sub(r".*/", "", page.url), n)
            expect(status).to_have_attribute("data-status", "accepted")
            expect(page.locator(".code img")).to_be_visible()
            page.evaluate("window.scrollTo(0, 0)")
            shot("status")
            context.close()
        browser.close()
    return shots


if __name__ == "__main__":
    for taken in take_screenshots(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")):
        print(taken)
