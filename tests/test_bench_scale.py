"""bench/bench_scale.py's smoke run: every configuration of --quick runs and prints its row.

(A figure is never asserted here: numbers belong to the benchmark's own output.)"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_the_quick_scale_benchmark_runs_every_configuration_in_turn():
    result = subprocess.run([sys.executable, "bench/bench_scale.py", "--quick", "--runs", "2",
                             "--timeline"], cwd=ROOT, capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    table = result.stdout[result.stdout.rindex("| config |"):].splitlines()
    rows = [line for line in table[2:] if line.startswith("| ")]
    assert [row.split(" | ")[0] for row in rows] == [
        "| SQLite / 1 (run 1)", "| SQLite / 1 (run 2)",
        "| PostgreSQL / 2 (run 1)", "| PostgreSQL / 2 (run 2)"]
    # each configuration's p99 over its runs, and the worst of them
    worst = [line for line in table if " runs " in line and "; worst " in line]
    assert [line.split(",")[0] for line in worst] == ["SQLite / 1", "PostgreSQL / 2"]
    for line in worst:
        p99 = [float(ms) for ms in line.split("over 2 runs ")[1].split(" ms;")[0].split(", ")]
        assert float(line.split("worst ")[1].split(" ms")[0]) == pytest.approx(max(p99), abs=1)
    assert result.stdout.count("orders, p50/worst: 0-5 s:") == 4  # --timeline, every row
    for row in rows:
        assert "not run here" not in row
        got = row.split(" | ")[5]  # pulled / placed: every order reached its shop
        pulled, placed = (int(n) for n in got.split("/"))
        assert placed > 0 and pulled == placed, row
