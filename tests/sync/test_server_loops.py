"""Servers whose answers would make the engine spin: it stays at a few requests a second."""

from __future__ import annotations

import threading
import time

import pytest

from posapp.domain.stock import StockService
from posapp.store.db import Store, open_store
from posapp.store.replica import ShopReplica
from sync.engine import PAGES_IN_A_ROW, SyncEngine
from tests.conftest import wait_until
from tests.factories import pull, wire_product
from tests.sync.stub_server import Answer, LongestJitter, StubServer


@pytest.fixture
def run_against(tmp_path, recorder):
    store = open_store(tmp_path / "shop")
    servers: list[StubServer] = []

    def run(answer: Answer, seconds: float) -> list[dict[str, str]]:
        server = StubServer(answer)
        servers.append(server)
        engine = SyncEngine(server.url, "token", lambda: ShopReplica(Store(store.path)),
                            recorder, wait=10.0, backoff_base=0.5, backoff_cap=3.0,
                            rng=LongestJitter())
        engine.start()
        time.sleep(seconds)  # counting requests over a span of time is the point
        engine.stop()
        return list(server.hits)

    yield run
    for server in servers:
        server.close()
    store.close()


def test_reset_and_more_forever_does_not_spin(run_against):
    hits = run_against(lambda q: (200, {**pull(cursor=7), "more": True, "reset": True}), 3.0)
    # 0 s: a page, then the same reset refused; backoff 0.5, 1, 2 s: two more probes.
    assert len(hits) <= 5, len(hits)


def test_more_with_a_cursor_that_stays_put_does_not_spin(run_against):
    hits = run_against(lambda q: (200, {**pull(cursor=7), "more": True}), 3.0)
    assert len(hits) <= 5, len(hits)


def test_more_forever_with_a_moving_cursor_is_paced(run_against):
    hits = run_against(
        lambda q: (200, {**pull(cursor=int(q["cursor"]) + 1), "more": True}), 2.5)
    # Bursts of PAGES_IN_A_ROW pages, a 1-s pause after each: 3 bursts at most.
    assert PAGES_IN_A_ROW < len(hits) <= 3 * PAGES_IN_A_ROW + 1, len(hits)


def test_probes_that_succeed_do_not_reset_the_backoff_of_failing_long_polls(run_against):
    # A proxy that cuts every long request (502) while quick ones go through.
    def answer(query):
        return (200, pull(cursor=7)) if float(query["wait"]) == 0 else (502, None)

    hits = run_against(answer, 3.0)
    # Probe + long-poll at 0 s, 0.5 s, 1.5 s (backoff 0.5, 1, 2 s), not every 0.5 s.
    assert len(hits) <= 6, len(hits)
    assert any(float(q["wait"]) > 0 for q in hits)


def test_a_long_poll_that_succeeds_resets_the_backoff(tmp_path, recorder):
    fail = threading.Event()
    fail.set()

    def answer(query):
        if fail.is_set():
            return 503, None
        return 200, pull(cursor=7)

    server = StubServer(answer)
    store = open_store(tmp_path / "shop")
    engine = SyncEngine(server.url, "token", lambda: ShopReplica(Store(store.path)),
                        recorder, wait=0.2, backoff_base=0.2, backoff_cap=30.0,
                        rng=LongestJitter())
    engine.start()
    try:
        wait_until(lambda: len(server.hits) >= 4)  # backoff now 1.6 s and growing
        fail.clear()
        wait_until(lambda: any(float(q["wait"]) > 0 for q in server.hits[4:]), timeout=5)
        fail.set()
        failed_at = len(server.hits)
        started = time.monotonic()
        wait_until(lambda: len(server.hits) >= failed_at + 2, timeout=5)
        assert time.monotonic() - started < 1.0  # 0.2 s again, not 3.2 s
    finally:
        engine.stop()
        server.close()
        store.close()


def test_while_the_server_is_down_only_the_puller_probes(tmp_path, recorder):
    store = open_store(tmp_path / "shop")
    ShopReplica(store).apply_pull(pull(cursor=3, products=[wire_product(stock=10)]))
    StockService(store).adjust("ECL", -1, "counter_sale")  # something for the pusher
    server = StubServer(lambda q: (503, None))
    engine = SyncEngine(server.url, "token", lambda: ShopReplica(Store(store.path)),
                        recorder, wait=10.0, backoff_base=0.5, backoff_cap=3.0,
                        rng=LongestJitter())
    engine.start()
    try:
        time.sleep(3.0)  # counting requests over a span of time is the point
    finally:
        engine.stop()
        server.close()
        store.close()
    methods = server.methods()
    assert methods.count("POST") <= 1, methods  # the first push, before the puller failed
    assert 2 <= methods.count("GET") <= 4, methods  # 0 s, then backoff 0.5, 1, 2 s
