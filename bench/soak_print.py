"""Soak: many print crash-lab scenarios (the real print queue, a misbehaving virtual printer).

    .venv/bin/python bench/soak_print.py [RUNS] [SECONDS_PER_RUN] [FIRST_SEED] [--long-outage S]

Prints one line per run and a summary with the counts; exits 1 if any invariant was
violated (the work folder of a failing run, with its actions.jsonl, is kept).
Every third seed runs the queue in its own process and SIGKILLs it (kill_app).
`--long-outage S` adds two runs at production timings with the printer refusing
connections, then silent (connections time out), for S seconds (default 90).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.faults.printlab import PrintLabResult, run_print_scenario  # noqa: E402


def _line(result: PrintLabResult) -> str:
    faults = ",".join(f"{k}={v}" for k, v in sorted(result.faults.items()))
    extra = f" recovery={result.recovery_s}s" if result.recovery_s is not None else ""
    return (f"seed {result.seed}: orders={result.orders} connections={result.connections}"
            f" duplicata={result.marked_duplicates} uncertain={result.uncertain_answered}"
            f" faults[{faults}]{extra}"
            f" -> {'OK' if result.ok else result.violations}")


def main(argv: list[str]) -> int:
    outage = None
    if "--long-outage" in argv:
        i = argv.index("--long-outage")
        outage = float(argv[i + 1]) if len(argv) > i + 1 else 90.0
        argv = argv[:i] + argv[i + 2:]
    runs = int(argv[0]) if argv else 200
    seconds = float(argv[1]) if len(argv) > 1 else 2.0
    first = int(argv[2]) if len(argv) > 2 else 1000
    totals: Counter[str] = Counter()
    failed: list[tuple[int, Path]] = []
    started = time.monotonic()
    plan = [(seed, "") for seed in range(first, first + runs)]
    if outage is not None:
        plan += [(first + runs, "refused"), (first + runs + 1, "silent")]
    for seed, outage_kind in plan:
        work = Path(tempfile.mkdtemp(prefix=f"soak-print-{seed}-"))
        result = run_print_scenario(seed, work, duration=seconds, long_outage=bool(outage_kind),
                                    outage_s=outage or 0.0, outage=outage_kind or "refused",
                                    kill_app=not outage_kind and seed % 3 == 0)
        totals.update(orders=result.orders, connections=result.connections,
                      duplicata=result.marked_duplicates,
                      uncertain_answered=result.uncertain_answered, **result.faults)
        print(_line(result), flush=True)
        if result.ok:
            shutil.rmtree(work, ignore_errors=True)
        else:
            failed.append((seed, work))
    print(f"\n{len(plan)} runs in {time.monotonic() - started:.0f} s: "
          + ", ".join(f"{k}={v}" for k, v in sorted(totals.items())))
    print(f"violations: {len(failed)} runs"
          + "".join(f"\n  seed {s}: kept in {w}" for s, w in failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
