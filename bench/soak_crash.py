"""Soak: run many crash scenarios (random SIGKILLs of shop and marketplace, torn connections).

    .venv/bin/python bench/soak_crash.py [RUNS] [SECONDS_PER_RUN] [FIRST_SEED]

Prints one line per run and a summary; exits 1 if any invariant was violated.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.faults.crashlab import run_scenario  # noqa: E402


def main() -> int:
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
