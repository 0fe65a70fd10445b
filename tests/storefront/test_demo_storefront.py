"""`./dev demo` (the app with its embedded marketplace) says where the storefront is, and a
customer ordering there reaches the demo counter: the whole system on one machine."""

from __future__ import annotations

import re

import httpx

from posapp.app import AppConfig, ShopApp
from tests.conftest import wait_until


def test_the_demo_prints_the_storefront_address_and_its_orders_reach_the_counter(
        qtbot, tmp_path, capsys):
    app = ShopApp(AppConfig(data_dir=tmp_path, demo=True, demo_order_interval=3600,
                            demo_first_orders=0, sync_wait=10.0))
    try:
        app.start()
        printed = capsys.readouterr().out
        found = re.search(r"vitrine client de la démo .*: (http://127\.0\.0\.1:\d+/boutique/)",
                          printed)
        assert found, printed
        page = httpx.get(found.group(1), timeout=10)
        assert page.status_code == 200 and "app.js" in page.text
        # The storefront's shop is the paired counter's, and that counter watches it.
        base = found.group(1).removesuffix("/boutique/")
        shops = httpx.get(f"{base}/v1/customer/shops", timeout=10).json()["shops"]
        assert [(s["name"], s["ordering"]) for s in shops] == [("Boulangerie Zoé", "open")]
        placed = httpx.post(f"{base}/v1/customer/shops/{shops[0]['id']}/orders", timeout=10,
                            json={"customer": {"name": "Zoé", "phone": "06 00 00 00 00"},
                                  "channel": "collect", "lines": [{"sku": "CROIS", "qty": 1}]})
        assert placed.status_code == 201, placed.text
        wait_until(lambda: app.orders.get(placed.json()["id"]), timeout=10)
    finally:
        app.stop()
