"""Faults of several server processes over PostgreSQL (issue 13 point 6): a server
process killed under load, PostgreSQL restarted under load (tests/faults/scaleout.py)."""

from __future__ import annotations

from marketplace.workers import MAX_RESTARTS
from tests.faults.scaleout import run_database_restarts, run_worker_kills
from tests.pg import fresh_database


def test_killing_server_processes_under_load_loses_and_doubles_nothing(tmp_path):
    with fresh_database() as url:
        result = run_worker_kills(url, tmp_path, seconds=6.0)
    assert result.worker_kills > MAX_RESTARTS  # more than the supervisor would give up on
    assert result.online_orders > 0 and result.counter_changes > 0
    assert result.wake_up_s is not None  # the restarted workers listen again
    assert result.violations == []


def test_postgresql_restarted_under_load_gives_only_retryable_errors(tmp_path):
    result = run_database_restarts(tmp_path, seconds=8.0)
    assert result.database_restarts == 3
    assert result.online_orders > 0 and result.counter_changes > 0
    failures = {k for k in result.customer_answers if not k.startswith("2")}
    assert "503 database_unavailable" in failures  # the outage was met, and answered so
    assert not any(k.startswith("500") for k in failures)
    assert result.wake_up_s is not None  # each process's listener is back
    assert result.violations == []  # nothing lost or doubled, no traceback logged
