"""Operator console benchmark: the KPIs of the whole marketplace and of one shop, and the
dashboard page over HTTP, on a marketplace with many orders.

    .venv/bin/python bench/bench_console.py [--shops 1600] [--per-day 20] [--runs 15] [--keep F]

Builds a temporary marketplace (SQLite) with ``shops × per_day × 84`` orders over 12 weeks
(each with its history: placed, accepted, ready, completed; some refused or cancelled), then
times, on a warm file: kpis.compute() for the last 14 days overall and for one shop, the same
by week over 12 weeks, and GET /console/ (14 days: its first load, then within the minute the
page keeps its figures) and GET /console/shops/{id} through a real server on loopback. Prints medians and p99 (p99 = the slowest run below 100 runs).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import random
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx  # noqa: E402

from marketplace import admin  # noqa: E402
from marketplace.console import auth, kpis  # noqa: E402
from marketplace.embedded import EmbeddedMarketplace  # noqa: E402
from marketplace.storage import open_database, write_tx  # noqa: E402
from sync.protocol import to_iso  # noqa: E402

DAYS = 84
PARIS = ZoneInfo("Europe/Paris")


def build(path: Path, shops: int, per_day: int, seed: int = 13) -> list[str]:
    rng = random.Random(seed)
    with contextlib.closing(open_database(path)) as db:
        ids = [admin.create_shop(db, f"Boutique {i}", time_zone="Europe/Paris")[0]
               for i in range(shops)]
        now = dt.datetime.now(dt.UTC)
        number = 0
        for day in range(DAYS):
            orders, history = [], []
            for shop_id in ids:
                for _ in range(per_day):
                    number += 1
                    created = now - dt.timedelta(days=day, seconds=rng.uniform(0, 86_000))
                    accept = rng.uniform(10, 300)
                    fate = rng.random()
                    status = ("rejected" if fate < 0.05 else "cancelled" if fate < 0.08
                              else "completed")
                    oid = f"ord_{number:010d}"
                    at = (lambda s, c=created: to_iso(c + dt.timedelta(seconds=s)))  # noqa: E731
                    orders.append((oid, shop_id, number, status, rng.randint(300, 5000), at(0),
                                   at(0), at(accept + 900),
                                   "timeout" if status == "rejected" else None))
                    history.append((oid, "new", at(0), "customer"))
                    if status == "completed":
                        history += [(oid, "accepted", at(accept), "shop"),
                                    (oid, "ready", at(accept + rng.uniform(300, 1200)), "shop"),
                                    (oid, "completed", at(accept + 1500), "shop")]
                    else:
                        history.append((oid, status, at(600), "marketplace"))
            with write_tx(db) as tx:
                version = tx.version()
                tx.conn.executemany(
                    "INSERT INTO orders (id, shop_id, number, status, channel, customer_name,"
                    " customer_phone, total_cents, created_at, updated_at, ready_by,"
                    " reject_reason, version) VALUES (?, ?, ?, ?, 'collect', 'Zoé', '06',"
                    " ?, ?, ?, ?, ?, " + str(version) + ")", orders)
                tx.conn.executemany("INSERT INTO order_history (order_id, status, at, actor)"
                                    " VALUES (?, ?, ?, ?)", history)
        db.execute("ANALYZE")
    return ids


def timed(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    fn()  # warm the file cache
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1,
                                                   int(len(samples) * 0.99))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shops", type=int, default=1600)
    parser.add_argument("--per-day", type=int, default=20)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--keep", type=Path, metavar="FILE",
                        help="build the marketplace into FILE, or reuse it if it exists")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or Path(tmp) / "market.db"
        start = time.perf_counter()
        if path.exists():
            with contextlib.closing(open_database(path)) as db:
                ids = [r[0] for r in db.execute("SELECT id FROM shops ORDER BY created_at, id")]
                total = db.execute("SELECT COUNT(*) FROM orders").fetchone()[0]
            print(f"reusing {path}: {total:,} orders, {len(ids)} shops", flush=True)
        else:
            ids = build(path, args.shops, args.per_day)
            total = args.shops * args.per_day * DAYS
            print(f"built {total:,} orders ({args.shops} shops × {args.per_day}/day × {DAYS}"
                  f" days) in {time.perf_counter() - start:.0f} s", flush=True)
        days = kpis.periods("day", 14, PARIS)
        weeks = kpis.periods("week", 12, PARIS)
        rows = []
        with contextlib.closing(open_database(path)) as db:
            for label, spans, shop in (("overall, 14 days", days, None),
                                       ("one shop, 14 days", days, ids[0]),
                                       ("overall, 12 weeks", weeks, None),
                                       ("one shop, 12 weeks", weeks, ids[0])):
                runs = max(3, args.runs // 5) if shop is None and spans is weeks else args.runs
                rows.append((f"kpis.compute {label}", *timed(
                    lambda s=spans, sh=shop: kpis.compute(db, s, sh), runs)))
            password = (auth.reset_password(db, "bench") if any(
                o["name"] == "bench" for o in auth.list_operators(db))
                else auth.add_operator(db, "bench"))
        with EmbeddedMarketplace(path) as market, httpx.Client(base_url=market.url,
                                                                timeout=120) as http:
            page = http.get("/console/login")
            token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
            http.post("/console/login", data={"csrf": token, "name": "bench",
                                              "password": password})
            start = time.perf_counter()
            assert http.get("/console/").status_code == 200
            first = (time.perf_counter() - start) * 1000
            rows.append(("GET /console/ (14 days), first (computes)", first, first))
            for label, url in (("GET /console/ (14 days), within a minute (kept)", "/console/"),
                               ("GET /console/shops/{id} (14 days)", f"/console/shops/{ids[0]}")):
                def get(u: str = url) -> None:
                    assert http.get(u).status_code == 200

                rows.append((label, *timed(get, args.runs)))
        width = max(len(r[0]) for r in rows)
        print(f"{'what':<{width}}  median ms    p99 ms")
        for label, median, p99 in rows:
            print(f"{label:<{width}}  {median:9.1f} {p99:9.1f}")


if __name__ == "__main__":
    main()
