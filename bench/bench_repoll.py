"""Server CPU per quiet re-poll answered from memory (PostgreSQL, one `serve` process).

    .venv/bin/python bench/bench_repoll.py [--counters 16] [--polls 400] [--runs 3]
        [--server postgresql://postgres@127.0.0.1/postgres]

At 10,000 counters a server process answers ~450 re-polls a second that find nothing new
(marketplace/repoll.py): what each costs bounds what is left for the orders. Creates a
throwaway database, one ``serve`` process and COUNTERS paired shops; each counter pulls
once (its answer is then remembered), then re-polls POLLS times with a short wait (held
80-100 % of 50 ms, then answered from memory, as a quiet 25 s re-poll is), on its own
keep-alive connection in its own thread. The server's CPU (user + system, from /proc) is
divided by the re-polls answered. Prints each run and the median. (A re-poll that read the
database instead would cost about a millisecond more: it would show in the figure.)
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.throwaway_pg import add_server_argument, throwaway_database  # noqa: E402
from marketplace import admin, pairing  # noqa: E402
from marketplace.storage import open_database  # noqa: E402
from tests.marketplace.processes import server_processes  # noqa: E402

CLK_TCK = os.sysconf("SC_CLK_TCK")
WAIT_S = 0.05


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime + stime


def counters(url: str, count: int) -> list[str]:
    """``count`` shops, each with one paired device: their tokens."""
    with contextlib.closing(open_database(url)) as db:
        tokens = []
        for i in range(count):
            shop_id, code = admin.create_shop(db, f"Boutique {i}")
            tokens.append(pairing.pair(db, code, "bench", shop_id, 3600.0, None)["device_token"])
        return tokens


def re_poll(base: str, token: str, polls: int) -> None:
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as http:
        cursor = http.get("/v1/pull", params={"client_id": "bench"}).json()["cursor"]
        for _ in range(polls + 1):  # the first one reads, and is remembered
            answer = http.get("/v1/pull", params={"client_id": "bench", "cursor": cursor,
                                                  "wait": WAIT_S})
            assert answer.status_code == 200, answer.text


def one_run(base: str, pid: int, tokens: list[str], polls: int) -> float:
    """Server CPU milliseconds per re-poll."""
    threads = [threading.Thread(target=re_poll, args=(base, token, polls)) for token in tokens]
    before = cpu_seconds(pid)
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return 1000 * (cpu_seconds(pid) - before) / (len(tokens) * (polls + 1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counters", type=int, default=16)
    parser.add_argument("--polls", type=int, default=400, help="re-polls per counter and run")
    parser.add_argument("--runs", type=int, default=3)
    add_server_argument(parser)
    args = parser.parse_args()
    with throwaway_database(args.server) as url, tempfile.TemporaryDirectory() as tmp:
        from marketplace.schema import migrate

        migrate(url)
        tokens = counters(url, args.counters)
        with server_processes(url, Path(tmp), 1) as (server,):
            time.sleep(1.0)  # the LISTEN feed is up: quiet answers are remembered
            runs = [one_run(server.url, server.proc.pid, tokens, args.polls)
                    for _ in range(args.runs)]
    for i, ms in enumerate(runs, 1):
        print(f"run {i}: {ms:.3f} ms of server CPU per quiet re-poll")
    print(f"median of {len(runs)} runs: {statistics.median(runs):.3f} ms "
          f"({args.counters} counters x {args.polls} re-polls each per run)")


if __name__ == "__main__":
    main()
