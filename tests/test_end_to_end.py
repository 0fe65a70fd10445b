"""End to end: customer order → marketplace → sync → the real window → accept → printer bytes.

Real reference server on loopback, real SQLite file, the real MainWindow under
pytest-qt, a virtual network printer receiving real ESC/POS bytes.
"""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QApplication

from posapp.app import AppConfig, ShopApp
from posapp.printing_setup import PRINTER_SETTING
from printing import PrinterConfig
from printing.escpos_decode import decode_escpos
from printing.virtual_printer import VirtualPrinter
from sync.credentials import MemoryVault
from tests.conftest import wait_until


@pytest.fixture
def printer():
    with VirtualPrinter() as vp:
        yield vp


@pytest.fixture
def shop_app(tmp_path, market, demo_shop, printer):
    app = ShopApp(AppConfig(data_dir=tmp_path / "shop", vault=MemoryVault(), sync_wait=10.0))
    app.start()
    config = PrinterConfig(kind="network", address="127.0.0.1", port=printer.port, timeout_s=2.0)
    app.set_setting(PRINTER_SETTING, json.dumps(config.to_dict()))
    app.pair(market.url, demo_shop[1])
    yield app
    app.stop()


@pytest.mark.both_backends  # issue 13: the same path on SQLite and PostgreSQL
def test_order_reaches_board_prints_and_acceptance_reaches_marketplace(qtbot, shop_app, customer,
                                                                       printer, tmp_path):
    from posapp.ui.main_window import MainWindow

    window = MainWindow(shop_app)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: bool(shop_app.stock.products()), timeout=5000)
    accented = next(p for p in shop_app.stock.products() if any(ord(c) > 127 for c in p["name"]))

    placed = customer.place([(accented["sku"], 2)], note="Allergie aux noix — merci !")

    # 1. It appears on the board, without any click.
    qtbot.waitUntil(lambda: window.board_count() == 1, timeout=5000)
    assert shop_app.orders.get(placed["id"])["status"] == "new"

    # 2. Printing on acceptance (the default): nothing on paper for a new order.
    assert shop_app.store.query("SELECT id FROM print_jobs") == []

    # 3. Accepting in the window makes the marketplace report it accepted.
    window.select_order(placed["id"])
    qtbot.mouseClick(window.detail.preset_buttons[20], Qt.MouseButton.LeftButton)
    assert shop_app.orders.get(placed["id"])["status"] == "accepted"
    qtbot.waitUntil(lambda: customer.get(placed["id"])["status"] == "accepted", timeout=5000)
    qtbot.waitUntil(lambda: shop_app.orders.get(placed["id"])["confirmed_status"] == "accepted",
                    timeout=5000)

    # ... and its ticket reaches the printer, with the ready-by time and the accented name
    # in the printer's code page.
    assert printer.wait_until(lambda vp: any(placed["id"].encode() in j for j in vp.jobs), 10)
    raw = next(j for j in printer.jobs if placed["id"].encode() in j)
    assert accented["name"].encode("utf-8") not in raw  # no UTF-8 passing by luck
    assert accented["name"].encode("cp858") in raw
    ticket = decode_escpos(raw)
    assert ticket.find(accented["name"]) is not None
    assert ticket.find("Prête pour") is not None
    number_line = ticket.find(f"N° {placed['number']}")
    assert number_line is not None and number_line.style.is_double
    assert ticket.qr_payloads == [placed["id"]]
    assert ticket.cuts

    # 4. Printed exactly once, even after more syncing.
    wait_until(lambda: shop_app.store.query_one(
        "SELECT state FROM print_jobs WHERE job_key = ?", (f"order:{placed['id']}",)
    )["state"] == "printed")
    assert sum(placed["id"].encode() in j for j in printer.jobs) == 1
    window.grab().save(str(tmp_path / "board.png"))
    assert (tmp_path / "board.png").stat().st_size > 10_000


def test_corrupted_database_gives_a_message_not_a_crash(tmp_path):
    from posapp.__main__ import main

    data = tmp_path / "broken"
    data.mkdir()
    (data / "comptoir.db").write_bytes(b"\x00garbage" * 512)
    assert main(["--data-dir", str(data), "--screenshot", str(tmp_path / "x.png")]) == 2


def test_an_order_nobody_answers_is_refused_and_the_real_app_says_so(qtbot, tmp_path):
    """The marketplace refuses it after 1 s; the real sync engine brings the refusal to the
    real ShopApp, whose orders_timed_out reaches the window's banner and sound."""
    from marketplace.embedded import EmbeddedMarketplace
    from posapp.ui.main_window import MainWindow
    from tests.conftest import Customer

    market = EmbeddedMarketplace(tmp_path / "marketplace.db",
                                 settings={"auto_reject_after_s": 1.0})
    market.start()
    app = ShopApp(AppConfig(data_dir=tmp_path / "shop", vault=MemoryVault(), sync_wait=10.0))
    customer = window = None
    try:
        app.start()
        shop_id, code = market.seed_demo_shop()
        app.pair(market.url, code)
        window = MainWindow(app)
        qtbot.waitUntil(lambda: bool(app.stock.products()), timeout=5000)
        customer = Customer(market.url, shop_id)
        sku = app.stock.products()[0]["sku"]
        with qtbot.waitSignal(app.orders_timed_out, timeout=10_000) as lost:
            placed = customer.place([(sku, 1)])
        assert [o["id"] for o in lost.args[0]] == [placed["id"]]
        assert customer.get(placed["id"])["status"] == "rejected"
        qtbot.waitUntil(lambda: bool(window.banners.texts("cancelled")), timeout=2000)
        [text] = window.banners.texts("cancelled")
        assert f"n° {placed['number']}" in text.casefold()
        assert window.alert.announcements == 1
        assert [e["id"] for e in app.orders.lost_unseen()] == [placed["id"]]
    finally:
        if window is not None:  # gone before the store closes: no late signal reaches it
            window.close()
            window.deleteLater()
            QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        if customer is not None:
            customer.http.close()
        app.stop()
        market.stop()
