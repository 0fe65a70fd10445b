"""Soak: run many crash scenarios (random SIGKILLs of shop and marketplace, torn connections).

    .venv/bin/python bench/soak_crash.py [RUNS] [SECONDS_PER_RUN] [FIRST_SEED]
    .venv/bin/python bench/soak_crash.py outage [RUNS] [OUTAGE_SECONDS] [FIRST_SEED]

The second form runs long marketplace outages at production timings
(``tests/faults/outage.py``): how long after the server's return the shop is whole
again and a new order is in (target 5 s), and how often the shop knocked meanwhile.
Prints one line per run and a summary; exits 1 if any invariant or target was missed.
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.faults.crashlab import run_scenario  # noqa: E402
from tests.faults.outage import run_outage  # noqa: E402


def outage_main(args: list[str]) -> int:
    runs = int(args[0]) if args else 5
    outage_s = float(args[1]) if len(args) > 1 else 60.0
    first = int(args[2]) if len(args) > 2 else 2000
    orders, synced, failed = [], [], []
    for seed in range(first, first + runs):
        work = Path(tempfile.mkdtemp(prefix=f"outage-{seed}-"))
        r = run_outage(seed, outage_s, workdir=work)
        orders.append(r.order_after_s if r.order_after_s is not None else float("inf"))
        synced.append(r.synced_after_s if r.synced_after_s is not None else float("inf"))
        print(f"seed {seed}: outage {outage_s:.0f} s, {r.attempts_while_down} connections"
              f" ({r.attempts_while_down / outage_s:.1f}/s) while down; after the return:"
              f" new order in {orders[-1]:.2f} s, synced in {synced[-1]:.2f} s,"
              f" changes={r.counter_changes} -> {'OK' if r.ok else r.violations}", flush=True)
        if r.ok:
            shutil.rmtree(work, ignore_errors=True)
        else:
            failed.append((seed, work))
    for name, values in (("new order", orders), ("synced", synced)):
        print(f"{name}: median {statistics.median(values):.2f} s, max {max(values):.2f} s")
    print(f"violations: {len(failed)} runs" + "".join(f"\n  seed {s}: kept in {w}" for s, w in failed))
    return 1 if failed else 0


def main() -> int:
    if sys.argv[1:2] == ["outage"]:
        return outage_main(sys.argv[2:])
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 4.0
    first = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
    totals = {"shop_kills": 0, "server_kills": 0, "cuts": 0, "online_orders": 0,
              "counter_changes": 0}
    failed = []
    started = time.monotonic()
    for seed in range(first, first + runs):
        work = Path(tempfile.mkdtemp(prefix=f"soak-{seed}-"))
        result = run_scenario(seed, duration=seconds, workdir=work)
        for key in totals:
            totals[key] += getattr(result, key)
        print(f"seed {seed}: kills shop={result.shop_kills} server={result.server_kills}"
              f" cuts={result.cuts} orders={result.online_orders}"
              f" changes={result.counter_changes} -> {'OK' if result.ok else result.violations}",
              flush=True)
        if result.ok:
            shutil.rmtree(work, ignore_errors=True)
        else:
            failed.append((seed, work))
    print(f"\n{runs} runs in {time.monotonic() - started:.0f} s: "
          + ", ".join(f"{k}={v}" for k, v in totals.items()))
    print(f"violations: {len(failed)} runs" + "".join(f"\n  seed {s}: kept in {w}" for s, w in failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
