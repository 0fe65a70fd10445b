"""What a NOTIFY inside every write transaction costs PostgreSQL's commits.

    .venv/bin/python bench/bench_notify_commit.py [--threads 8] [--seconds 5]
        [--server postgresql://postgres@127.0.0.1/postgres]

PostgreSQL serialises the commits of transactions that sent a notification (one lock on
the notification queue, held from just before COMMIT to its end, WAL flush included),
whatever their shops. This runs THREADS writers, each bumping its own shop's ``seq`` in
its own transaction, as the marketplace's writers do, once plain and once with the
``pg_notify`` the marketplace adds (listener.send_wakeups), each for SECONDS, against a
throwaway database; prints transactions per second and commit-to-commit latency
(median, p99) side by side, and their ratio.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.throwaway_pg import add_server_argument, p99, throwaway_database  # noqa: E402


def run(url: str, threads: int, seconds: float, notify: bool) -> list[float]:
    latencies: list[list[float]] = [[] for _ in range(threads)]
    start = threading.Barrier(threads)

    def writer(i: int) -> None:
        with psycopg.connect(url, autocommit=True) as conn:
            start.wait()
            end = time.monotonic() + seconds
            while (began := time.monotonic()) < end:
                with conn.transaction():
                    conn.execute("UPDATE shops SET seq = seq + 1 WHERE id = %s", (f"s{i}",))
                    if notify:
                        conn.execute("SELECT pg_notify('bench_changes', %s)", (f"s{i}",))
                latencies[i].append(time.monotonic() - began)

    workers = [threading.Thread(target=writer, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return [value for per_thread in latencies for value in per_thread]


def line(name: str, values: list[float], seconds: float) -> str:
    return (f"{name:<18} {len(values) / seconds:8.0f} tx/s   median"
            f" {statistics.median(values) * 1000:6.2f} ms   p99 {p99(values) * 1000:6.2f} ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=5.0)
    add_server_argument(parser)
    args = parser.parse_args()
    with throwaway_database(args.server) as url:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE TABLE shops (id TEXT PRIMARY KEY, seq BIGINT NOT NULL)")
            for i in range(args.threads):
                conn.execute("INSERT INTO shops VALUES (%s, 0)", (f"s{i}",))
            conn.execute("LISTEN bench_changes")  # someone listens, as in production
            plain = run(url, args.threads, args.seconds, notify=False)
            notified = run(url, args.threads, args.seconds, notify=True)
        print(f"{args.threads} writers, one shop each, {args.seconds:g} s per run")
        print(line("plain", plain, args.seconds))
        print(line("with pg_notify", notified, args.seconds))
        print(f"throughput ratio (with / plain): {len(notified) / len(plain):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
