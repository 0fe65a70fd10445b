"""Glue between the app and the printing package (TEMPORARY: being written)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

__all__ = ["PrintingSetup"]


class PrintingSetup:
    def __init__(self, data_dir: Path, store: Any, bridge: Any, *, demo: bool = False):
        self.data_dir = data_dir
        self.printer_file = data_dir / "tickets.bin"

    def on_new_orders(self, conn: sqlite3.Connection, orders: list[dict], shop: dict) -> None:
        pass

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass

    def wake(self) -> None:
        pass
