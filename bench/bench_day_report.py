"""Day report benchmark: DayReport.compute() for one day over a year of history.

    .venv/bin/python bench/bench_day_report.py [--per-day 150] [--days 365] [--runs 200]

Builds a temporary store (a year of orders with lines and history, and the
``stock_ledger`` with every online line plus 40 counter sales a day), then
times compute() on random days. Target: p99 under 200 ms (the report tab computes on the GUI thread).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from posapp.domain.day_report import DayReport  # noqa: E402
from posapp.store.db import open_store  # noqa: E402
from sync.protocol import to_iso  # noqa: E402

__all__ = ["build_store", "main"]

PRODUCTS = [("BAG", "Baguette tradition", 130), ("CRO", "Croissant", 120),
            ("PAC", "Pain au chocolat", 130), ("ECL", "Éclair café", 250),
            ("TAR", "Tarte aux fraises", 420), ("FLA", "Flan pâtissier", 290),
            ("PCA", "Pain de campagne", 340), ("MAC", "Macaron framboise", 150),
            ("OPE", "Opéra", 480), ("QUI", "Quiche lorraine", 390),
            ("SAN", "Sandwich jambon-beurre", 450), ("CAN", "Canelé", 190)]
STATUSES = ["completed"] * 90 + ["rejected"] * 4 + ["cancelled"] * 3 + ["ready"] * 2 + ["new"]
STEPS = {"new": ("new",), "accepted": ("new", "accepted"), "ready": ("new", "accepted", "ready"),
         "completed": ("new", "accepted", "ready", "completed"), "rejected": ("new", "rejected"),
         "cancelled": ("new", "accepted", "cancelled")}


def _day_rows(day: dt.date, per_day: int, rng: random.Random, first: int) -> Iterator[tuple]:
    opening = dt.datetime.combine(day, dt.time(6), tzinfo=dt.UTC)
    for k in range(per_day):
        number = first + k
        oid = f"ord_{number:08d}"
        created = opening + dt.timedelta(seconds=rng.randrange(12 * 3600))
        status = rng.choice(STATUSES)
        lines, total = [], 0
        for pos in range(rng.choice((1, 2, 2, 3, 3, 4, 5))):
            sku, name, price = rng.choice(PRODUCTS)
            qty = rng.choice((1, 1, 2, 3, 6))
            total += qty * price
            lines.append((oid, pos, sku, name, qty, price, "[]"))
        at, history = created, []
        for seq, step in enumerate(STEPS[status]):
            history.append((oid, seq, step, to_iso(at), "shop"))
            at += dt.timedelta(minutes=rng.randint(1, 25))
        ready_by = to_iso(created + dt.timedelta(minutes=20)) if status != "new" else None
        ts = to_iso(created)
        order = (oid, number, status, "delivery" if rng.random() < 0.25 else "collect", "Zoé",
                 total, ready_by, ts, history[-1][3], ts)
        yield order, lines, history


def build_store(data_dir: Path, per_day: int, days: int, seed: int = 1) -> tuple[int, dt.date]:
    """Fill a fresh store; returns (orders, last day)."""
    store = open_store(data_dir)
    conn = store.conn
    rng = random.Random(seed)
    last = dt.date.today()
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO products (sku, name, price_cents) VALUES (?, ?, ?)", PRODUCTS)
    # The ledger migration (0003) may be there or not: same columns the app writes.
    conn.execute("CREATE TABLE IF NOT EXISTS stock_ledger (id INTEGER PRIMARY KEY, sku TEXT,"
                 " delta INTEGER, reason TEXT, source TEXT, order_id TEXT, line_no INTEGER,"
                 " price_cents INTEGER, at TEXT, confirmed INTEGER)")
    conn.execute("CREATE INDEX IF NOT EXISTS stock_ledger_at ON stock_ledger(at)")
    count = 0
    for d in range(days):
        day = last - dt.timedelta(days=days - 1 - d)
        orders, lines, history = [], [], []
        for order, order_lines, order_history in _day_rows(day, per_day, rng, count + 1):
            orders.append(order)
            lines += order_lines
            history += order_history
        count += len(orders)
        conn.executemany(
            "INSERT INTO orders (id, number, status, channel, customer_name, total_cents,"
            " ready_by, created_at, updated_at, received_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
            orders)
        conn.executemany("INSERT INTO order_lines VALUES (?, ?, ?, ?, ?, ?, ?)", lines)
        conn.executemany("INSERT INTO order_history VALUES (?, ?, ?, ?, ?)", history)
        # The ledger holds every online line too: the report must pick counter sales out.
        noon = dt.datetime.combine(day, dt.time(11), tzinfo=dt.UTC)
        ledger = [(sku, -1, "counter_sale", "counter", None, None, price,
                   to_iso(noon + dt.timedelta(minutes=i)), 1)
                  for i, (sku, _name, price) in enumerate(rng.choices(PRODUCTS, k=40))]
        created = {o[0]: o[7] for o in orders}
        ledger += [(sku, -qty, "order", "online", oid, pos, price, created[oid], 1)
                   for oid, pos, sku, _name, qty, price, _opts in lines]
        conn.executemany(
            "INSERT INTO stock_ledger (sku, delta, reason, source, order_id, line_no, price_cents,"
            " at, confirmed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", ledger)
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    store.close()
    return count, last


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-day", type=int, default=150)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="comptoir-bench-") as tmp:
        started = time.perf_counter()
        count, last = build_store(Path(tmp), args.per_day, args.days)
        print(f"store: {count} orders over {args.days} days, built in "
              f"{time.perf_counter() - started:.1f} s")
        store = open_store(Path(tmp))
        report = DayReport(store)
        rng = random.Random(2)
        first = time.perf_counter()
        summary = report.compute(last)
        print(f"first call (cold caches): {(time.perf_counter() - first) * 1000:.1f} ms; "
              f"{summary.received} orders, revenue {summary.revenue_total_cents / 100:.2f} €")
        timings: list[float] = []
        for _ in range(args.runs):
            day = last - dt.timedelta(days=rng.randrange(args.days))
            t0 = time.perf_counter()
            report.compute(day)
            timings.append((time.perf_counter() - t0) * 1000)
        store.close()
    median, p99 = statistics.median(timings), _percentile(timings, 99)
    print(f"compute(one day) over {args.runs} random days: median {median:.1f} ms, "
          f"p99 {p99:.1f} ms, max {max(timings):.1f} ms (target p99 < 200 ms)")
    return 0 if p99 < 200 else 1


if __name__ == "__main__":
    raise SystemExit(main())
