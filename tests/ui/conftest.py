"""UI test fixtures: a real store fed through ShopReplica, a ShopApp stand-in, no network."""

from __future__ import annotations

import copy
import datetime as dt
import os
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import QEvent, QObject, Signal  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from posapp.domain.orders import OrdersService  # noqa: E402
from posapp.domain.stock import StockService  # noqa: E402
from posapp.store.db import open_store  # noqa: E402
from posapp.store.replica import ShopReplica  # noqa: E402
from sync.credentials import MemoryVault  # noqa: E402
from sync.engine import SyncStatus  # noqa: E402
from sync.protocol import to_iso  # noqa: E402


def stop_real_app(app: Any, window: Any | None) -> None:
    """End a test that ran the real ShopApp under a MainWindow: the window goes first, so
    that no late signal reaches it once the store is closed."""
    if window is not None:
        window.close()
        window.deleteLater()
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    app.stop()


def iso_ago(minutes: float) -> str:
    return to_iso(dt.datetime.now(dt.UTC) - dt.timedelta(minutes=minutes))


def make_order(oid: str, number: int, status: str = "new", **extra: Any) -> dict[str, Any]:
    created = extra.pop("created_at", iso_ago(3))
    order = {
        "id": oid, "number": number, "status": status, "channel": "collect",
        "customer_name": "Zoé Lefèvre", "customer_phone": "0601020304", "customer_address": None,
        "lines": [
            {"sku": "A", "name": "Éclair café", "qty": 2, "unit_price_cents": 250,
             "options": ["sans sucre"]},
            {"sku": "B", "name": "Baguette tradition", "qty": 1, "unit_price_cents": 130,
             "options": []},
        ],
        "total_cents": 630, "note": "Sonnez deux fois", "allergens": "arachides", "paid": True,
        "pickup_slot": None, "ready_by": None, "reject_reason": None,
        "created_at": created, "updated_at": created,
        "history": [{"status": "new", "at": created, "by": "customer"}],
    }
    order.update(extra)
    return order


PRODUCTS = [
    {"sku": "A", "name": "Éclair café", "price_cents": 250, "barcode": "3760000000012",
     "category": "Pâtisserie", "active": True, "available": True, "low_stock_threshold": 2,
     "stock": 10},
    {"sku": "B", "name": "Baguette tradition", "price_cents": 130, "barcode": "3760000000029",
     "category": "Pain", "active": True, "available": True, "low_stock_threshold": 5,
     "stock": 3},
    {"sku": "C", "name": "Croissant", "price_cents": 120, "barcode": "3760000000036",
     "category": "Viennoiserie", "active": True, "available": False, "low_stock_threshold": 5,
     "stock": 0},
]


def make_pull(orders: list[dict[str, Any]], products: list[dict[str, Any]] | None = None,
              cursor: int = 1, last_mutation_id: int = 0, paused: bool = False) -> dict[str, Any]:
    return {
        "cursor": cursor, "last_mutation_id": last_mutation_id,
        "shop": {"id": "s", "name": "Boulangerie Zoé", "paused": paused, "address": ""},
        "orders": orders, "products": copy.deepcopy(products if products is not None else []),
    }


class _Printing:
    def __init__(self, path: Path):
        self.printer_file = path
        self.reprinted: list[str] = []

    def reprint(self, order_id: str) -> None:
        self.reprinted.append(order_id)


class FakeShopApp(QObject):
    """The part of posapp.app.ShopApp the window uses, over a real store, without network."""

    orders_changed = Signal()
    new_orders = Signal(list)
    orders_cancelled = Signal(list)
    orders_timed_out = Signal(list)
    stock_changed = Signal()
    sync_status = Signal(object)
    refused = Signal(list)
    printer_status = Signal(object)
    message = Signal(object)

    def __init__(self, data_dir: Path):
        super().__init__()
        self.store = open_store(data_dir)
        self.orders = OrdersService(self.store)
        self.stock = StockService(self.store)
        self.replica = ShopReplica(self.store)
        self.printing = _Printing(data_dir / "tickets.bin")
        self.engine = None
        self.last_status = SyncStatus(online=True, last_sync_at=iso_ago(0.2))
        self.local_changes = 0
        self.paired: list[tuple[str, str]] = []
        self.startup_messages: list[str] = []
        self.vault = MemoryVault()

    @property
    def shop(self) -> dict[str, Any]:
        import json

        row = self.store.query_one("SELECT value FROM sync_state WHERE key = 'shop'")
        return json.loads(row["value"]) if row and row["value"] else {}

    def setting(self, key: str, default: str | None = None) -> str | None:
        row = self.store.query_one("SELECT value FROM settings WHERE key = ?", (key,))
        return row["value"] if row else default

    def set_setting(self, key: str, value: str | None) -> None:
        with self.store.transaction() as conn:
            conn.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?)"
                " ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))

    def after_local_change(self) -> None:
        self.local_changes += 1
        self.orders_changed.emit()
        self.stock_changed.emit()

    def complete_pairing(self, url: str, answer: dict[str, str]) -> None:
        self.paired.append((url, answer["shop_id"]))

    def adopt_pairing(self, url: str, answer: dict[str, str]) -> None:
        self.paired.append((url, answer["shop_id"]))

    # test helper: what the sync engine would do on a pull
    def pull(self, pull: dict[str, Any]) -> None:
        summary = self.replica.apply_pull(pull)
        if summary.new_orders:
            self.new_orders.emit(summary.new_orders)
        if summary.cancelled_orders:
            self.orders_cancelled.emit(summary.cancelled_orders)
        if summary.timed_out_orders:
            self.orders_timed_out.emit(summary.timed_out_orders)
        self.orders_changed.emit()
        self.stock_changed.emit()

    def outbox(self) -> list[dict[str, Any]]:
        return self.store.query("SELECT id, name, args FROM outbox ORDER BY id")


@pytest.fixture
def shop_app(tmp_path: Path, qapp) -> FakeShopApp:
    app = FakeShopApp(tmp_path / "data")
    app.replica.apply_pull(make_pull([], PRODUCTS))
    app.set_setting("shop_id", "s")  # a paired counter (what the pull above implies)
    yield app
    app.store.close()


@pytest.fixture
def window(qtbot, shop_app):
    from posapp.ui.i18n import install_translator
    from posapp.ui.main_window import MainWindow

    install_translator(qapp_instance(), "fr")
    win = MainWindow(shop_app)
    qtbot.addWidget(win)
    win.show()
    yield win
    win.close()


def qapp_instance():
    from PySide6.QtWidgets import QApplication

    return QApplication.instance()


@pytest.fixture
def printing(shop_app: FakeShopApp, tmp_path: Path) -> Any:
    """The real PrintingSetup over the test store (its queue is not started)."""
    from posapp.bridge import CoreBridge
    from posapp.printing_setup import PrintingSetup

    setup = PrintingSetup(tmp_path / "data", shop_app.store, CoreBridge())
    shop_app.printing = setup
    return setup
