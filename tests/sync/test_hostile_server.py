"""The client is bounded against any server: size, time, compression, status, cursor."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from sync.client import MarketplaceClient, TransientError
from tests.sync.hostile import KINDS, HostileServer

ROOT = Path(__file__).resolve().parents[2]
REFUSED_FAST = [k for k in KINDS if k not in ("drip", "slow_headers")]


def test_memory_stays_bounded_whatever_the_server_sends():
    # A process of its own, so its peak RSS is the client's and nothing else's.
    with HostileServer() as server:
        out = subprocess.run(
            [sys.executable, "-m", "tests.sync.hostile", server.url, *REFUSED_FAST],
            cwd=ROOT, capture_output=True, text=True, timeout=120, check=True,
        ).stdout
    lines = dict(line.split(" ", 1) for line in out.strip().splitlines())
    for kind in REFUSED_FAST:
        outcome, took = lines[kind].split()
        assert outcome == "TransientError", (kind, outcome)
        assert float(took.rstrip("s")) < 10, (kind, took)
    assert int(lines["PEAK_RSS_MB"]) < 150, out


@pytest.mark.parametrize("kind", ["drip", "slow_headers"])
def test_a_dripping_server_is_cut_at_the_overall_deadline(kind):
    # One byte every 0.5 s never trips the 2 s read timeout; the deadline (wait + 2 x
    # timeout = 3 s) cuts it anyway.
    with HostileServer(drip_interval=0.5) as server:
        client = MarketplaceClient(f"{server.url}/{kind}", "token", timeout=1.0)
        started = time.monotonic()
        with pytest.raises(TransientError) as refused:
            client.pull(0, "c_1", wait=1.0)
        assert refused.value.message.code == "sync.timeout"
        client.close()
    assert 2.0 < time.monotonic() - started < 6.0


@pytest.mark.parametrize("kind,error", [("redirect_pull", TransientError),
                                        ("created_pull", TransientError),
                                        ("negative_cursor", TransientError),
                                        ("gzip_bomb", TransientError),
                                        ("declared_huge", TransientError)])
def test_nothing_but_a_well_formed_200_is_a_pull(kind, error):
    with HostileServer() as server:
        client = MarketplaceClient(f"{server.url}/{kind}", "token", timeout=2.0)
        with pytest.raises(error):
            client.pull(0, "c_1")
        client.close()
