"""Sync benchmarks: order latency under many long-polling shops, and outbox drain.

    .venv/bin/python bench/bench_sync.py [--shops 1,100,1600] [--seconds 20] [--rate 100]

(a) Order placed → order applied in a real shop's SQLite (a real SyncEngine +
    ShopReplica), while N-1 simulated shops long-poll the same reference server
    (asyncio, one connection each) and orders arrive at ``--rate`` per second in
    all, a tenth of them for the real shop. The server runs as its own process.
    Also reported: placed → pull answer received by the simulated shops.
(b) 5,000 stock changes queued offline → outbox empty (confirmed by the server).

Targets (issue 3): (a) p50 < 50 ms, p99 < 250 ms at 1,600 shops, 100 orders/s;
(b) < 5 s.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import resource
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from marketplace.admin import create_shop  # noqa: E402
from marketplace.catalogue import DEMO_PRODUCTS  # noqa: E402
from marketplace.storage import open_database  # noqa: E402
from posapp.domain.stock import StockService  # noqa: E402
from posapp.store.db import Store, open_store  # noqa: E402
from posapp.store.replica import ShopReplica  # noqa: E402
from sync.engine import SyncEngine  # noqa: E402


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, db: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "marketplace", "serve", "--db", str(db), "--port",
             str(self.port), "--log-level", "warning", "--auto-reject-after", "36000"],
            cwd=ROOT,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.url}/v1/health", timeout=0.5).is_success:
                    return
            time.sleep(0.05)
        raise RuntimeError("server did not start")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


def make_shops(db_path: Path, count: int) -> list[tuple[str, str]]:
    products = [{**p, "stock": 10_000_000} for p in DEMO_PRODUCTS]
    with contextlib.closing(open_database(db_path)) as db:
        return [create_shop(db, f"Boutique {i}", "", products) for i in range(count)]


def pair_all(url: str, shops: list[tuple[str, str]]) -> list[tuple[str, str]]:
    out = []
    with httpx.Client(base_url=url, timeout=30) as http:
        for shop_id, code in shops:
            r = http.post("/v1/pair", json={"pairing_code": code, "device_name": "bench"})
            r.raise_for_status()
            out.append((shop_id, r.json()["device_token"]))
    return out


class RealShop:
    """A real shop: SyncEngine threads applying into SQLite; records apply times by note tag."""

    def __init__(self, url: str, token: str, work: Path):
        self.applied: dict[str, float] = {}
        self.store = open_store(work / "realshop")
        self.engine = SyncEngine(url, token, lambda: ShopReplica(Store(self.store.path)), self,
                                 wait=25.0)

    def sync_status_changed(self, status) -> None: ...
    def mutations_refused(self, refused) -> None: ...

    def pulled(self, summary) -> None:
        now = time.perf_counter()  # apply_pull has committed by now
        for order in summary.new_orders:
            self.applied.setdefault(order["note"], now)


ERRORS: dict[str, int] = {}
SHARED_TLS = ssl.create_default_context()  # one CA load, not one per simulated shop


async def simulated_shop(url: str, token: str, received: dict[str, float],
                         stop: asyncio.Event) -> None:
    # One client per shop, as in real life: a shared pool's lock would be the bottleneck.
    cursor, headers = 0, {"Authorization": f"Bearer {token}"}
    client_id = "c_" + uuid.uuid4().hex
    async with httpx.AsyncClient(base_url=url, timeout=60, headers=headers,
                                 verify=SHARED_TLS) as http:
        while not stop.is_set():
            try:
                r = await http.get("/v1/pull", params={"cursor": cursor, "wait": 25,
                                                       "client_id": client_id})
                body = r.json()
            except (httpx.HTTPError, ValueError) as exc:
                ERRORS[type(exc).__name__] = ERRORS.get(type(exc).__name__, 0) + 1
                await asyncio.sleep(0.5)
                continue
            now = time.perf_counter()
            cursor = body["cursor"]
            for order in body["orders"]:
                received.setdefault(order["note"], now)


def place_orders(url: str, shops: list[str], real_shop: str, rate: float, seconds: float,
                 placed: dict[str, tuple[float, str]], post_ms: list[float]) -> None:
    """Paced POSTs from one thread: a tenth for the real shop, the rest spread over the others."""
    others = [s for s in shops if s != real_shop] or [real_shop]
    with httpx.Client(base_url=url, timeout=30) as http:
        start, n = time.perf_counter(), 0
        while time.perf_counter() - start < seconds:
            shop_id = real_shop if n % 10 == 0 else others[n % len(others)]
            tag = "bench:" + uuid.uuid4().hex
            body = {"customer": {"name": "Zoé", "phone": "06"}, "channel": "collect",
                    "lines": [{"sku": DEMO_PRODUCTS[0]["sku"], "qty": 1}], "note": tag}
            t0 = time.perf_counter()
            placed[tag] = (t0, shop_id)
            with contextlib.suppress(httpx.HTTPError):
                http.post(f"/v1/customer/shops/{shop_id}/orders", json=body)
            post_ms.append((time.perf_counter() - t0) * 1000)
            n += 1
            time.sleep(max(0.0, start + n / rate - time.perf_counter()))


def run_pollers(url: str, tokens: list[str], seconds: float, out: Path) -> None:
    """Simulated shops (own process): long-poll until told to stop, then dump receive times.

    perf_counter is CLOCK_MONOTONIC on Linux, comparable across processes.
    """
    received: dict[str, float] = {}

    async def main() -> None:
        stop = asyncio.Event()
        tasks = [asyncio.create_task(simulated_shop(url, tok, received, stop)) for tok in tokens]
        await asyncio.sleep(seconds)
        stop.set()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    asyncio.run(main())
    if ERRORS:
        print(f"       simulated shops' request errors: {ERRORS}", flush=True)
    out.write_text(json.dumps(received))


def latency_run(n_shops: int, seconds: float, rate: float) -> None:
    work = Path(tempfile.mkdtemp(prefix=f"bench-sync-{n_shops}-"))
    db = work / "market.db"
    shops = make_shops(db, n_shops)
    server = Server(db)
    try:
        paired = pair_all(server.url, shops)
        real_id, real_token = paired[0]
        real = RealShop(server.url, real_token, work)
        real.engine.start()
        placed: dict[str, tuple[float, str]] = {}
        post_ms: list[float] = []
        settle = 2.0 + n_shops / 200  # the pollers process starts and connects first
        pollers = None
        if n_shops > 1:
            tokens_file, out = work / "tokens.json", work / "received.json"
            tokens_file.write_text(json.dumps([tok for _, tok in paired[1:]]))
            pollers = subprocess.Popen(
                [sys.executable, __file__, "--pollers", str(tokens_file), "--url", server.url,
                 "--out", str(out), "--seconds", str(settle + seconds + 2)], cwd=ROOT)
        time.sleep(settle)  # let every long-poll settle in
        place_orders(server.url, [s for s, _ in paired], real_id, rate, seconds, placed, post_ms)
        time.sleep(1.0)
        received: dict[str, float] = {}
        if pollers is not None:
            pollers.wait(60)
            received = json.loads(out.read_text())
        real.engine.stop()
        real_lat = [(real.applied[t] - t0) * 1000 for t, (t0, s) in placed.items()
                    if s == real_id and t in real.applied]
        sim_lat = [(received[t] - t0) * 1000 for t, (t0, s) in placed.items()
                   if s != real_id and t in received]
        real_sent = sum(1 for _, s in placed.values() if s == real_id)
        print(f"{n_shops:>5} shops, {len(placed) / seconds:5.0f} orders/s for {seconds:.0f} s:"
              f" real shop placed→SQLite p50 {statistics.median(real_lat):6.1f} ms"
              f" p99 {pct(real_lat, 0.99):6.1f} ms ({len(real_lat)}/{real_sent} orders);"
              + (f" simulated shops placed→pulled p50 {statistics.median(sim_lat):6.1f} ms"
                 f" p99 {pct(sim_lat, 0.99):6.1f} ms ({len(sim_lat)} orders)" if sim_lat else ""),
              flush=True)
        print(f"       customer POST p50 {statistics.median(post_ms):.1f} ms"
              f" p99 {pct(post_ms, 0.99):.1f} ms", flush=True)
    finally:
        server.stop()


def drain_run(count: int = 5000) -> None:
    work = Path(tempfile.mkdtemp(prefix="bench-drain-"))
    db = work / "market.db"
    shops = make_shops(db, 1)
    server = Server(db)
    try:
        (_, token), = pair_all(server.url, shops)
        store = open_store(work / "shop")
        done = threading.Event()

        class Listener:
            def sync_status_changed(self, status) -> None: ...
            def mutations_refused(self, refused) -> None: ...
            def pulled(self, summary) -> None:
                done.set()

        engine = SyncEngine(server.url, token, lambda: ShopReplica(Store(store.path)), Listener())
        engine.start()
        done.wait(10)
        engine.stop()
        stock = StockService(store)
        skus = [p["sku"] for p in stock.products()]
        for i in range(count):  # offline: queued one transaction each, as at the counter
            stock.adjust(skus[i % len(skus)], -1 if i % 3 else 2, "counter_sale" if i % 3 else
                         "restock")
        replica = ShopReplica(store)
        started = time.perf_counter()
        engine = SyncEngine(server.url, token, lambda: ShopReplica(Store(store.path)), Listener())
        engine.start()
        while replica.pending_count():
            time.sleep(0.01)
        elapsed = time.perf_counter() - started
        engine.stop()
        print(f"outbox drain: {count} offline mutations confirmed in {elapsed:.2f} s"
              f" ({count / elapsed:.0f} mutations/s)", flush=True)
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shops", default="1,100,1600")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--skip-drain", action="store_true")
    parser.add_argument("--pollers", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.pollers:
        run_pollers(args.url, json.loads(args.pollers.read_text()), args.seconds, args.out)
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 65536), hard))
    for n in (int(x) for x in args.shops.split(",")):
        latency_run(n, args.seconds, args.rate)
    if not args.skip_drain:
        drain_run()


if __name__ == "__main__":
    main()
