"""Secrets in transit: the shop app refuses plain http:// but to loopback (point 8)."""

from __future__ import annotations

import time

import pytest

from posapp.app import AppConfig, ShopApp
from sync.client import RequestRefused, pair_device
from sync.credentials import MemoryVault, account_name
from sync.url_check import insecure_url_message


@pytest.mark.parametrize("url", ["https://market.example.fr", "https://10.0.0.5:8443/",
                                 "http://127.0.0.1:8765", "http://localhost:8765",
                                 "http://[::1]:8765", "http://127.8.9.10"])
def test_tls_or_loopback_is_accepted(url):
    assert insecure_url_message(url) is None


@pytest.mark.parametrize("url", ["http://market.example.fr", "http://192.168.1.20:8765",
                                 "http://[2001:db8::1]/", "ftp://market.example.fr",
                                 "market.example.fr", "http://127.0.0.1.evil.example"])
def test_anything_else_is_refused_in_french(url):
    message = insecure_url_message(url)
    assert message and "https://" in message


def test_pairing_over_plain_http_is_refused_before_anything_is_sent():
    started = time.monotonic()
    with pytest.raises(RequestRefused, match="non chiffrée"):
        pair_device("http://192.0.2.10:8765", "ABCDE-FGHJK", "Caisse 1")
    assert time.monotonic() - started < 0.5  # no connection was even tried


def test_a_plain_http_marketplace_is_not_used_at_start_up(tmp_path):
    vault = MemoryVault()
    url, shop_id = "http://market.example.fr", "shop_x"
    app = ShopApp(AppConfig(data_dir=tmp_path / "shop", vault=vault))
    app.start()
    # A configuration from before this rule: paired over plain HTTP to a remote host.
    vault.save(account_name(url, shop_id), "cpt_secret")
    app.set_setting("marketplace_url", url)
    app.set_setting("shop_id", shop_id)
    app.stop()
    again = ShopApp(AppConfig(data_dir=tmp_path / "shop", vault=vault))
    again.start()
    try:
        assert any("non chiffrée" in m for m in again.startup_messages), again.startup_messages
        assert again.engine is not None and again.engine.status.auth_required
    finally:
        again.stop()
