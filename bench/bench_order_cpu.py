"""CPU per order on PostgreSQL, one thread: placing it, then the pull that delivers it.

    .venv/bin/python bench/bench_order_cpu.py [--orders 2000] [--runs 3] [--against REV]
        [--server postgresql://postgres@127.0.0.1/postgres]

No HTTP: ``orders.place_order`` and ``pull.read_pull`` called through a ``Store`` pool, as
the server's worker threads call them, on a throwaway database with 50 shops. For each,
the CPU of this process (what the server spends in Python and psycopg) and of the
PostgreSQL backends serving it (from /proc: PostgreSQL on this machine), divided by the
orders. ``--against REV`` measures the code of a git revision too (a temporary worktree),
alternating runs of the two in one go, and prints the medians side by side with their
ratio.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLK_TCK = os.sysconf("SC_CLK_TCK")
SHOPS = 50
WARM_UP = 200


def measure(root: Path, server: str, orders_count: int) -> dict[str, float]:
    """One run of the code under ``root`` (imported from there): ms per order."""
    sys.path.insert(0, str(root))
    import psycopg

    from bench.bench_sync import make_shops
    from bench.throwaway_pg import throwaway_database
    from marketplace import orders
    from marketplace.catalogue import DEMO_PRODUCTS
    from marketplace.pull import read_pull
    from marketplace.storage import Store

    with throwaway_database(server) as url:
        shops = [shop_id for shop_id, _code in make_shops(url, SHOPS)]
        store = Store(url)
        sku = DEMO_PRODUCTS[0]["sku"]
        name = url.rsplit("/", 1)[1]

        def place(i: int) -> None:
            request = orders.OrderRequest("Zoé", f"06{i:08d}", None, "collect",
                                          (orders.OrderLineRequest(sku, 1),), note=f"n{i}")
            store.run(orders.place_order, shops[i % SHOPS], request)

        pids: list[int] = []

        def pg_cpu() -> float:
            total = 0
            for pid in pids:
                with contextlib.suppress(FileNotFoundError):
                    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                    total += int(fields[11]) + int(fields[12])
            return total / CLK_TCK

        try:
            for i in range(WARM_UP):
                place(i)
            with psycopg.connect(server, autocommit=True) as admin:  # the pool's backends
                pids += [r[0] for r in admin.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = %s", (name,))]
            cpu, pg = time.process_time(), pg_cpu()
            for i in range(WARM_UP, WARM_UP + orders_count):
                place(i)
            place_cpu, place_pg = time.process_time() - cpu, pg_cpu() - pg
            cursors = {s: store.run(read_pull, s, 0, "c1", 600.0, 10**6).body["cursor"]
                       for s in shops}
            pull_cpu = pull_pg = 0.0
            for i in range(orders_count):
                shop = shops[i % SHOPS]
                place(10**6 + i)
                pg = pg_cpu()  # before the server's clock: /proc reads are not the pull's
                cpu = time.process_time()
                body = store.run(read_pull, shop, cursors[shop], "c1").body
                pull_cpu += time.process_time() - cpu
                pull_pg += pg_cpu() - pg
                assert len(body["orders"]) == 1, body
                cursors[shop] = body["cursor"]
        finally:
            store.close()
    per = 1000 / orders_count
    return {"place_cpu": place_cpu * per, "place_pg": place_pg * per,
            "pull_cpu": pull_cpu * per, "pull_pg": pull_pg * per}


def run_child(root: Path, server: str, orders_count: int) -> dict[str, float]:
    done = subprocess.run([sys.executable, __file__, "--child", str(root), "--server", server,
                           "--orders", str(orders_count)], capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"the measurement of {root} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


LABELS = {"place_cpu": "place: server CPU", "place_pg": "place: PostgreSQL CPU",
          "pull_cpu": "delivery pull: server CPU", "pull_pg": "delivery pull: PostgreSQL CPU"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--against", metavar="REV", help="also measure this git revision")
    parser.add_argument("--server", help="PostgreSQL admin URL (default: throwaway_pg's)")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child, args.server, args.orders)))
        return
    sys.path.insert(0, str(ROOT))  # here, not in the child: it imports its own tree
    from bench import revisions, throwaway_pg

    args.server = args.server or throwaway_pg.DEFAULT_SERVER  # the child is always told

    with revisions.trees(args.against) as trees:
        results: dict[str, list[dict[str, float]]] = {name: [] for name in trees}
        for run in range(args.runs):  # alternating: a noisy moment hits both alike
            for name, root in trees.items():
                results[name].append(run_child(root, args.server, args.orders))
                print(f"run {run + 1} {name}: " + ", ".join(
                    f"{k} {v:.3f}" for k, v in results[name][-1].items()), flush=True)
    print(f"\nms per order, median of {args.runs} runs of {args.orders} orders:")
    names = list(trees)
    print(f"{'':32s}" + "".join(f"{n:>14s}" for n in names)
          + ("  ratio (this tree / REV)" if len(names) == 2 else ""))
    for key, label in LABELS.items():
        medians = [statistics.median(r[key] for r in results[n]) for n in names]
        ratio = f"  {medians[1] / medians[0]:9.2f}" if len(medians) == 2 and medians[0] else ""
        print(f"{label:32s}" + "".join(f"{m:14.3f}" for m in medians) + ratio)


if __name__ == "__main__":
    main()
