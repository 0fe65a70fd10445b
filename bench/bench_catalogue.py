"""Catalogue CSV benchmark: dry run and apply of a 50,000-product French CSV, and export.

Run: .venv/bin/python bench/bench_catalogue.py [--products N] [--runs N]
Target: dry run + apply under 5 s for 50,000 products (median of the runs).

Each run starts from the same store (copied with SQLite's backup API) holding
N products synced from the marketplace; the file counts every product (about
a third differ from what the counter shows) and toggles availability of one
in ten; prices are written "12,50" and the file is UTF-8 with BOM, ";"-separated.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from posapp.domain.catalogue_csv import (  # noqa: E402
    apply_plan,
    export_catalogue,
    format_price,
    read_plan,
)
from posapp.store.db import Store  # noqa: E402
from posapp.store.replica import ShopReplica  # noqa: E402

__all__ = ["main", "make_store", "make_csv"]


def _product(n: int, rng: random.Random) -> dict:
    return {"sku": f"SKU{n:06d}", "name": f"Produit n° {n} « spécial »",
            "price_cents": rng.randint(50, 5000), "barcode": f"376{n:010d}",
            "category": rng.choice(["Pain", "Viennoiserie", "Pâtisserie", "Épicerie"]),
            "active": True, "available": True, "low_stock_threshold": 5,
            "stock": rng.randint(0, 200)}


def make_store(path: Path, products: int, seed: int = 1) -> list[dict]:
    rng = random.Random(seed)
    catalogue = [_product(n, rng) for n in range(products)]
    store = Store(path)
    ShopReplica(store).apply_pull({
        "cursor": 1, "last_mutation_id": 0,
        "shop": {"id": "shop_b", "name": "Épicerie du banc", "paused": False, "address": ""},
        "orders": [], "products": catalogue})
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    return catalogue


def make_csv(path: Path, catalogue: list[dict], seed: int = 2) -> None:
    rng = random.Random(seed)
    lines = ["référence;nom;catégorie;prix;code-barres;stock;disponible;actif;seuil"]
    for p in catalogue:
        counted = p["stock"] + (rng.randint(-3, 3) if rng.random() < 0.35 else 0)
        available = "non" if rng.random() < 0.1 else "oui"
        lines.append(f'{p["sku"]};"{p["name"]}";{p["category"]};{format_price(p["price_cents"])};'
                     f'{p["barcode"]};{max(counted, 0)};{available};oui;5')
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8-sig")


def _copy(src: Path, dst: Path) -> None:
    with sqlite3.connect(src) as a, sqlite3.connect(dst) as b:
        a.backup(b)
    a.close()
    b.close()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--products", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        started = time.perf_counter()
        catalogue = make_store(work / "base.db", args.products)
        make_csv(work / "import.csv", catalogue)
        size = (work / "import.csv").stat().st_size
        print(f"{args.products} products, CSV {size / 1e6:.1f} MB,"
              f" set up in {time.perf_counter() - started:.1f} s")
        dry, apply, total, exports = [], [], [], []
        for run in range(args.runs):
            db = work / f"run{run}.db"
            _copy(work / "base.db", db)
            store = Store(db)
            t0 = time.perf_counter()
            plan = read_plan(work / "import.csv", store)
            t1 = time.perf_counter()
            result = apply_plan(store, plan)
            t2 = time.perf_counter()
            export_catalogue(store, work / "export.csv")
            t3 = time.perf_counter()
            store.close()
            dry.append(t1 - t0)
            apply.append(t2 - t1)
            total.append(t2 - t0)
            exports.append(t3 - t2)
            print(f"run {run + 1}: dry run {t1 - t0:.2f} s, apply {t2 - t1:.2f} s"
                  f" ({result.stock_adjusted} counts, {result.availability_changed}"
                  f" availability), export {t3 - t2:.2f} s")
        median = statistics.median(total)
        print(f"median: dry run {statistics.median(dry):.2f} s, apply"
              f" {statistics.median(apply):.2f} s, dry run + apply {median:.2f} s"
              f" (target < 5 s), export {statistics.median(exports):.2f} s")
        return 0 if median < 5.0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
