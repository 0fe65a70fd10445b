"""The command line, a server process that is SIGKILLed, and EmbeddedMarketplace's life cycle."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from marketplace.__main__ import main
from marketplace.embedded import EmbeddedMarketplace
from tests.marketplace.conftest import ShopSession, db_args, open_shop

ROOT = Path(__file__).resolve().parents[2]


def test_help_shows_how_to_create_a_shop_and_serve():
    out = subprocess.run([sys.executable, "-m", "marketplace", "--help"], cwd=ROOT,
                         capture_output=True, text=True, timeout=30, check=True).stdout
    for needle in ("serve", "create-shop", "pairing-code", "seed-demo", "demo-orders",
                   'create-shop --db market.db --name "Chocolaterie Léa"', "--port 8765"):
        assert needle in out


def test_create_shop_pairing_code_and_seed_demo(database, capsys):
    db = database
    assert main(["create-shop", *db_args(db), "--name", "Chocolaterie Léa", "--json"]) == 0
    created = json.loads(capsys.readouterr().out)
    assert created["shop_id"].startswith("shop_")
    assert main(["pairing-code", *db_args(db), "--shop", created["shop_id"]]) == 0
    code = capsys.readouterr().out.strip()
    assert code != created["pairing_code"] and len(code) == 16  # TAGX-ABCDE-FGHJK
    assert code[:5] == created["pairing_code"][:5]  # the shop's tag, then a new secret
    assert main(["pairing-code", *db_args(db), "--shop", "shop_nope"]) == 2
    assert "unknown shop" in capsys.readouterr().err
    assert main(["seed-demo", *db_args(db)]) == 0
    first = capsys.readouterr().out
    assert main(["seed-demo", *db_args(db)]) == 0
    second = capsys.readouterr().out
    assert first.splitlines()[0] == second.splitlines()[0] == "shop_id: shop_demo_zoe"
    assert first.splitlines()[1] != second.splitlines()[1]  # a fresh code each time
    assert main(["add-product", *db_args(db), "--shop", created["shop_id"], "--sku", "TRUF",
                 "--name", "Truffes au cacao", "--price-cents", "1290", "--stock", "20"]) == 0
    assert main(["list-shops", *db_args(db)]) == 0
    listing = capsys.readouterr().out
    assert "Chocolaterie Léa" in listing and "Boulangerie Zoé" in listing


def _serve(db: str) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "marketplace", "serve", *db_args(db), "--port", "0",
         "--log-level", "warning"],
        cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert "listening on http://127.0.0.1:" in line, line
    return proc, line.split()[-1]


def test_a_sigkilled_server_keeps_everything_it_confirmed(database, capsys):
    db = database
    main(["seed-demo", *db_args(db), "--json"])
    code = json.loads(capsys.readouterr().out)["pairing_code"]
    proc, url = _serve(db)
    try:
        token = httpx.post(f"{url}/v1/pair", json={"pairing_code": code}).json()["device_token"]
        shop = ShopSession(url, "shop_demo_zoe", token)
        order = shop.place([("CROIS", 2)])
        push = [{"id": 1, "name": "order.accept",
                 "args": {"order_id": order["id"], "ready_by": "2026-11-23T13:00:00Z"}},
                {"id": 2, "name": "stock.adjust",
                 "args": {"sku": "CROIS", "delta": -5, "reason": "counter_sale"}}]
        assert shop.push_raw(push).status_code == 200
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    proc, url = _serve(db)
    try:
        shop.url = url
        assert shop.stock()["CROIS"] == 48 - 2 - 5
        assert shop.get_order(order["id"]).json()["status"] == "accepted"
        replay = shop.push_raw(push).json()  # the client never heard the answer: it retries
        assert replay["last_mutation_id"] == 2
        assert shop.stock()["CROIS"] == 48 - 2 - 5
        shop.http.close()
    finally:
        proc.terminate()
        assert proc.wait(10) is not None


def test_embedded_start_and_stop_are_fast_and_repeatable(tmp_path):
    market = EmbeddedMarketplace(tmp_path / "m.db")
    shop_id, _ = market.seed_demo_shop()  # works before the first start too
    for _ in range(4):
        started = time.monotonic()
        market.start()
        assert market.start() is market  # idempotent while running
        assert httpx.get(f"{market.url}/v1/health").status_code == 200
        market.stop()
        market.stop()  # harmless
        assert time.monotonic() - started < 1.0
    port = market.port
    with market:  # restarts on the same port, with the same data
        assert market.port == port
        catalogue = httpx.get(f"{market.url}/v1/customer/shops/{shop_id}").json()
        assert len(catalogue["products"]) == 14
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{market.url}/v1/health")


def test_stop_answers_waiting_long_polls_at_once(tmp_path):
    market = EmbeddedMarketplace(tmp_path / "m.db").start()
    shop = open_shop(market)
    cursor = shop.pull()["cursor"]
    out: dict = {}
    waiter = threading.Thread(target=lambda: out.update(answer=shop.pull(cursor, wait=25)))
    waiter.start()
    time.sleep(0.2)
    started = time.monotonic()
    market.stop()
    waiter.join(5)
    assert time.monotonic() - started < 1.0
    assert out["answer"]["orders"] == []
    shop.http.close()


def test_a_busy_port_is_an_error_not_a_hang(tmp_path):
    first = EmbeddedMarketplace(tmp_path / "a.db").start()
    try:
        with pytest.raises(OSError):
            EmbeddedMarketplace(tmp_path / "b.db", port=first.port).start()
    finally:
        first.stop()
