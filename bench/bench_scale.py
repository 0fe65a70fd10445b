"""Scale-out benchmark, side by side in one run (issue 13 point 8).

    .venv/bin/python bench/bench_scale.py            # the whole table (about half an hour)
    .venv/bin/python bench/bench_scale.py --quick    # a smoke test (about a minute)
    ... --configs sqlite:1,pg:1,pg:2,pg:4 --shops 1600,10000 --rates 100,300 --seconds 20
    ... --configs pg:2 --shops 10000 --rates 300 --runs 5    # the worst of five runs
    ... --configs pg:2:t40,pg:2 --shops 10000 --rates 300 --runs 3   # serve --db-threads 40
                                                                      # against the default
    ... --configs pg:2:s1,pg:2 ...   # serve --switch-interval-ms 1 against the default
    ... --configs pg:2:cthreads,pg:2 ...   # serve --db-calls threads against the default

Configurations: the marketplace over SQLite in one process, and over PostgreSQL with 1, 2
and 4 processes (``serve --workers N``), each at every number of long-polling shops and
every order rate; ``backend:processes:tN`` also sets ``serve --db-threads N``, and
``:sMS`` ``serve --switch-interval-ms MS`` (both: ``pg:2:t4:s5``), and ``:cthreads``
``serve --db-calls threads`` (database calls in worker threads, not on the event loop). Per configuration it
prints, as one table:

- placed → pulled p50 / p99: from the moment a customer's order is due to the answer of
  the shop's long-poll that carries the order, over every order placed (bench_sync.py's
  simulated shops, one connection each, spread over several client processes);
- orders/s: taken (201) per second, from the first order due to the last one taken (a
  server that falls behind takes them after its window), of asked; got: orders pulled /
  orders placed (an order not pulled within 5 s of the last answer to a customer counts
  as not pulled);
- customer POST p50 / p99: from the moment the order is due to its answer
  (load_http.py's customers: an open loop, each order sent when it is due);
- server CPU: cores used by the marketplace's processes (supervisor + workers, from
  /proc) during the order window, until the last answer to a customer; server RSS: sum of
  their peak resident sizes;
- PG CPU: cores used by PostgreSQL in the same window (only for the private cluster this
  script starts by default; ``--pg URL`` uses another server and leaves it blank);
- clients CPU: cores used by the simulated shops' processes and by this script's
  customers (the open-loop placer) (on two cores, what the clients take the server cannot
  have); note: why a row is not the server's figure alone (CPU time the host gave to other
  virtual machines from 2 %, the customers' process late from 20 ms, a simulated shops'
  process stopped for its garbage collector from 20 ms, among them).

Shops are created and paired once per backend (directly in the database), then every
configuration serves the same data. For one backend, process count and number of shops,
one server and one set of connected clients serve every order rate in turn (an order
window each, 5 s apart): thousands of clients connect once, not once per rate. A
configuration that cannot run here (too few file descriptors, clients that do not all
connect in time) is printed as such with the reason, never left out silently. The client processes share the machine with the server: on two
cores they take a large share of it, which the CPU columns show.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import math
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_sync import Server, make_shops, pct  # noqa: E402
from bench.load_http import place_orders  # noqa: E402
from marketplace import pairing  # noqa: E402
from marketplace.storage import open_database  # noqa: E402
from tests.pgcluster import PgCluster  # noqa: E402

BENCH_SYNC = ROOT / "bench" / "bench_sync.py"
SHOPS_PER_CLIENT_PROCESS = 4000
PLACER_LAG_NOTED_MS = 20.0  # counted in the latencies; said when it could matter
CLIENT_GC_NOTED_MS = 20.0  # a pause there delays the pulls it receives meanwhile
GRACE_S = 5.0  # after an order window, for its last orders' pulls
CLK_TCK = os.sysconf("SC_CLK_TCK")


@dataclass
class Row:
    backend: str
    workers: int
    shops: int
    rate: float
    error: str = ""
    achieved: float = 0.0
    lat: list[float] = field(default_factory=list)
    placed: int = 0
    post_ms: list[float] = field(default_factory=list)
    refused: Counter[str] = field(default_factory=Counter)  # POSTs not taken, by reason
    server_cpu: float = 0.0
    server_rss_mb: float = 0.0
    pg_cpu: float | None = None
    clients_cpu: float = 0.0
    placer_lag_ms: float = 0.0  # the latest the customers' process started an order
    late_s: float = 0.0  # the last answer to a customer, after the end of the window
    client_gc_ms: float = 0.0  # the longest collection of a simulated shops' process in it
    stolen: float = 0.0  # share of the machine's CPU time the hypervisor gave to others
    # (seconds into the order window the order was placed, placed → pulled ms or inf)
    timeline: list[tuple[float, float]] = field(default_factory=list)
    run: int = 0  # with --runs: which run of its configuration (1, 2...)
    db_threads: int | None = None  # serve --db-threads (None: the server's default)
    switch_ms: float | None = None  # serve --switch-interval-ms (None: the server's default)
    db_calls: str | None = None  # serve --db-calls loop|threads (None: the server's default)

    @property
    def note(self) -> str:
        """Why a row's figures are not the server's alone (said, never hidden)."""
        notes = []
        if self.achieved < 0.9 * self.rate:
            notes.append("rate not reached")
        if self.refused:
            notes.append(f"{sum(self.refused.values())} POSTs not taken ("
                         + ", ".join(f"{k}: {v}" for k, v in self.refused.most_common()) + ")")
        if self.placer_lag_ms >= PLACER_LAG_NOTED_MS:
            notes.append(f"the customers' process started an order up to"
                         f" {self.placer_lag_ms:.0f} ms after it was due")
        if self.client_gc_ms >= CLIENT_GC_NOTED_MS:
            notes.append(f"a simulated shops' process stopped {self.client_gc_ms:.0f} ms for"
                         " its GC")
        if self.late_s >= 1.0:
            notes.append(f"last answer to a customer {self.late_s:.0f} s after the window")
        if self.stolen >= 0.02:
            notes.append(f"{self.stolen:.0%} of the CPU time stolen by the host")
        if len(self.lat) < self.placed:
            notes.append(f"{self.placed - len(self.lat)} orders not pulled within"
                         f" {GRACE_S:.0f} s")
        return "; ".join(notes)

    @property
    def config(self) -> str:
        name = f"{'SQLite' if self.backend == 'sqlite' else 'PostgreSQL'} / {self.workers}"
        if self.db_threads is not None:
            name += f", {self.db_threads} db threads"
        if self.switch_ms is not None:
            name += f", switch {self.switch_ms:g} ms"
        if self.db_calls is not None:
            name += f", calls in {self.db_calls}"
        return name

    @property
    def name(self) -> str:
        return self.config if self.run == 0 else f"{self.config} (run {self.run})"


# -- processes: CPU and memory from /proc ---------------------------------------------------

def process_tree(pid: int) -> list[int]:
    """``pid`` and all its descendants alive now."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            with contextlib.suppress(OSError):
                todo.extend(int(c) for c in task.read_text().split())
    return found


def _stat(pid: int) -> list[str]:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def tree_cpu_seconds(root: int) -> float:
    """CPU used so far by ``root`` and its descendants: alive ones from their own counters,
    exited ones from the root's (children it waited for: ``cutime``/``cstime``)."""
    total = 0.0
    for pid in process_tree(root):
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = _stat(pid)
            total += int(fields[11]) + int(fields[12])  # utime + stime
            if pid == root:
                total += int(fields[13]) + int(fields[14])  # cutime + cstime
    return total / CLK_TCK


def peak_rss_mb(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1])
    return total / 1024


class CpuMeter:
    """Cores used by a process tree between ``start()`` and ``stop()`` (connections and
    workers that come and go included: PostgreSQL's backends, restarted workers)."""

    def __init__(self, root_pid: int):
        self.root_pid = root_pid

    def start(self) -> None:
        self.before = tree_cpu_seconds(self.root_pid)
        self.t0 = time.monotonic()

    def stop(self) -> float:
        used = tree_cpu_seconds(self.root_pid) - self.before
        return used / (time.monotonic() - self.t0)


class OwnCpuMeter(CpuMeter):
    """Cores used by this process alone (the customers' placer), not its children."""

    def __init__(self) -> None:
        super().__init__(os.getpid())

    def start(self) -> None:
        self.before = sum(os.times()[:2])  # user + system, every thread
        self.t0 = time.monotonic()

    def stop(self) -> float:
        return (sum(os.times()[:2]) - self.before) / (time.monotonic() - self.t0)


class StealMeter:
    """Share of this virtual machine's CPU time the hypervisor ran something else in
    (/proc/stat's ``steal``) between ``start()`` and ``stop()``: on a shared host a run's
    tail can be the neighbours', which the table must then say."""

    @staticmethod
    def _ticks() -> tuple[int, int]:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        return sum(fields[:8]), fields[7]  # user..steal (guest time is inside user)

    def start(self) -> None:
        self.before = self._ticks()

    def stop(self) -> float:
        total, steal = (a - b for a, b in zip(self._ticks(), self.before, strict=True))
        return steal / total if total else 0.0


def python_speed_ns() -> float:
    """Nanoseconds per iteration of a plain Python loop, best of three: how fast this
    machine runs Python, so that tables measured on different machines can be compared
    (the server, its clients and the bench are all Python; PostgreSQL scales alike)."""
    best = math.inf
    for _ in range(3):
        started, total = time.perf_counter(), 0
        for i in range(2_000_000):
            total += i
        best = min(best, (time.perf_counter() - started) / 2_000_000 * 1e9)
    return best


# -- one backend's data: shops created and paired once ----------------------------------------

def prepare(db: Path | str, count: int) -> list[tuple[str, str]]:
    """``count`` shops with the demo catalogue, each with one paired device: (shop, token).

    PostgreSQL: in four threads, each on its own connection (about 50 round trips per
    shop, so one connection spent minutes waiting on 10,000 shops)."""
    started = time.monotonic()
    threads = 1 if isinstance(db, Path) else 4

    def some(k: int) -> list[tuple[str, str]]:
        shops = make_shops(db, count // threads + (k < count % threads),
                           k * (count // threads) + min(k, count % threads))
        with contextlib.closing(open_database(db)) as conn:
            return [(shop_id, pairing.pair(conn, code, "bench", shop_id, 24 * 3600.0, None)
                     ["device_token"]) for shop_id, code in shops]

    with ThreadPoolExecutor(threads) as pool:
        parts = pool.map(some, range(threads))
        paired = [shop for part in parts for shop in part]
    print(f"  ({count} shops created and paired in {time.monotonic() - started:.0f} s)",
          flush=True)
    return paired


def pg_database(admin_url: str, name: str) -> str:
    """A fresh database on the PostgreSQL server at ``admin_url``; its URL."""
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return admin_url.rsplit("/", 1)[0] + "/" + name


# -- one configuration ------------------------------------------------------------------------

def start_clients(url: str, tokens: list[str], work: Path, seconds: float
                  ) -> list[tuple[subprocess.Popen, Path]]:
    """bench_sync.py's simulated shops, a few thousand per process."""
    procs = math.ceil(len(tokens) / SHOPS_PER_CLIENT_PROCESS)
    clients = []
    for i in range(procs):
        chunk = tokens[i::procs]
        tokens_file, out = work / f"tokens{i}.json", work / f"received{i}.json"
        for stale in (out, out.with_suffix(".ready"), out.with_suffix(".stop")):
            stale.unlink(missing_ok=True)
        tokens_file.write_text(json.dumps(chunk))
        proc = subprocess.Popen(
            [sys.executable, str(BENCH_SYNC), "--pollers", str(tokens_file), "--url", url,
             "--out", str(out), "--seconds", str(seconds)], cwd=ROOT)
        clients.append((proc, out))
    return clients


def run_configs(rows: list[Row], db: Path | str, paired: list[tuple[str, str]],
                seconds: float, work: Path, pg_pid: int | None) -> None:
    """``rows``: one backend, process count and number of shops, at several order rates:
    one server and one set of connected clients, an order window per rate."""
    n_shops, workers = rows[0].shops, rows[0].workers
    shops = paired[:n_shops]
    limit = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    if n_shops + 500 > limit:
        for row in rows:
            row.error = f"needs {n_shops + 500} file descriptors, the hard limit is {limit}"
        return
    extra = ["--unattended-after", "36000", "--limit-concurrency", "0",
             "--max-connections-per-address", "0"]
    if workers > 1:
        extra += ["--workers", str(workers)]
    if rows[0].db_threads is not None:
        extra += ["--db-threads", str(rows[0].db_threads)]
    if rows[0].switch_ms is not None:
        extra += ["--switch-interval-ms", f"{rows[0].switch_ms:g}"]
    if rows[0].db_calls is not None:
        extra += ["--db-calls", rows[0].db_calls]
    server = Server(db, extra=extra)
    clients: list[tuple[subprocess.Popen, Path]] = []
    try:
        clients = start_clients(server.url, [tok for _, tok in shops], work,
                                600 + len(rows) * (seconds + 10))
        deadline = time.monotonic() + 60 + n_shops / 50
        while not all(out.with_suffix(".ready").exists() for _, out in clients):
            if time.monotonic() > deadline or any(p.poll() is not None for p, _ in clients):
                for row in rows:
                    row.error = (f"the {n_shops:,} simulated shops did not all connect within"
                                 f" {60 + n_shops / 50:.0f} s")
                return
            time.sleep(0.2)
        time.sleep(2.0)  # every shop back in its second long-poll
        placed_by_row = [order_window(row, server, pg_pid, [p.pid for p, _ in clients], shops,
                                      seconds) for row in rows]
        received: dict[str, float] = {}
        for _, out in clients:
            out.with_suffix(".stop").touch()
        client_gc: list[tuple[float, int, float]] = []  # (end, generation, ms), all processes
        for proc, out in clients:
            proc.wait(120)
            dump = json.loads(out.read_text())
            received.update(dump["received"])
            client_gc += dump["gc"]
        for row, placed in zip(rows, placed_by_row, strict=True):
            row.lat = [(received[t] - t0) * 1000 for t, (t0, _) in placed.items()
                       if t in received]
            start = min((t0 for t0, _ in placed.values()), default=0.0)
            end = max((received.get(t, 0.0) for t in placed), default=start)
            row.client_gc_ms = max((ms for at, _, ms in client_gc if start <= at <= end),
                                   default=0.0)
            row.timeline = sorted((t0 - start, (received[t] - t0) * 1000 if t in received
                                   else math.inf) for t, (t0, _) in placed.items())
    finally:
        for proc, _ in clients:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        server.stop()


def order_window(row: Row, server: Server, pg_pid: int | None, client_pids: list[int],
                 shops: list[tuple[str, str]], seconds: float) -> dict[str, tuple[float, str]]:
    """Orders at ``row.rate`` for ``seconds`` (load_http's open-loop customers), with
    the CPU of the server, PostgreSQL and the clients over the window; returns what was
    placed."""
    server_cpu, pg_cpu = CpuMeter(server.proc.pid), CpuMeter(pg_pid) if pg_pid else None
    clients_cpu = [CpuMeter(pid) for pid in client_pids] + [OwnCpuMeter()]
    steal = StealMeter()
    for meter in [server_cpu, *clients_cpu, steal]:
        meter.start()
    if pg_cpu:
        pg_cpu.start()
    placed: dict[str, tuple[float, str]] = {}
    gc.disable()  # no collection of this process's thousands of records pauses the customers
    try:
        placing = place_orders(server.url, [s for s, _ in shops], None, row.rate, seconds,
                               placed, row.post_ms, row.refused)
    finally:
        gc.enable()
    row.server_cpu = server_cpu.stop()
    row.pg_cpu = pg_cpu.stop() if pg_cpu else None
    row.clients_cpu = sum(meter.stop() for meter in clients_cpu)
    row.stolen = steal.stop()
    row.server_rss_mb = peak_rss_mb(process_tree(server.proc.pid))
    # Taken per second until the last one taken: a server that falls behind takes longer
    # than the window to take what was due in it.
    row.achieved = len(placed) / max(seconds, placing.taken_s)
    row.late_s = placing.last_answer_s - seconds
    row.placer_lag_ms = placing.max_lag_ms
    row.placed = len(placed)
    time.sleep(GRACE_S)  # this window's last pulls, before the next window
    return placed


# -- the table --------------------------------------------------------------------------------

HEADER = ("| config | shops | orders/s | placed→pulled p50 | p99 | got | POST p50 | POST p99 "
          "| server CPU | server RSS | PG CPU | clients CPU | note |")


def format_row(r: Row) -> str:
    if r.error:
        return f"| {r.name} | {r.shops:,} | {r.rate:.0f} | not run here: {r.error} |"
    lat = (f"{statistics.median(r.lat):.0f} ms | {pct(r.lat, 0.99):.0f} ms" if r.lat
           else "— | —")
    post = (f"{statistics.median(r.post_ms):.1f} ms | {pct(r.post_ms, 0.99):.0f} ms"
            if r.post_ms else "— | —")
    pg = f"{r.pg_cpu:.2f} cores" if r.pg_cpu is not None else "—"
    return (f"| {r.name} | {r.shops:,} | {r.achieved:.0f} of {r.rate:.0f} | {lat}"
            f" | {len(r.lat)}/{r.placed} | {post} | {r.server_cpu:.2f} cores"
            f" | {r.server_rss_mb:.0f} MB | {pg} | {r.clients_cpu:.2f} cores | {r.note} |")


def format_timeline(r: Row, every_s: float = 5.0) -> str:
    """The window in slices of ``every_s``: orders placed, placed → pulled p50 and worst
    (a queue that grows, or a pause at one moment, where the p99 alone cannot tell)."""
    slices: dict[int, list[float]] = {}
    for at, ms in r.timeline:
        slices.setdefault(int(at // every_s), []).append(ms)
    return " | ".join(
        f"{k * every_s:.0f}-{(k + 1) * every_s:.0f} s: {len(v)}, {statistics.median(v):.0f}"
        f"/{max(v):.0f} ms" for k, v in sorted(slices.items()))


def print_table(rows: list[Row]) -> None:
    print(HEADER)
    print("|---" * (HEADER.count("|") - 1) + "|")
    for r in rows:
        print(format_row(r))
    sys.stdout.flush()


def print_worst(rows: list[Row]) -> None:
    """Per configuration, shops and rate: every run's placed → pulled p99, and the worst
    (a tail that holds run after run is the worst run's)."""
    by_config: dict[tuple[str, int, float], list[Row]] = {}
    for r in rows:
        by_config.setdefault((r.config, r.shops, r.rate), []).append(r)
    for (name, shops, rate), runs in by_config.items():
        p99 = [pct(r.lat, 0.99) if r.lat else math.inf for r in runs]
        taken = min(r.achieved for r in runs)
        print(f"{name}, {shops:,} shops, {rate:.0f} orders/s asked: p99 over {len(runs)} runs"
              f" {', '.join(f'{ms:.0f}' for ms in p99)} ms; worst {max(p99):.0f} ms;"
              f" fewest orders/s taken {taken:.0f}", flush=True)


@dataclass(frozen=True)
class Config:
    backend: str
    workers: int
    db_threads: int | None = None
    switch_ms: float | None = None
    db_calls: str | None = None


def parse_config(text: str) -> Config:
    """``backend:processes`` then, in any order, ``tN`` (db threads), ``sMS`` (switch
    interval) and ``cloop`` / ``cthreads`` (where database calls run)."""
    backend, workers, *options = text.split(":")
    found: dict[str, str] = {option[:1]: option[1:] for option in options}
    if set(found) - {"t", "s", "c"} or found.get("c", "loop") not in ("loop", "threads"):
        raise SystemExit(f"--configs {text}: options are tN, sMS, cloop and cthreads")
    return Config(backend, int(workers), int(found["t"]) if "t" in found else None,
                  float(found["s"]) if "s" in found else None, found.get("c"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--configs", default="sqlite:1,pg:1,pg:2,pg:4",
                        help="backend:processes[:tN][:sMS][:cthreads], comma-separated (serve"
                             " --db-threads N, --switch-interval-ms MS, --db-calls threads)")
    parser.add_argument("--shops", default="1600,10000")
    parser.add_argument("--rates", default="100,300")
    parser.add_argument("--seconds", type=float, default=20.0, help="order window per config")
    parser.add_argument("--pg", metavar="URL",
                        help="PostgreSQL admin URL to use (default: a private throwaway"
                             " cluster, so its CPU can be measured)")
    parser.add_argument("--runs", type=int, default=1,
                        help="run every configuration this many times, in turn, and print"
                             " each one's p99 over the runs and the worst")
    parser.add_argument("--timeline", action="store_true",
                        help="after each row, its order window in 5 s slices: orders placed,"
                             " placed → pulled p50 and worst")
    parser.add_argument("--quick", action="store_true",
                        help="smoke test: 40 shops, 20 orders/s, 3 s, SQLite/1 and PG/2")
    args = parser.parse_args()
    if args.quick:
        args.configs, args.shops, args.rates, args.seconds = "sqlite:1,pg:2", "40", "20", 3.0
    if args.runs < 1:
        parser.error("--runs: at least 1")
    configs = [parse_config(c) for c in args.configs.split(",")]
    shop_counts = [int(x) for x in args.shops.split(",")]
    rates = [float(x) for x in args.rates.split(",")]
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    print(f"machine: {os.cpu_count()} cores, {python_speed_ns():.0f} ns per iteration of a"
          " plain Python loop (lower is faster)", flush=True)
    work = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    rows: list[Row] = []
    cluster = None
    try:
        backends = sorted({c.backend for c in configs}, key=["sqlite", "pg"].index)
        for backend in backends:
            if backend == "sqlite":
                db: Path | str = work / "market.db"
                pg_pid = None
            else:
                if args.pg:
                    admin, pg_pid = args.pg, None
                else:
                    cluster = PgCluster().start()
                    admin = cluster.url
                    pg_pid = int((cluster.data / "postmaster.pid").read_text().split()[0])
                db = pg_database(admin, "comptoir_bench")
            print(f"{backend}: preparing {max(shop_counts)} shops", flush=True)
            paired = prepare(db, max(shop_counts))
            # Runs in turn over every configuration, so that a slow hour of the machine
            # falls on all of them alike.
            for run, config, n in ((run, config, n) for run in range(args.runs)
                                   for config in configs if config.backend == backend
                                   for n in shop_counts):
                group = [Row(config.backend, config.workers, n, rate,
                             run=run + 1 if args.runs > 1 else 0,
                             db_threads=config.db_threads, switch_ms=config.switch_ms,
                             db_calls=config.db_calls)
                         for rate in rates]
                started = time.monotonic()
                try:
                    run_configs(group, db, paired, args.seconds, work, pg_pid)
                except Exception as exc:  # say so in the table, go on with the rest
                    for row in group:
                        row.error = row.error or f"{type(exc).__name__}: {exc}"[:200]
                rows += group
                for row in group:
                    print(f"  {format_row(row)}", flush=True)
                    if args.timeline and row.timeline:
                        print(f"    orders, p50/worst: {format_timeline(row)}", flush=True)
                print(f"  ({time.monotonic() - started:.0f} s)", flush=True)
        print()
        print_table(rows)
        if args.runs > 1:
            print()
            print_worst(rows)
    finally:
        if cluster is not None:
            cluster.stop()
            cluster.remove()
    return 0 if all(not r.error and r.lat for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
