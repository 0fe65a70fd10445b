"""Wake-up latency across server processes on PostgreSQL: order placed -> long-poll answered.

    .venv/bin/python bench/bench_wakeup.py [--orders 300] [--shops 40]
        [--server postgresql://postgres@127.0.0.1/postgres]

Creates a throwaway database on that server, starts two ``comptoir-marketplace serve``
processes (A and B) over it and pairs SHOPS shops, each holding a long-poll in a thread.
Orders are placed one at a time through A, round robin over the shops; each is timed
from the start of its POST to the answer of its shop's long-poll. Two runs side by side:
the long-polls held by A itself (the NOTIFY comes back to the sending process) and held
by B (the other process). Prints median, p99 and max of each.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.throwaway_pg import add_server_argument, p99, throwaway_database  # noqa: E402
from marketplace import admin  # noqa: E402
from marketplace.catalogue import DEMO_PRODUCTS  # noqa: E402
from marketplace.storage import open_database, write_tx  # noqa: E402
from tests.marketplace.processes import server_processes  # noqa: E402

WAIT_S = 25.0


class Watcher(threading.Thread):
    """One shop's counter: long-polls without end, notes when each answer arrives."""

    def __init__(self, url: str, token: str, stop: threading.Event):
        super().__init__(daemon=True)
        self.url, self.token, self.stop = url, token, stop
        self.answered = threading.Condition()
        self.answers: list[tuple[float, set[str]]] = []  # (arrival, order ids)

    def run(self) -> None:
        cursor = 0
        with httpx.Client(timeout=WAIT_S + 10,
                          headers={"Authorization": f"Bearer {self.token}"}) as http:
            while not self.stop.is_set():
                body = http.get(f"{self.url}/v1/pull",
                                params={"cursor": cursor, "wait": WAIT_S}).json()
                arrived = time.monotonic()
                cursor = body["cursor"]
                with self.answered:
                    self.answers.append((arrived, {o["id"] for o in body["orders"]}))
                    self.answered.notify_all()

    def arrival_of(self, order_id: str, timeout: float = 10.0) -> float:
        deadline = time.monotonic() + timeout
        with self.answered:
            while True:
                for arrived, ids in self.answers:
                    if order_id in ids:
                        return arrived
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"order {order_id} never reached its long-poll")
                self.answered.wait(left)


def measure(place_url: str, poll_url: str, shops: list[tuple[str, str]], orders: int
            ) -> list[float]:
    stop = threading.Event()
    watchers = [Watcher(poll_url, token, stop) for _, token in shops]
    for watcher in watchers:
        watcher.start()
    time.sleep(1.0)  # every first pull answered and the next one held (a bench, not a test)
    latencies = []
    with httpx.Client(timeout=10) as http:
        for i in range(orders):
            (shop_id, _), watcher = shops[i % len(shops)], watchers[i % len(shops)]
            started = time.monotonic()
            response = http.post(f"{place_url}/v1/customer/shops/{shop_id}/orders", json={
                # one customer per order: the per-customer caps stay out of the way
                "customer": {"name": "Zoé", "phone": f"06 {i:08d}"}, "channel": "collect",
                "lines": [{"sku": "CROIS", "qty": 1}]})
            response.raise_for_status()
            latencies.append(watcher.arrival_of(response.json()["id"]) - started)
            time.sleep(0.01)
    stop.set()
    return latencies


def summary(name: str, values: list[float]) -> str:
    return (f"{name:<34} n={len(values):<5} median {statistics.median(values) * 1000:7.1f} ms"
            f"  p99 {p99(values) * 1000:7.1f} ms  max {max(values) * 1000:7.1f} ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=300)
    parser.add_argument("--shops", type=int, default=40)
    add_server_argument(parser)
    args = parser.parse_args()
    with throwaway_database(args.server) as url:
        db = open_database(url)
        try:
            created = [admin.create_shop(db, f"Boutique {i}", "", DEMO_PRODUCTS)
                       for i in range(args.shops)]
            with write_tx(db) as tx:  # never out of stock during the run
                tx.execute("UPDATE products SET stock = 1000000")
        finally:
            db.close()
        with tempfile.TemporaryDirectory() as tmp, \
                server_processes(url, Path(tmp), 2, "--auto-reject-after", "36000") as (a, b):
            shops = []
            for shop_id, code in created:
                paired = httpx.post(f"{a.url}/v1/pair", json={"pairing_code": code,
                                                               "device_name": "bench"})
                shops.append((shop_id, paired.json()["device_token"]))
            same = measure(a.url, a.url, shops, args.orders)
            other = measure(a.url, b.url, shops, args.orders)
        print(f"{args.orders} orders, {args.shops} long-polling shops, PostgreSQL, 2 processes")
        print(summary("placed on A, long-poll held by A", same))
        print(summary("placed on A, long-poll held by B", other))
    return 0


if __name__ == "__main__":
    sys.exit(main())
