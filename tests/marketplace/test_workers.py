"""``comptoir-marketplace serve --workers N``: several server processes on one port."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.faults.scaleout import MarketProcess, ScaleoutResult, check_wake_up
from tests.pg import fresh_database

ROOT = Path(__file__).resolve().parents[2]


def test_several_workers_over_sqlite_are_refused_with_the_reason(tmp_path):
    db = tmp_path / "market.db"
    result = subprocess.run(
        [sys.executable, "-m", "marketplace", "serve", "--db", str(db), "--port", "0",
         "--workers", "2"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "--workers 2 demande PostgreSQL (--database-url)" in result.stderr
    assert "needs PostgreSQL (--database-url)" in result.stderr
    assert "Comptoir marketplace listening" not in result.stdout  # nothing was served
    assert not db.exists()


def test_zero_workers_is_refused(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "marketplace", "serve", "--db", str(tmp_path / "m.db"),
         "--workers", "0"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "--workers doit valoir au moins 1" in result.stderr


def test_two_workers_answer_on_one_port_and_wake_each_others_long_polls(tmp_path):
    """serve --workers 2 over PostgreSQL: both processes answer on the one port, and a
    long-poll held by one is answered at once with an order taken by the other."""
    with fresh_database() as url:
        market = MarketProcess(url, 2, tmp_path / "server.log")
        try:
            pids = set()
            for _ in range(200):  # bounded: each new connection lands on some worker
                pids.add(market.health_pid())
                if len(pids) == 2:
                    break
            assert len(pids) == 2 and None not in pids and market.proc.pid not in pids
            result = ScaleoutResult()
            check_wake_up(market, url, result)
            assert result.violations == []
            assert result.wake_up_s is not None  # within WAKE_UP_LIMIT_S, else a violation
        finally:
            market.stop()
    assert market.proc.returncode == 0  # SIGTERM: a clean stop of every worker
    assert "Traceback" not in market.log_text()
