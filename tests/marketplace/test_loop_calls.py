"""PostgreSQL calls on the event loop (storage.Store.run_on_loop): the loop goes on while a
call waits for the server; connecting and waiting for a pooled connection never block it;
a cancelled call gives its connection back; the server's routes use it, the console not."""

from __future__ import annotations

import asyncio
import threading
import time

import anyio
import anyio.to_thread
import httpx
import psycopg
import pytest

from marketplace import app as app_module
from marketplace.console import kpis
from marketplace.embedded import EmbeddedMarketplace
from marketplace.settings import Settings
from marketplace.storage import Store, in_loop_call, read_tx
from marketplace.storefront import api as storefront_api
from tests.marketplace.conftest import open_shop
from tests.marketplace.console_support import logged_in


def _sleep(db, seconds: float) -> int:
    with read_tx(db) as tx:
        tx.rows("SELECT pg_sleep(?)", (seconds,))
    return threading.get_ident()


async def _ticks_during(call) -> tuple[object, int]:  # type: ignore[no-untyped-def]
    """``await call``'s result, and how many times the loop ran another task meanwhile."""
    ticks = 0
    done = asyncio.Event()

    async def ticker() -> None:
        nonlocal ticks
        while not done.is_set():
            ticks += 1
            await asyncio.sleep(0.01)

    task = asyncio.create_task(ticker())
    try:
        return await call, ticks
    finally:
        done.set()
        await task


def test_a_call_runs_on_the_loop_thread_and_the_loop_goes_on_while_it_waits(pg_database):
    store = Store(pg_database, pool_size=2, max_overflow=0)
    try:
        async def main() -> tuple[int, int, int, float]:
            store.run(_sleep, 0)  # one idle connection: the checkout itself stays on the loop
            cpu = time.process_time()
            thread, ticks = await _ticks_during(store.run_on_loop(_sleep, 0.5))
            return thread, ticks, threading.get_ident(), time.process_time() - cpu

        thread, ticks, loop_thread, cpu = asyncio.run(main())
        assert thread == loop_thread
        assert ticks >= 20  # ~50 in 0.5 s; blocked, the ticker would have run once
        assert cpu < 0.2  # waiting, not polling the socket at every turn of the loop
    finally:
        store.close()


def _connects_recorded(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The threads in which psycopg opens connections, from now on."""
    threads: list[int] = []
    real = psycopg.Connection.connect.__func__  # type: ignore[attr-defined]

    def connect(cls, *args, **kwargs):  # type: ignore[no-untyped-def]
        threads.append(threading.get_ident())
        return real(cls, *args, **kwargs)

    monkeypatch.setattr(psycopg.Connection, "connect", classmethod(connect))
    return threads


def test_the_first_connection_opens_off_the_loop(pg_database, monkeypatch):
    """The pool's first connection (SQLAlchemy initialises the dialect on it, under a thread
    lock) and the next ones open in a worker thread."""
    store = Store(pg_database, pool_size=2, max_overflow=0)
    connected_in = _connects_recorded(monkeypatch)
    try:
        async def main() -> int:
            await asyncio.gather(store.run_on_loop(_sleep, 0.1), store.run_on_loop(_sleep, 0.1))
            return threading.get_ident()

        # In a thread of its own: opened on the loop, the two calls deadlocked it (one held
        # SQLAlchemy's first-connect lock while suspended, the other waited for it).
        loop_thread: list[int] = []
        runner = threading.Thread(target=lambda: loop_thread.append(asyncio.run(main())),
                                  daemon=True)
        runner.start()
        runner.join(30)
        assert loop_thread, "the loop is stuck"
        assert len(connected_in) == 2 and loop_thread[0] not in connected_in
    finally:
        store.close()


def test_calls_past_the_loops_share_of_the_pool_wait_on_the_loop(pg_database):
    """Pool of 2, one for threads: a thread holds its connection, a loop call holds the
    other; a second loop call waits for the first without blocking the loop (in the
    pool, it would have blocked it until a connection came back)."""
    store = Store(pg_database, pool_size=2, max_overflow=0, thread_share=1)
    try:
        async def main() -> tuple[int, list[str]]:
            store.run(_sleep, 0)  # warm
            ended: list[str] = []

            async def loop_call(name: str, seconds: float) -> None:
                await store.run_on_loop(_sleep, seconds)
                ended.append(name)

            thread = asyncio.create_task(anyio.to_thread.run_sync(store.run, _sleep, 1.0))
            first = asyncio.create_task(loop_call("first", 0.5))
            await asyncio.sleep(0.1)
            _result, ticks = await _ticks_during(loop_call("second", 0))
            await asyncio.gather(thread, first)
            return ticks, ended

        ticks, ended = asyncio.run(main())
        assert ended == ["first", "second"]
        assert ticks >= 20  # ~40 in 0.4 s
    finally:
        store.close()


def test_a_record_reconnected_at_checkout_connects_off_the_loop(pg_database, monkeypatch):
    """A dead connection is dropped (``_release_pg``); SQLAlchemy reconnects its record at
    the next checkout, from the loop here: the connect still runs in a thread."""
    store = Store(pg_database, pool_size=1, max_overflow=0)
    connected_in = _connects_recorded(monkeypatch)
    try:
        store.run(_sleep, 0)
        proxied = store.backend.engine.raw_connection()
        proxied.invalidate()  # as _release_pg does with a connection found dead
        proxied.close()
        assert store.backend.engine.pool.checkedin() == 1  # the record, its connection gone

        async def main() -> int:
            await store.run_on_loop(_sleep, 0)
            return threading.get_ident()

        loop_thread = asyncio.run(main())
        assert len(connected_in) == 2 and connected_in[1] != loop_thread
    finally:
        store.close()


def _sleeps(db, seconds: float) -> None:
    """Two statements in psycopg's pipeline mode (``executemany``): a cancellation thrown
    into it comes out as "cannot exit pipeline mode while busy"."""
    with read_tx(db) as tx:
        tx.executemany("SELECT pg_sleep(?)", [(seconds,), (seconds,)])


def test_a_cancelled_caller_stops_waiting_and_the_call_ends_by_itself(pg_database):
    """As a worker thread's call: the caller gets its CancelledError (a sweeper being
    stopped ends, rather than taking a database error for a failed round and going on),
    and the call runs to its end and gives its connection back."""
    store = Store(pg_database, pool_size=1, max_overflow=0)
    try:
        async def main() -> int:
            limiter = anyio.CapacityLimiter(1)
            call = asyncio.create_task(store.run_on_loop(_sleeps, 0.4, limiter=limiter))
            await asyncio.sleep(0.2)  # mid-statement
            call.cancel()
            with pytest.raises(asyncio.CancelledError):
                await call
            # Still running: its connection and its place in the limiter still held.
            assert store.backend.engine.pool.checkedout() == 1
            assert limiter.borrowed_tokens == 1
            await asyncio.wait_for(store.loop_calls_done(), 10)
            assert store.backend.engine.pool.checkedout() == 0
            assert limiter.borrowed_tokens == 0
            return await asyncio.wait_for(store.run_on_loop(_sleep, 0), 10)

        assert asyncio.run(main())
    finally:
        store.close()


def test_a_sweeper_stopped_mid_call_ends(pg_database, monkeypatch):
    """The server stops its sweeper with ``cancel()`` and waits for it (app.lifespan): the
    sweeper must end, not take the cancelled call for a failed round and sweep on (a
    worker process that never stopped, killed by its supervisor: seen when the sweeper
    ran on the loop, before run_on_loop shielded its calls; it now runs on a thread)."""
    rounds: list[int] = []

    def reject_overdue(db, *_args):  # type: ignore[no-untyped-def]
        rounds.append(1)
        if len(rounds) > 1:  # went on after its cancellation: end it all the same
            raise asyncio.CancelledError
        _sleeps(db, 0.4)

    monkeypatch.setattr(app_module.orders, "reject_overdue", reject_overdue)
    state = app_module.MarketState(pg_database, Settings(timeout_check_interval_s=0.05))

    async def main() -> None:
        state.new_hub()
        sweeper = asyncio.create_task(state.sweep_forever())
        for _ in range(100):
            if state.store.backend.engine.pool.checkedout():
                break
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.1)  # mid-statement
        sweeper.cancel()
        with pytest.raises(asyncio.CancelledError):
            await asyncio.wait_for(sweeper, 5)
        assert len(rounds) == 1
        for _ in range(100):  # the call itself ends by itself
            if not state.store.backend.engine.pool.checkedout():
                break
            await asyncio.sleep(0.05)

    try:
        asyncio.run(main())
    finally:
        state.store.close()


def test_the_routes_calls_run_on_the_loop_the_console_and_search_in_threads(pg_database,
                                                                           monkeypatch):
    seen: dict[str, list[bool]] = {"order": [], "console": [], "search": []}
    place, compute, search = app_module.orders.place_order, kpis.compute, storefront_api._shops

    def placing(*args, **kwargs):  # type: ignore[no-untyped-def]
        seen["order"].append(in_loop_call())
        return place(*args, **kwargs)

    def computing(*args, **kwargs):  # type: ignore[no-untyped-def]
        seen["console"].append(in_loop_call() or threading.get_ident() == loop_thread[0])
        return compute(*args, **kwargs)

    def searching(*args, **kwargs):  # type: ignore[no-untyped-def]
        seen["search"].append(in_loop_call() or threading.get_ident() == loop_thread[0])
        return search(*args, **kwargs)

    loop_thread: list[int] = []
    monkeypatch.setattr(app_module.orders, "place_order", placing)
    monkeypatch.setattr(kpis, "compute", computing)
    monkeypatch.setattr(storefront_api, "_shops", searching)
    with EmbeddedMarketplace(pg_database) as market:
        loop_thread.append(market._state.loop._thread_id)  # type: ignore[attr-defined]
        shop = open_shop(market)
        with httpx.Client(timeout=30) as http:
            assert http.get(f"{market.url}/v1/customer/shops?q=a").status_code == 200
            assert http.post(f"{market.url}/v1/customer/shops/{shop.shop_id}/orders",
                             json={"customer": {"name": "Zoé", "phone": "06 01 02 03 04"},
                                   "channel": "collect",
                                   "lines": [{"sku": "CROIS", "qty": 1}]}).status_code == 201
        console, _name = logged_in(market.url, pg_database, timeout=20)
        try:
            assert console.get("/console/").status_code == 200
        finally:
            console.close()
    assert seen == {"order": [True], "console": [False], "search": [False]}


def test_a_call_still_queued_when_its_caller_is_cancelled_never_runs(pg_database):
    """As a thread's call queued for its limiter: dropped (a long-poll whose client left
    while its read waited for its turn), not run for nobody."""
    store = Store(pg_database, pool_size=2, max_overflow=0)
    ran: list[float] = []

    def counted(db, seconds: float) -> int:  # type: ignore[no-untyped-def]
        ran.append(seconds)
        return _sleep(db, seconds)

    try:
        async def main() -> None:
            limiter = anyio.CapacityLimiter(1)
            first = asyncio.create_task(store.run_on_loop(counted, 0.3, limiter=limiter))
            await asyncio.sleep(0.1)
            queued = asyncio.create_task(store.run_on_loop(counted, 0.01, limiter=limiter))
            await asyncio.sleep(0.05)
            queued.cancel()
            with pytest.raises(asyncio.CancelledError):
                await queued
            await first
            await asyncio.wait_for(store.loop_calls_done(), 5)
            assert limiter.borrowed_tokens == 0

        asyncio.run(main())
        assert ran == [0.3]
    finally:
        store.close()


def test_the_thread_kinds_leave_the_loop_its_share_of_a_small_pool(pg_database):
    assert app_module.thread_caps(20) == app_module.THREAD_KINDS
    assert app_module.thread_caps(4) == {kind: 1 for kind in app_module.THREAD_KINDS}
    with pytest.raises(ValueError):
        app_module.thread_caps(len(app_module.THREAD_KINDS))
    state = app_module.MarketState(pg_database, Settings(db_pool_size=2, db_max_overflow=2))
    try:
        assert state.store.loop_share == 4 - len(app_module.THREAD_KINDS)
        assert sum(state.thread_caps.values()) + state.store.loop_share == 4
    finally:
        state.store.close()
