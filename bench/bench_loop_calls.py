"""Database calls in worker threads against calls on the event loop, while the loop is busy.

    .venv/bin/python bench/bench_loop_calls.py [--orders 600] [--runs 3] [--busy 0,0.5,0.9,1]
        [--server postgresql://postgres@127.0.0.1/postgres]

What a server process does with an order on PostgreSQL, without HTTP: ``orders.place_order``
then the ``pull.read_pull`` that delivers it, four callers at once (``Settings.db_threads``),
each call a few at a time as in ``MarketState``: either ``anyio.to_thread.run_sync(store.run)``
(worker threads) or ``store.run_on_loop`` (a greenlet on the loop). Meanwhile the loop runs
other requests' Python: chunks of 200 µs taking a share ``--busy`` of its time (1: it never
idles, as in a process that has fallen behind). Both ways run alternately in one process,
on the same throwaway database; printed: order placed → delivered p50 / p99, orders per
second, and this process's CPU per order (less the stand-in requests' chunks), medians
over the runs with the ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import anyio  # noqa: E402
import anyio.to_thread  # noqa: E402

from bench.bench_sync import make_shops  # noqa: E402
from bench.throwaway_pg import DEFAULT_SERVER, p99, throwaway_database  # noqa: E402
from marketplace import orders  # noqa: E402
from marketplace.catalogue import DEMO_PRODUCTS  # noqa: E402
from marketplace.pull import read_pull  # noqa: E402
from marketplace.storage import Store  # noqa: E402

SHOPS = 50
CALLERS = 4
CHUNK_S = 200e-6


def spin(seconds: float) -> float:
    """Busy for ``seconds``; the CPU time it took (this thread's)."""
    cpu = time.thread_time()
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass
    return time.thread_time() - cpu


async def busy_loop(share: float, stop: asyncio.Event) -> float:
    """Other requests' Python on the loop: ``share`` of its time, in 200 µs chunks; the
    CPU time they took."""
    if share <= 0:
        await stop.wait()
        return 0.0
    idle, spent = CHUNK_S * (1 - share) / share, 0.0
    while not stop.is_set():
        spent += spin(CHUNK_S)
        await asyncio.sleep(idle)  # 0: the loop polls its sockets and goes on at once
    return spent


async def one_run(store: Store, shops: list[str], cursors: dict[str, int], count: int,
                  share: float, on_loop: bool, first: int) -> dict[str, float]:
    limiter = anyio.CapacityLimiter(CALLERS)
    sku = DEMO_PRODUCTS[0]["sku"]
    latencies: list[float] = []
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(first, first + count):
        queue.put_nowait(i)

    async def call(fn, *args):  # type: ignore[no-untyped-def]
        if on_loop:
            async with limiter:
                return await store.run_on_loop(fn, *args)
        return await anyio.to_thread.run_sync(store.run, fn, *args, limiter=limiter)

    async def caller(k: int) -> None:
        shop = shops[k]  # one shop per caller: no caller waits on another's row lock
        while not queue.empty():
            i = queue.get_nowait()
            request = orders.OrderRequest("Zoé", f"06{i:08d}", None, "collect",
                                          (orders.OrderLineRequest(sku, 1),), note=f"n{i}")
            started = time.perf_counter()
            await call(orders.place_order, shop, request)
            body = (await call(read_pull, shop, cursors[shop], "c1")).body
            latencies.append((time.perf_counter() - started) * 1000)
            assert len(body["orders"]) == 1, body
            cursors[shop] = body["cursor"]

    stop = asyncio.Event()
    busy = asyncio.create_task(busy_loop(share, stop))
    cpu, wall = time.process_time(), time.perf_counter()
    await asyncio.gather(*(caller(k) for k in range(CALLERS)))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    stop.set()
    cpu -= await busy  # the calls' CPU (and the loop's own), not the stand-in requests'
    return {"p50": statistics.median(latencies), "p99": p99(latencies),
            "orders_s": count / wall, "cpu_ms": cpu * 1000 / count}


async def main_async(args: argparse.Namespace) -> None:
    with throwaway_database(args.server) as url:
        shops = [shop_id for shop_id, _code in make_shops(url, SHOPS)]
        store = Store(url, pool_size=CALLERS + 2)
        cursors = {shop: store.run(read_pull, shop, 0, "c1").body["cursor"] for shop in shops}
        try:
            first = 0
            for share in args.busy:
                results: dict[str, list[dict[str, float]]] = {"threads": [], "loop": []}
                for _run in range(args.runs):  # alternating: a noisy moment hits both alike
                    for name in results:
                        results[name].append(await one_run(store, shops, cursors,
                                                           args.orders, share,
                                                           name == "loop", first))
                        first += args.orders
                print(f"\nloop busy {share:.0%} of the time, {args.runs} runs of {args.orders}"
                      " orders each way (medians):")
                print(f"{'':28s}{'threads':>12s}{'loop':>12s}  ratio (loop / threads)")
                for key, label in (("p50", "placed → delivered p50 ms"),
                                   ("p99", "placed → delivered p99 ms"),
                                   ("orders_s", "orders/s"),
                                   ("cpu_ms", "process CPU ms per order")):
                    t, lp = (statistics.median(r[key] for r in results[n]) for n in results)
                    print(f"{label:28s}{t:12.2f}{lp:12.2f}  {lp / t:9.2f}", flush=True)
        finally:
            store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=600)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--busy", type=lambda v: [float(x) for x in v.split(",")],
                        default=[0.0, 0.5, 0.9, 1.0])
    parser.add_argument("--server", default=DEFAULT_SERVER)
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
