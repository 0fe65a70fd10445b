"""Rate limits shared by several server processes (``serve --limits-storage redis://…``).

Two servers over one database stand for two processes: with the windows in memory each
counts its own, with the machine's Redis (127.0.0.1:6379) they count together."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from marketplace.catalogue import DEMO_PRODUCTS
from marketplace.embedded import EmbeddedMarketplace

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("COMPTOIR_TEST_REDIS", "redis://127.0.0.1:6379/0")
PER_SHOP = "4/minute"


def _two_servers(tmp_path: Path, storage: str) -> tuple[EmbeddedMarketplace, EmbeddedMarketplace]:
    settings = {"customer_requests_per_shop": PER_SHOP, "rate_limit_exempt": (),
                "limits_storage": storage}
    first = EmbeddedMarketplace(tmp_path / "m.db", settings=settings).start()
    second = EmbeddedMarketplace(tmp_path / "m.db", settings=settings).start()
    return first, second


def _statuses(first: EmbeddedMarketplace, second: EmbeddedMarketplace) -> list[int]:
    """Six catalogue reads of one new shop, alternating between the two servers."""
    shop_id, _ = first.create_shop("Fromagerie Anaïs", products=DEMO_PRODUCTS)
    return [httpx.get(f"{server.url}/v1/customer/shops/{shop_id}", timeout=10).status_code
            for server in (first, second) * 3]


def test_with_redis_two_processes_share_one_limit(tmp_path):
    first, second = _two_servers(tmp_path, REDIS_URL)
    try:
        assert _statuses(first, second) == [200, 200, 200, 200, 429, 429]
    finally:
        first.stop()
        second.stop()


def test_in_memory_each_process_counts_its_own(tmp_path):
    """The caveat the shared storage removes: N processes let N times the limit through."""
    first, second = _two_servers(tmp_path, "memory://")
    try:
        assert _statuses(first, second) == [200] * 6
    finally:
        first.stop()
        second.stop()


def test_a_storage_that_does_not_answer_lets_requests_through(tmp_path, caplog):
    caplog.set_level(logging.ERROR, logger="marketplace.limits")
    first, second = _two_servers(tmp_path, "redis://127.0.0.1:1/0")
    try:
        started = time.monotonic()
        assert _statuses(first, second) == [200] * 6
        assert time.monotonic() - started < 5  # one failed try per server, then skipped
    finally:
        first.stop()
        second.stop()
    assert "rate-limit storage unavailable" in caplog.text


@pytest.mark.parametrize("url", ["nowhere://x", "memcached://127.0.0.1:1"])
def test_an_unusable_storage_is_refused_at_start(tmp_path, url):
    result = subprocess.run(
        [sys.executable, "-m", "marketplace", "serve", "--db", str(tmp_path / "m.db"),
         "--port", "0", "--limits-storage", url], cwd=ROOT, capture_output=True, text=True,
        timeout=60)
    assert result.returncode == 2
    assert "stockage inutilisable / unusable storage" in result.stderr
