"""Long-polls under load: expiries spread out, a cheap shutdown, a tuned collector."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import random
import sys
import threading
import time
import weakref

import pytest

from marketplace import app as app_module
from marketplace.__main__ import _tune_gc, _tune_switching, build_parser
from marketplace.embedded import EmbeddedMarketplace
from marketplace.gc_pacing import THRESHOLDS, GcPacer
from marketplace.hub import HOLD_SPREAD, hold_time
from tests.conftest import wait_until
from tests.marketplace.conftest import open_shop


def test_hold_time_is_within_a_fifth_below_wait_and_short_waits_are_kept():
    rng = random.Random(7)
    holds = [hold_time(25.0, rng) for _ in range(1000)]
    assert all(25.0 * (1 - HOLD_SPREAD) <= h <= 25.0 for h in holds)
    assert max(holds) - min(holds) > 4.0  # spread over the whole fifth, not one value
    assert hold_time(1.0, rng) == 1.0
    assert hold_time(0.0, rng) == 0.0


def test_long_polls_started_together_expire_spread_out(shop):
    """The herd: 20 long-polls asked together, nothing changes; they must not all come back
    (and re-poll) in the same instant."""
    cursor = shop.pull()["cursor"]
    host, port = shop.url.removeprefix("http://").split(":")
    request = (f"GET /v1/pull?cursor={cursor}&wait=5 HTTP/1.1\r\nHost: {host}\r\n"
               f"Authorization: Bearer {shop.token}\r\nConnection: close\r\n\r\n").encode()

    async def wait_one() -> tuple[float, bytes]:
        reader, writer = await asyncio.open_connection(host, int(port))
        writer.write(request)
        answer = await reader.read()
        writer.close()
        return time.monotonic(), answer

    async def scenario() -> tuple[list[tuple[float, bytes]], float]:
        started = time.monotonic()
        return await asyncio.gather(*(wait_one() for _ in range(20))), started

    answers, started = asyncio.run(scenario())
    assert all(b" 200 OK" in a[:20] and b'"orders":[]' in a for _, a in answers)
    took = sorted(at - started for at, _ in answers)
    assert took[0] >= 5 * (1 - HOLD_SPREAD) - 0.05  # never much earlier than allowed
    assert took[-1] < 5.5  # never later than asked
    assert took[-1] - took[0] > 0.25  # without the spread, all within a few ms


def test_shutdown_answers_woken_long_polls_without_reading_again(tmp_path, monkeypatch):
    """At shutdown each woken long-poll used to read the database once more: thousands of
    reads queued in the thread pool outlasted uvicorn's graceful timeout, which then
    cancelled them with a traceback each ("timeout graceful shutdown exceeded")."""
    reads = []
    real_read = app_module.read_pull
    monkeypatch.setattr(app_module, "read_pull",
                        lambda *args: reads.append(1) or real_read(*args))
    market = EmbeddedMarketplace(tmp_path / "m.db").start()
    shop = open_shop(market)
    cursor = shop.pull()["cursor"]
    count = 10
    out: list[dict] = []

    def wait_in_long_poll() -> None:
        session = type(shop)(shop.url, shop.shop_id, shop.token)
        with session.http:
            out.append(session.pull(cursor, wait=25))

    waiters = [threading.Thread(target=wait_in_long_poll) for _ in range(count)]
    for waiter in waiters:
        waiter.start()
    deadline = time.monotonic() + 5
    while len(reads) < count + 1 and time.monotonic() < deadline:  # +1: the first pull
        time.sleep(0.01)
    time.sleep(0.1)  # each is past its read, in its wait
    reads_before_stop = len(reads)
    market.stop()
    for waiter in waiters:
        waiter.join(5)
    assert len(out) == count and all(answer["orders"] == [] for answer in out)
    assert len(reads) == reads_before_stop == count + 1
    shop.http.close()


def test_the_served_process_freezes_start_up_objects_and_paces_its_collector():
    before = gc.get_threshold()
    pacer = None
    try:
        pacer = _tune_gc()
        assert gc.get_freeze_count() > 0
        # The automatic collector: young collections only, less often than CPython's.
        assert gc.get_threshold() == THRESHOLDS
        assert THRESHOLDS[0] > before[0] and min(THRESHOLDS[1:]) >= 10**9
        wait_until(lambda: pacer.young >= 2, timeout=5)
    finally:
        if pacer is not None:
            pacer.stop()
        gc.unfreeze()
        gc.set_threshold(*before)


def test_the_served_process_takes_its_switch_interval_from_the_command_line():
    """serve sets Python's switch interval from --switch-interval-ms, Python's own 5 ms by
    default (__main__._tune_switching)."""
    before = sys.getswitchinterval()
    try:
        serve = ["serve", "--db", "m.db"]
        args = build_parser().parse_args(serve)
        assert args.switch_interval_ms == 5.0
        _tune_switching(build_parser().parse_args([*serve, "--switch-interval-ms", "1"])
                        .switch_interval_ms)
        assert sys.getswitchinterval() == pytest.approx(0.001)
        _tune_switching(args.switch_interval_ms)
        assert sys.getswitchinterval() == pytest.approx(0.005)
    finally:
        sys.setswitchinterval(before)


def test_the_pacer_collects_young_garbage_by_the_clock_and_everything_now_and_then():
    """Young cycles are collected though the allocation count never reaches its threshold
    (a long-poll server frees old objects as fast as it makes new ones); an older cycle
    waits for the full collection."""
    before = gc.get_threshold()
    gc.collect()
    gc.disable()  # only the pacer collects
    pacer = GcPacer(young_every_s=0.02, full_every_s=1.0)
    try:
        gc.collect(0)  # a young generation as empty as the pacer leaves it
        old = _Cycle()  # survives into the middle generation, never collected young
        old_ref = weakref.ref(old)
        gc.collect(0)
        del old
        young = _Cycle()
        young_ref = weakref.ref(young)
        del young
        pacer.start()  # sets the thresholds; the collector stays disabled
        wait_until(lambda: young_ref() is None, timeout=5)
        assert old_ref() is not None  # the young collections leave it (1 s to the full one)
        wait_until(lambda: pacer.full >= 1, timeout=5)
        assert old_ref() is None and pacer.young >= 1
    finally:
        pacer.stop()
        gc.enable()
        gc.set_threshold(*before)


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def test_a_wave_of_long_poll_reads_does_not_hold_up_an_order(tmp_path, monkeypatch):
    """Every counter reconnecting at once (a restart; on SQLite, every re-poll) reads before
    it waits: those reads queue among themselves (POLL_READ_THREADS), while an order and
    its delivery to a counter already waiting take threads of their own. They used to
    queue in the one thread pool, in front of the orders: a customer's POST waited for
    thousands of re-polls' reads."""
    slow = threading.Event()
    started_reads: list[int] = []
    real_read = app_module.read_pull

    def read_pull(*args):
        if slow.is_set() and args[-1] is None:  # a pull's first read (no token check)
            started_reads.append(1)
            time.sleep(1.0)
        return real_read(*args)

    monkeypatch.setattr(app_module, "read_pull", read_pull)
    arrived: list[int] = []
    real_bearer = app_module.bearer_token
    monkeypatch.setattr(app_module, "bearer_token",
                        lambda request: arrived.append(1) or real_bearer(request))
    with EmbeddedMarketplace(tmp_path / "m.db") as market:
        state = market._state
        assert state is not None and state.loop is not None

        shop = open_shop(market)
        cursor = shop.pull()["cursor"]
        waiting = type(shop)(shop.url, shop.shop_id, shop.token, client_id="c_waiting")
        delivered: list[dict] = []
        waiter = threading.Thread(target=lambda: delivered.append(waiting.pull(cursor, wait=10)))
        waiter.start()  # a counter already waiting before the wave
        wait_until(lambda: state.presence.holding(shop.shop_id), timeout=5)
        count = 3 * app_module.POLL_READ_THREADS  # 3 s of reads queued, at least
        pollers = [type(shop)(shop.url, shop.shop_id, shop.token) for _ in range(count)]
        slow.set()
        arrived.clear()

        def poll(session) -> None:
            with contextlib.suppress(Exception):  # cut short when the test ends
                session.pull(cursor, wait=3)

        threads = [threading.Thread(target=poll, args=(session,), daemon=True)
                   for session in pollers]
        for thread in threads:
            thread.start()
        wait_until(lambda: len(arrived) >= count and len(started_reads) >= 4, timeout=10)
        started = time.monotonic()
        order = shop.place([("CROIS", 1)])
        took = time.monotonic() - started
        assert took < 0.8, f"the order waited {took:.1f} s behind the long-polls' reads"
        waiter.join(timeout=5)
        took = time.monotonic() - started
        assert [o["id"] for o in delivered[0]["orders"]] == [order["id"]]
        assert took < 0.8, f"the order reached the waiting counter in {took:.1f} s"
        slow.clear()
        for thread in threads:
            thread.join(timeout=10)
    for session in (*pollers, waiting, shop):
        session.http.close()
