"""A shop app without a window, for crash tests: syncs and makes random counter changes.

Every change is journaled in ``fault_journal`` in the same transaction as its
outbox entry, so the journal is the ground truth of what the counter did,
whenever the process is killed.

    python -m tests.faults.shop_driver DATA_DIR URL TOKEN SECONDS SEED [production]

``production``: the engine's own timings (25-s long-polls, 10-s timeouts, its backoff)
and a counter's pace (a change every 0.2-1 s) instead of the crash tests' fast ones;
the counter stays idle while a file ``counter_idle`` exists in DATA_DIR.
"""

from __future__ import annotations

import json
import random
import sys
import time
from pathlib import Path

from posapp.domain.orders import InvalidAction, OrdersService
from posapp.domain.stock import StockService
from posapp.store.db import Store, open_store
from posapp.store.replica import ShopReplica
from sync.engine import SyncEngine

JOURNAL_DDL = (
    "CREATE TABLE IF NOT EXISTS fault_journal (mutation_id INTEGER PRIMARY KEY,"
    " kind TEXT NOT NULL, detail TEXT NOT NULL)"
)


class _Quiet:
    def sync_status_changed(self, status) -> None: ...
    def pulled(self, summary) -> None: ...
    def mutations_refused(self, refused) -> None:
        print("REFUSED", json.dumps(refused), flush=True)


def main(data_dir: str, url: str, token: str, seconds: float, seed: int,
         production: bool = False) -> None:
    rng = random.Random(seed)
    store = open_store(Path(data_dir))
    store.conn.execute(JOURNAL_DDL)
    orders, stock = OrdersService(store), StockService(store)
    open_replica = lambda: ShopReplica(Store(store.path))  # noqa: E731
    if production:
        engine = SyncEngine(url, token, open_replica, _Quiet())
        pace = (0.2, 1.0)
    else:
        engine = SyncEngine(url, token, open_replica, _Quiet(),
                            wait=2.0, timeout=2.0, push_interval=0.5, backoff_cap=0.3)
        pace = (0.002, 0.03)
    engine.start()
    deadline = time.monotonic() + seconds
    idle_flag = Path(data_dir) / "counter_idle"
    while time.monotonic() < deadline:
        time.sleep(rng.uniform(*pace))
        if production and idle_flag.exists():
            continue
        products = stock.products()
        if not products:
            continue
        if rng.random() < 0.6:
            sku = rng.choice(products)["sku"]
            delta = rng.choice([-3, -2, -1, -1, 1, 2, 5])
            reason = "counter_sale" if delta < 0 else "restock"
            with store.transaction() as conn:
                mid = stock.adjust(sku, delta, reason)
                conn.execute("INSERT INTO fault_journal VALUES (?, 'stock', ?)",
                             (mid, json.dumps({"sku": sku, "delta": delta})))
        else:
            board = orders.board()
            open_orders = board["new"] + board["preparing"] + board["ready"]
            if not open_orders:
                continue
            order = rng.choice(open_orders)
            action = {"new": "accept", "accepted": "ready", "ready": "collected"}[order["status"]]
            try:
                with store.transaction() as conn:
                    if action == "accept":
                        mid = orders.accept(order["id"], ready_in_minutes=15)
                    elif action == "ready":
                        mid = orders.mark_ready(order["id"])
                    else:
                        mid = orders.mark_collected(order["id"])
                    conn.execute("INSERT INTO fault_journal VALUES (?, 'order', ?)",
                                 (mid, json.dumps({"order_id": order["id"], "action": action})))
            except InvalidAction:
                continue
        engine.push_soon()
    # Converge before a clean exit (a killed run never gets here).
    replica = ShopReplica(Store(store.path))
    while replica.pending_count() and time.monotonic() < deadline + 30:
        engine.push_soon()
        time.sleep(0.05)
    engine.stop()
    print(f"DONE pending={replica.pending_count()}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]), int(sys.argv[5]),
         production=sys.argv[6:] == ["production"])
