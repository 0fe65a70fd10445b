"""HTTP serving cost side by side: h11 on asyncio's loop against httptools on uvloop.

    .venv/bin/python bench/bench_http.py [--clients 32] [--seconds 5] [--path /v1/health]

For each mode, starts ``comptoir-marketplace serve --http H --loop L`` (the real app and
its guards, on a throwaway SQLite file, loopback only) and has CLIENTS keep-alive
connections send PATH back to back for a warm-up second, then SECONDS measured. Prints
per mode: requests/s, median and p99 latency, the server process's CPU seconds and
requests per CPU-second; then the ratio. Bounded: about 2 x (SECONDS + 3) s in all.

The clients run in this process on one event loop (raw sockets, a pre-built request), the
same for both modes; on a 2-core machine they take a core, so requests/s says less than
requests per server CPU-second, the number that sizes a deployment.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.throwaway_pg import p99  # noqa: E402
from marketplace.storage import database_url  # noqa: E402
from tests.marketplace.processes import ServerProcess  # noqa: E402

MODES = [("h11", "asyncio"), ("httptools", "uvloop")]
WARM_UP_S = 1.0
CLK_TCK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime + stime


async def _answer(reader: asyncio.StreamReader) -> int:
    """Read one answer (Content-Length body); its status."""
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    await reader.readexactly(length)
    return int(head[9:12])


async def _client(host: str, port: int, request: bytes, until: float, measure_from: float,
                  latencies: list[float]) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while (start := time.perf_counter()) < until:
            writer.write(request)
            status = await _answer(reader)
            if status != 200:
                raise RuntimeError(f"HTTP {status}")
            if start >= measure_from:
                latencies.append(time.perf_counter() - start)
    finally:
        writer.close()


def run_mode(db_url: str, work: Path, http: str, loop: str, clients: int, seconds: float,
             path: str) -> dict[str, float]:
    server = ServerProcess(db_url, work / f"{http}-{loop}.log", "--http", http, "--loop", loop,
                           "--max-connections-per-address", "0")
    try:
        host, port = server.url.removeprefix("http://").rsplit(":", 1)
        request = f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()
        latencies: list[float] = []

        async def load() -> tuple[float, float]:
            now = time.perf_counter()
            measure_from = now + WARM_UP_S
            until = measure_from + seconds
            tasks = [asyncio.create_task(_client(host, int(port), request, until, measure_from,
                                                 latencies)) for _ in range(clients)]
            await asyncio.sleep(max(0.0, measure_from - time.perf_counter()))
            cpu_start = cpu_seconds(server.proc.pid)
            await asyncio.sleep(max(0.0, until - time.perf_counter()))
            cpu_end = cpu_seconds(server.proc.pid)
            await asyncio.gather(*tasks)
            return cpu_start, cpu_end

        cpu_start, cpu_end = asyncio.run(load())
        if errors := server.errors():
            raise RuntimeError(errors)
    finally:
        server.stop()
    cpu = cpu_end - cpu_start
    return {"rps": len(latencies) / seconds, "p50": statistics.median(latencies) * 1000,
            "p99": p99(latencies) * 1000, "cpu": cpu,
            "per_cpu": len(latencies) / cpu if cpu else float("nan")}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--path", default="/v1/health")
    args = parser.parse_args()
    if not (1 <= args.clients <= 256 and 0 < args.seconds <= 10):
        parser.error("--clients 1..256, --seconds up to 10: a short, bounded run")
    results = {}
    with tempfile.TemporaryDirectory(prefix="bench_http_") as tmp:
        work = Path(tmp)
        db_url = database_url(work / "marketplace.db")
        for http, loop in MODES:
            results[http, loop] = run_mode(db_url, work, http, loop, args.clients,
                                           args.seconds, args.path)
    print(f"GET {args.path}, {args.clients} keep-alive clients, {args.seconds:g} s each"
          f" (after {WARM_UP_S:g} s warm-up), {os.cpu_count()} cores")
    print(f"{'mode':<20} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'srv CPU s':>10}"
          f" {'req/CPU-s':>10}")
    for (http, loop), r in results.items():
        print(f"{http + ' + ' + loop:<20} {r['rps']:>8.0f} {r['p50']:>8.2f} {r['p99']:>8.2f}"
              f" {r['cpu']:>10.2f} {r['per_cpu']:>10.0f}")
    slow, fast = (results[mode] for mode in MODES)
    print(f"{'ratio (fast / slow)':<20} {fast['rps'] / slow['rps']:>8.2f}"
          f" {fast['p50'] / slow['p50']:>8.2f} {fast['p99'] / slow['p99']:>8.2f}"
          f" {fast['cpu'] / slow['cpu']:>10.2f} {fast['per_cpu'] / slow['per_cpu']:>10.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
