"""The standalone server's guards on its own stack: ``serve`` picks httptools and uvloop."""

from __future__ import annotations

import asyncio
import importlib.util
import socket
import time
from pathlib import Path

import pytest

from marketplace.embedded import EmbeddedMarketplace
from marketplace.serving import loop_implementation, uvicorn_config
from marketplace.settings import Settings
from marketplace.storage import database_url
from tests.marketplace.processes import ServerProcess

FAST = importlib.util.find_spec("httptools") and importlib.util.find_spec("uvloop")


def _cut_within(sock: socket.socket, seconds: float) -> bool:
    sock.settimeout(seconds)
    try:
        while sock.recv(65536):
            pass
    except TimeoutError:
        return False
    except ConnectionResetError:
        pass
    return True


@pytest.mark.skipif(not FAST, reason="httptools and uvloop not installed")
def test_serve_runs_on_uvloop_and_httptools_with_the_same_guards(tmp_path: Path):
    assert loop_implementation() == "uvloop"
    config = uvicorn_config(object(), Settings(), loop="auto")
    assert config.loop == "uvloop" and "HttpTools" in config.http.__name__  # type: ignore[union-attr]
    server = ServerProcess(database_url(tmp_path / "m.db"), tmp_path / "serve.log",
                           "--max-connections-per-address", "2", "--header-timeout", "1")
    try:
        host, port = server.url.removeprefix("http://").rsplit(":", 1)
        held = [socket.create_connection((host, int(port)), source_address=("127.0.0.9", 0))
                for _ in range(2)]
        time.sleep(0.2)  # let the server count them
        with socket.create_connection((host, int(port)), source_address=("127.0.0.9", 0)) as extra:
            assert _cut_within(extra, 2)
        started = time.monotonic()
        assert _cut_within(held[0], 4) and time.monotonic() - started < 3.5  # idle: 1 s
        for sock in held:
            sock.close()
        with socket.create_connection((host, int(port))) as big:
            big.sendall(b"GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 40_000)
            big.settimeout(5)
            assert big.recv(100).startswith(b"HTTP/1.1 431")
        assert not server.errors()
    finally:
        server.stop()


def test_the_embedded_marketplace_leaves_the_event_loop_policy_alone(tmp_path: Path):
    policy = type(asyncio.get_event_loop_policy())
    with EmbeddedMarketplace(tmp_path / "m.db") as market:
        assert market.running
    assert type(asyncio.get_event_loop_policy()) is policy
    assert uvicorn_config(object(), Settings()).loop == "asyncio"
