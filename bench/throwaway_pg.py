"""What the PostgreSQL benchmarks share: a throwaway database, and the p99 they print.

Not a benchmark itself; bench_notify_commit.py and bench_wakeup.py import it.
"""

from __future__ import annotations

import argparse
import contextlib
import secrets
from collections.abc import Iterator

import psycopg

DEFAULT_SERVER = "postgresql://postgres@127.0.0.1/postgres"


def add_server_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--server", default=DEFAULT_SERVER)


@contextlib.contextmanager
def throwaway_database(server: str) -> Iterator[str]:
    """A new empty database on ``server`` (an admin URL); its URL. Dropped afterwards, even
    when the benchmark fails, so that no run leaves one behind."""
    name = f"comptoir_bench_{secrets.token_hex(4)}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    try:
        yield server.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
