"""The operator console in a real browser: Debian's Chromium driven by Playwright.

An operator logs in, creates a shop, issues a pairing code; a device pairs with it over
the protocol (POST /v1/pair) and long-polls like a counter; the operator sees it connected,
revokes it, and the device's token is refused from then on.

Regenerate the documentation images with:
COMPTOIR_SCREENSHOTS=docs/screenshots ./dev test -q tests/marketplace/test_console_browser.py
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import random
import re
import threading
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx

from marketplace import admin
from marketplace.console import auth
from marketplace.embedded import EmbeddedMarketplace
from marketplace.storage import open_database
from tests.conftest import free_port, wait_until
from tests.marketplace.console_support import add_order

WIDE, PHONE = {"width": 1366, "height": 768}, {"width": 360, "height": 640}


def _seed_history(db_path: Path) -> None:
    """Three shops with two weeks of orders: what the charts of the screenshots show."""
    with contextlib.closing(open_database(db_path)) as db:
        shops = [admin.create_shop(db, name, address, time_zone="Europe/Paris")[0]
                 for name, address in (("Boulangerie Zoé", "12 rue des Tanneurs, Strasbourg"),
                                       ("Fromagerie Anne", "4 place du Marché, Colmar"),
                                       ("Épicerie Paul & fils", "8 quai Kléber, Strasbourg"))]
    _seed_orders(db_path, shops)


def _seed_orders(db_path: Path, shops: list[str], seed: int = 14) -> None:
    rng = random.Random(seed)
    zone = ZoneInfo("Europe/Paris")
    today = dt.datetime.now(zone).date()
    for back in range(13, -1, -1):
        day = today - dt.timedelta(days=back)
        for shop_id in shops:
            for _ in range(rng.randint(3, 9) if back else 3):
                created = dt.datetime.combine(day, dt.time(rng.randint(8, 10),
                                                            rng.randint(0, 59)), zone)
                if created > dt.datetime.now(zone):
                    created = dt.datetime.now(zone) - dt.timedelta(minutes=rng.randint(5, 60))
                fate = rng.random()
                total = rng.randint(450, 4800)
                if fate < 0.06:
                    add_order(db_path, shop_id, created, "rejected", total, reason="timeout")
                elif fate < 0.1:
                    add_order(db_path, shop_id, created, "cancelled", total)
                else:
                    accept = rng.uniform(15, 240)
                    add_order(db_path, shop_id, created, "completed", total,
                              accepted_after_s=accept,
                              ready_after_s=accept + rng.uniform(300, 1300),
                              ready_by_after_s=accept + 1200)


def _shot(page, out: Path, name: str) -> Path:
    path = out / f"console-{name}.png"
    page.screenshot(path=str(path))
    return path


def test_operator_issues_a_code_sees_the_device_and_revokes_it(browser, tmp_path):
    out = Path(os.environ.get("COMPTOIR_SCREENSHOTS") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    db_path = tmp_path / "marketplace.db"
    open_database(db_path).close()
    _seed_history(db_path)
    with contextlib.closing(open_database(db_path)) as db:
        password = auth.add_operator(db, "claire.martin")
    with EmbeddedMarketplace(db_path, port=free_port()) as market:
        base = f"{market.url}/console"
        context = browser.new_context(viewport=PHONE, locale="fr-FR",
                                      timezone_id="Europe/Paris")
        page = context.new_page()
        page.goto(f"{base}/")
        assert page.url.startswith(f"{base}/login")  # no session: the login page
        phone_login = _shot(page, out, "login-360x640")
        page.set_viewport_size(WIDE)
        _shot(page, out, "login")
        page.get_by_label("Identifiant").fill("claire.martin")
        page.get_by_label("Mot de passe").fill("pas le bon")
        page.get_by_role("button", name="Se connecter").click()
        assert page.get_by_role("alert").inner_text() == "Nom ou mot de passe incorrect."
        page.get_by_label("Mot de passe").fill(password)
        page.get_by_role("button", name="Se connecter").click()
        page.get_by_role("heading", name="Tableau de bord").wait_for()
        cookie = next(c for c in context.cookies() if c["name"] == "comptoir_console")
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
        assert page.locator("svg rect.bar").count() > 10  # charts drawn, no script needed
        dashboard = _shot(page, out, "dashboard")

        # A new shop, then a pairing code for its counter.
        page.get_by_role("link", name="Boutiques").first.click()
        page.get_by_label("Nom", exact=True).fill("Cave Marcel")
        page.get_by_label("Adresse").fill("3 rue des Orfèvres, Strasbourg")
        page.get_by_role("button", name="Créer la boutique").click()
        page.get_by_role("heading", name=re.compile("Boutique créée")).wait_for()
        page.get_by_role("link", name="Retour à la boutique").click()
        page.get_by_role("button", name="Émettre un code d’appairage").click()
        code = page.locator("#pairing-code").inner_text()
        assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{5}-[A-Z2-9]{5}", code)
        _shot(page, out, "code")
        shop_url = page.get_by_role("link", name="Retour à la boutique").get_attribute("href")
        _seed_orders(db_path, [shop_url.rsplit("/", 1)[1]], seed=3)  # its charts, for the image

        # The counter pairs with the code and long-polls, as the app does.
        paired = httpx.post(f"{market.url}/v1/pair", timeout=10,
                            json={"pairing_code": code, "device_name": "Caisse du comptoir"})
        assert paired.status_code == 200, paired.text
        token = paired.json()["device_token"]
        headers = {"Authorization": f"Bearer {token}"}
        answers: list[int] = []
        stop = threading.Event()

        def counter() -> None:
            with httpx.Client(base_url=market.url, headers=headers, timeout=30) as http:
                cursor = 0
                while not stop.is_set():
                    reply = http.get("/v1/pull", params={"cursor": cursor, "wait": 2})
                    answers.append(reply.status_code)
                    if reply.status_code != 200:
                        return
                    cursor = reply.json()["cursor"]

        polling = threading.Thread(target=counter)
        polling.start()
        try:
            page.goto(f"{market.url}{shop_url}#comptoirs")  # the devices at the top
            row = page.locator("tr[data-device]", has_text="Caisse du comptoir")
            assert "Connecté" in row.inner_text()
            shop_shot = _shot(page, out, "shop")
            # The code shown at the shop's creation was never used: revoke it.
            page.get_by_role("button", name=re.compile("Révoquer le code")).click()
            assert "Code révoqué" in page.get_by_role("status").inner_text()
            assert "Aucun code en attente" in page.locator("table.codes").inner_text()
            page.screenshot(path=str(out / "console-shop-full.png"), full_page=True)

            row.get_by_role("button", name=re.compile("Révoquer l’appareil")).click()
            assert "Appareil révoqué" in page.get_by_role("status").inner_text()
            assert "Révoqué le" in page.locator("tr[data-device]",
                                                has_text="Caisse du comptoir").inner_text()
            refused = httpx.get(f"{market.url}/v1/pull", headers=headers,
                                params={"cursor": 0, "wait": 0})
            assert refused.status_code == 401
            wait_until(lambda: answers and answers[-1] == 401, timeout=10)  # the counter too
        finally:
            stop.set()
            polling.join(10)

        page.get_by_role("link", name="Journal").click()
        journal = page.locator("table.audit").inner_text()
        for line in ("Appareil révoqué", "Code d’appairage émis", "Boutique créée"):
            assert line in journal
        assert "console:claire.martin" in journal
        _shot(page, out, "audit")
        context.close()
    for shot in (phone_login, dashboard, shop_shot):
        assert shot.stat().st_size > 5000  # a rendered page, not a blank one
    if os.environ.get("COMPTOIR_SCREENSHOTS"):
        (out / "console-shop-full.png").unlink()  # the documented ones are viewport-sized
