"""Server CPU per quiet re-poll answered from memory (PostgreSQL, one `serve` process).

    .venv/bin/python bench/bench_repoll.py [--counters 16] [--polls 400] [--runs 3]
        [--against REV] [--server postgresql://postgres@127.0.0.1/postgres]

At 10,000 counters a server process answers ~450 re-polls a second that find nothing new
(marketplace/repoll.py): what each costs bounds what is left for the orders. Creates a
throwaway database, one ``serve`` process and COUNTERS paired shops; each counter pulls
once (its answer is then remembered), then re-polls POLLS times with a short wait (held
80-100 % of 50 ms, then answered from memory, as a quiet 25 s re-poll is), on its own
keep-alive connection in its own thread. The server's CPU (user + system, from /proc) is
divided by the re-polls answered. Prints each run and the median. (A re-poll that read the
database instead would cost about a millisecond more: it would show in the figure.)
``--against REV`` measures the server of a git revision too (a temporary worktree), the
runs of the two alternating in one go, and prints both medians and their ratio.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
CLK_TCK = os.sysconf("SC_CLK_TCK")
WAIT_S = 0.05


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime + stime


def counters(url: str, count: int) -> list[str]:
    """``count`` shops, each with one paired device: their tokens."""
    from marketplace import admin, pairing
    from marketplace.storage import open_database

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


def measure(root: Path, server: str, count: int, polls: int) -> float:
    """One run of the server under ``root`` (its code imported from there, its ``serve``
    started there): ms of server CPU per quiet re-poll."""
    sys.path.insert(0, str(root))
    from bench.throwaway_pg import throwaway_database
    from marketplace.schema import migrate
    from tests.marketplace.processes import server_processes

    with throwaway_database(server) as url, tempfile.TemporaryDirectory() as tmp:
        migrate(url)
        tokens = counters(url, count)
        with server_processes(url, Path(tmp), 1) as (process,):
            time.sleep(1.0)  # the LISTEN feed is up: quiet answers are remembered
            return one_run(process.url, process.proc.pid, tokens, polls)


def run_child(root: Path, args: argparse.Namespace) -> float:
    done = subprocess.run([sys.executable, __file__, "--child", str(root), "--server",
                           args.server, "--counters", str(args.counters), "--polls",
                           str(args.polls)], capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"the measurement of {root} failed:\n{done.stderr}")
    return float(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counters", type=int, default=16)
    parser.add_argument("--polls", type=int, default=400, help="re-polls per counter and run")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--against", metavar="REV", help="also measure this git revision")
    parser.add_argument("--server", help="PostgreSQL admin URL (default: throwaway_pg's)")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child, args.server, args.counters, args.polls)))
        return
    sys.path.insert(0, str(ROOT))  # here, not in the child: it imports its own tree
    from bench import revisions, throwaway_pg

    args.server = args.server or throwaway_pg.DEFAULT_SERVER  # the child is always told

    with revisions.trees(args.against) as trees:
        runs: dict[str, list[float]] = {name: [] for name in trees}
        for run in range(args.runs):  # alternating: a noisy moment hits both alike
            for name, root in trees.items():
                runs[name].append(run_child(root, args))
                print(f"run {run + 1} {name}: {runs[name][-1]:.3f} ms of server CPU per"
                      " quiet re-poll", flush=True)
    medians = {name: statistics.median(ms) for name, ms in runs.items()}
    print(f"median of {args.runs} runs ({args.counters} counters x {args.polls} re-polls"
          " each per run): " + ", ".join(f"{name} {ms:.3f} ms" for name, ms in medians.items())
          + (f"; ratio this tree / {args.against} "
             f"{medians['this tree'] / medians[args.against]:.2f}"
             if args.against else ""))


if __name__ == "__main__":
    main()
