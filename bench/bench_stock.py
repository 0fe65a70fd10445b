"""Stock tab with 50,000 products: first pull, reload, scan and name search (medians, ms).

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_stock.py
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtWidgets import QApplication  # noqa: E402

N = 50_000


def timed(fn, runs: int = 7) -> tuple[float, float]:
    values = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        values.append((time.perf_counter() - started) * 1000)
    return statistics.median(values), max(values)


def main() -> None:
    app = QApplication([])
    import posapp.ui  # noqa: F401 - Qt work-arounds first
    from posapp.domain.stock import StockService
    from posapp.store.db import open_store
    from posapp.store.replica import ShopReplica
    from posapp.ui.stock_page import StockPage

    store = open_store(tempfile.mkdtemp(prefix="bench-stock-"))
    products = [
        {"sku": f"SKU{i:06d}", "name": f"Produit n°{i} épicerie fine", "price_cents": 100 + i % 900,
         "barcode": f"37{i:011d}", "category": "Épicerie", "active": True, "available": True,
         "low_stock_threshold": 3, "stock": i % 50}
        for i in range(N)
    ]
    pull = {"cursor": 1, "last_mutation_id": 0, "products": products, "orders": [],
            "shop": {"id": "s", "name": "Épicerie", "paused": False, "address": ""}}
    started = time.perf_counter()
    ShopReplica(store).apply_pull(pull)
    print(f"first pull of {N} products into SQLite: {(time.perf_counter() - started) * 1000:.0f} ms")
    page = StockPage(StockService(store))
    page.resize(1366, 800)
    page.show()

    def reload() -> None:
        page.reload()
        app.processEvents()

    def typed(text: str) -> tuple[float, float]:
        """Typing (or scanning) ``text`` into an empty search field, until the table shows it."""
        values = []
        for _ in range(7):
            page.search.setText("")
            app.processEvents()
            started = time.perf_counter()
            page.search.setText(text)
            page.on_enter()
            app.processEvents()
            values.append((time.perf_counter() - started) * 1000)
        return statistics.median(values), max(values)

    results = [("reload the whole table", timed(reload))]
    for label, text in (("barcode scan + Enter", "3700000012345"),
                        ("name search, one match", "Produit n°49999 "),
                        ("name search, every product", "épicerie")):
        results.append((label, typed(text)))
    for label, (median, worst) in results:
        print(f"{label:<32} median {median:7.1f} ms   max {worst:7.1f} ms")


if __name__ == "__main__":
    main()
