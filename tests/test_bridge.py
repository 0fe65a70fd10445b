"""Core events become the window's Qt signals in one hop, on the GUI thread, in order."""

from __future__ import annotations

import threading

from posapp.app import AppConfig, ShopApp
from posapp.bridge import CoreBridge
from posapp.store.replica import PullSummary
from sync.credentials import MemoryVault
from sync.engine import SyncStatus


def test_core_events_reach_the_gui_thread_once_and_in_order(qtbot, tmp_path):
    app = ShopApp(AppConfig(data_dir=tmp_path, vault=MemoryVault()))
    assert isinstance(app, CoreBridge)  # the app's signals are the bridge's: no re-emit
    seen: list[tuple[str, object, str]] = []

    def record(kind):
        return lambda *args: seen.append((kind, args[0] if args else None,
                                          threading.current_thread().name))

    app.sync_status.connect(record("status"))
    app.new_orders.connect(record("new"))
    app.orders_changed.connect(record("orders"))
    app.stock_changed.connect(record("stock"))
    app.refused.connect(record("refused"))

    def sync_thread():  # what the engine's threads do
        for pending in range(30):
            app.sync_status_changed(SyncStatus(online=True, pending=pending))
        app.pulled(PullSummary(new_orders=[{"id": "ord_1"}], products_changed=1))
        app.mutations_refused([{"id": 3}])

    worker = threading.Thread(target=sync_thread, name="comptoir-pull")
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: len(seen) == 34, timeout=2000)
    assert {thread for *_, thread in seen} == {"MainThread"}
    statuses = [s.pending for kind, s, _ in seen if kind == "status"]
    assert statuses == list(range(30))  # in the order they happened
    assert [kind for kind, *_ in seen[30:]] == ["new", "orders", "stock", "refused"]
    assert app.last_status == SyncStatus(online=True, pending=29)
    qtbot.wait(50)
    assert len(seen) == 34  # each once
