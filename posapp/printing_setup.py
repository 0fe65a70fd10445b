"""Glue between the app and the printing package: settings, auto-print, the queue thread.

The printer configuration is a JSON document in the ``settings`` table. By
default (and always in the demo) tickets go to a *file printer*: the ESC/POS
bytes are appended to ``<data dir>/tickets.escpos``, whose path the window shows.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from pathlib import Path
from typing import Any

from posapp.domain.orders import OrdersService
from posapp.store.replica import OrderChange
from posapp.store.shop_time import shop_zone
from printing import PrinterConfig, PrintQueue, make_backend
from printing.enqueue import enqueue_for_change

__all__ = ["PrintingSetup", "PRINTER_SETTING"]

log = logging.getLogger(__name__)

PRINTER_SETTING = "printer_config"


class PrintingSetup:
    def __init__(self, data_dir: Path, store: Any, bridge: Any, *, demo: bool = False):
        self.data_dir = Path(data_dir)
        self.store = store
        self.default_file = self.data_dir / "tickets.escpos"
        self.queue = PrintQueue(
            store.path,
            lambda: make_backend(self.config()),
            on_status=bridge.on_printer_status,
            on_job=bridge.on_print_job,
        )

    # -- configuration ----------------------------------------------------------
    def _default_config(self) -> PrinterConfig:
        return PrinterConfig(kind="file", address=str(self.default_file))

    def config(self, conn: sqlite3.Connection | None = None) -> PrinterConfig:
        """Current printer settings; readable from any thread given that thread's connection."""
        try:
            if conn is None:
                with sqlite3.connect(self.store.path, timeout=10) as own:
                    row = own.execute(
                        "SELECT value FROM settings WHERE key = ?", (PRINTER_SETTING,)
                    ).fetchone()
            else:
                row = conn.execute(
                    "SELECT value FROM settings WHERE key = ?", (PRINTER_SETTING,)
                ).fetchone()
            if row and row[0]:
                return PrinterConfig.from_dict(json.loads(row[0]))
        except (sqlite3.Error, ValueError, TypeError) as exc:
            log.warning("printer settings unreadable, using the file printer: %s", exc)
        return self._default_config()

    def save_config(self, config: PrinterConfig) -> None:
        with self.store.transaction() as conn:
            conn.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?)"
                " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (PRINTER_SETTING, json.dumps(config.to_dict())),
            )
        self.queue.wake()

    @property
    def printer_file(self) -> Path | None:
        config = self.config()
        return Path(config.address) if config.kind == "file" and config.address else None

    # -- hooks and actions ---------------------------------------------------------
    def on_order_changes(self, conn: sqlite3.Connection, changes: list[OrderChange],
                         shop: dict) -> None:
        """Runs inside the pull's transaction: tickets (on arrival or on acceptance, as
        configured) and cancellation slips commit with the status that caused them."""
        config = self.config(conn)
        for change in changes:
            try:
                enqueue_for_change(conn, change.order, change.previous, shop, config,
                                   shop_zone(conn), pairing=change.pairing)
            except Exception:  # a ticket that cannot be laid out must not block the orders
                log.exception("ticket of order %s could not be prepared", change.order.get("id"))

    def reprint(self, order_id: str) -> int:
        """A DUPLICATA of the ticket as printed; an order never printed yet (printing on
        acceptance, a new order) prints its ticket now instead."""
        try:
            return self.queue.reprint(order_id)
        except LookupError:
            pass
        order = OrdersService(self.store).get(order_id)
        if order is None:
            raise LookupError(order_id)
        row = self.store.query_one("SELECT value FROM sync_state WHERE key = 'shop'")
        shop = json.loads(row["value"]) if row and row["value"] else {}
        ids = self.queue.enqueue_order(order, shop, self.config(), tz=shop_zone(self.store.conn),
                                       manual=True)
        return ids[0] if ids else self.queue.reprint(order_id)

    def start(self) -> None:
        self.queue.start()

    def stop(self) -> None:
        self.queue.stop(timeout=5.0)

    def wake(self) -> None:
        self.queue.wake()
