"""The throwaway PostgreSQL cluster of the fault tests and of ``./dev test`` on a machine
without PostgreSQL (tests/pgcluster.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import psycopg

from tests.pgcluster import PgCluster, answers

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def test_the_test_database_server_answers():
    """./dev exports the URL it checked (the machine's server, or a throwaway one it started)."""
    url = os.environ.get("COMPTOIR_TEST_PG", DEFAULT_URL)
    assert answers(url), f"no PostgreSQL at {url}"


def test_a_throwaway_cluster_keeps_its_data_across_restarts_and_a_crash():
    with PgCluster() as cluster:
        assert cluster.url.startswith("postgresql://postgres@127.0.0.1:")
        with psycopg.connect(cluster.url, autocommit=True) as conn:
            conn.execute("CREATE TABLE kept (n INTEGER)")
            conn.execute("INSERT INTO kept VALUES (1)")
        port = cluster.port
        cluster.restart()
        cluster.restart(mode="immediate")  # a crash: recovery replays the WAL
        assert cluster.port == port and cluster.running
        with psycopg.connect(cluster.url) as conn:
            assert conn.execute("SELECT n FROM kept").fetchall() == [(1,)]
        directory = cluster.dir
    assert not directory.exists()
    assert not answers(f"postgresql://postgres@127.0.0.1:{port}/postgres", timeout=1)


def test_the_command_line_starts_and_removes_a_cluster():
    # As ./dev does: a fresh directory in /tmp (pytest's own are closed to the postgres user).
    directory = Path(tempfile.mkdtemp(prefix="comptoir-pg-cli-"))
    run = [sys.executable, "-m", "tests.pgcluster"]
    try:
        url = subprocess.run([*run, "start", str(directory)], cwd=ROOT, check=True,
                             capture_output=True, text=True, timeout=90).stdout.strip()
        assert answers(url)
    finally:
        subprocess.run([*run, "stop", str(directory)], cwd=ROOT, check=True, timeout=90)
    assert not directory.exists()
    assert not answers(url, timeout=1)
    probe = subprocess.run([*run, "probe", url], cwd=ROOT, timeout=30)
    assert probe.returncode == 1
