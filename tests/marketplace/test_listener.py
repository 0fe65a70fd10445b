"""The change listener on a real PostgreSQL: NOTIFY wakes only at commit, and a listener
whose connection is cut reconnects by itself and wakes every waiter once."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
from collections.abc import AsyncIterator, Iterator

import psycopg
import pytest

from marketplace.hub import ChangeHub
from marketplace.listener import CHANNEL, ChangeListener, listen_conninfo
from sync.backoff import Backoff
from tests.pg import fresh_database

DEADLINE_S = 5.0


@pytest.fixture
def pg_url() -> Iterator[str]:
    with fresh_database() as url:
        yield url


@contextlib.asynccontextmanager
async def listening(url: str, **options: object) -> AsyncIterator[tuple[ChangeHub, ChangeListener]]:
    hub = ChangeHub()
    listener = ChangeListener(url, hub, **options)  # type: ignore[arg-type]
    task = asyncio.create_task(listener.run())
    try:
        await asyncio.wait_for(listener.listening.wait(), DEADLINE_S)
        yield hub, listener
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def woken(event: asyncio.Event) -> bool:
    await asyncio.wait_for(event.wait(), DEADLINE_S)
    return True


def test_a_notification_wakes_its_shop_only_once_its_transaction_commits(pg_url: str) -> None:
    async def scenario() -> None:
        async with listening(pg_url) as (hub, _):
            assert hub.fed  # the routes' own notify now leaves the waking to the database
            pending, committed_later = hub.watch("shop_a"), hub.watch("shop_b")
            rolled_back = hub.watch("shop_c")
            conninfo = listen_conninfo(pg_url)
            async with await psycopg.AsyncConnection.connect(conninfo) as slow, \
                    await psycopg.AsyncConnection.connect(conninfo, autocommit=True) as other:
                await slow.execute("SELECT pg_notify(%s, 'shop_a')", (CHANNEL,))
                async with other.transaction(force_rollback=True):
                    await other.execute("SELECT pg_notify(%s, 'shop_c')", (CHANNEL,))
                await other.execute("SELECT pg_notify(%s, 'shop_b')", (CHANNEL,))
                # Delivered in commit order: shop_b's wake-up came, shop_a's cannot have.
                assert await woken(committed_later)
                assert not pending.is_set() and not rolled_back.is_set()
                await slow.commit()
                assert await woken(pending)
                assert not rolled_back.is_set()

    asyncio.run(scenario())


def test_a_cut_listener_reconnects_and_wakes_every_waiter_once(pg_url: str) -> None:
    async def scenario() -> None:
        async with listening(pg_url, backoff=Backoff(0.05, 0.5)) as (hub, listener):
            waiters = [hub.watch(f"shop_{i}") for i in range(3)]
            conninfo = listen_conninfo(pg_url)
            async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True) as admin:
                cur = await admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE application_name = 'comptoir-listener' AND datname = current_database()")
                assert [row[0] for row in await cur.fetchall()] == [True]
                for event in waiters:  # notifications sent meanwhile may be lost: all wake
                    assert await woken(event)
                assert listener.connections == 2 and hub.fed
                after = hub.watch("shop_0")
                await admin.execute("SELECT pg_notify(%s, 'shop_0')", (CHANNEL,))
                assert await woken(after)

    asyncio.run(scenario())


def test_local_commits_wake_directly_while_the_listener_is_down() -> None:
    async def scenario() -> None:
        hub = ChangeHub()
        # Nobody listens on this port: the listener keeps retrying, the hub is not fed.
        listener = ChangeListener("postgresql://postgres@127.0.0.1:9/none", hub,
                                  backoff=Backoff(0.05, 0.2))
        task = asyncio.create_task(listener.run())
        try:
            while listener.backoff.failures < 2:  # it tried, and is waiting to try again
                await asyncio.sleep(0.01)
            event = hub.watch("shop_a")
            hub.notify("shop_a")
            assert event.is_set() and not hub.fed and not listener.listening.is_set()
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    asyncio.run(scenario())


def test_no_notification_is_lost_while_the_listener_probes_its_connection(pg_url: str) -> None:
    async def scenario() -> None:
        # Probing all the time: notifications keep arriving during the probe's query.
        async with listening(pg_url, probe_every_s=0.001) as (hub, _):
            waiters = {f"shop_{i}": hub.watch(f"shop_{i}") for i in range(300)}
            conninfo = listen_conninfo(pg_url)
            async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True) as other:
                for shop_id in waiters:
                    await other.execute("SELECT pg_notify(%s, %s)", (CHANNEL, shop_id))
            for event in waiters.values():
                assert await woken(event)

    asyncio.run(scenario())


def test_a_listener_whose_backend_hangs_gives_up_its_feed_within_the_probe_timeout(
        pg_url: str) -> None:
    """A backend that stops answering but keeps its socket open (hung, SIGSTOPped: TCP still
    acknowledges, keepalives never fire): the overdue probe un-feeds the hub, so this
    process's own commits wake its waiters, and the listener reconnects."""
    probe_every_s, probe_timeout_s = 0.2, 0.5

    async def scenario() -> None:
        async with listening(pg_url, probe_every_s=probe_every_s, probe_timeout_s=probe_timeout_s,
                             backoff=Backoff(0.05, 0.2)) as (hub, listener):
            conninfo = listen_conninfo(pg_url)
            async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True) as admin:
                cur = await admin.execute(
                    "SELECT pid FROM pg_stat_activity WHERE application_name = 'comptoir-listener'"
                    " AND datname = current_database()")
                [(pid,)] = await cur.fetchall()
            os.kill(pid, signal.SIGSTOP)  # this test's own backend, resumed below whatever happens
            try:
                event = hub.watch("shop_a")
                started = time.monotonic()
                deadline = started + probe_every_s + probe_timeout_s + DEADLINE_S
                while not event.is_set() and time.monotonic() < deadline:
                    hub.notify("shop_a")  # a local commit: a no-op only while the feed is up
                    await asyncio.sleep(0.01)
                assert event.is_set(), "the process's own commit woke nobody"
                assert time.monotonic() - started < probe_every_s + probe_timeout_s + 2.0
                # psycopg waits up to 5 s for the cancelled probe before closing the connection.
                deadline += 5.0
                while listener.connections < 2 and time.monotonic() < deadline:
                    await asyncio.sleep(0.01)
                assert listener.connections == 2 and hub.fed  # listening again, elsewhere
            finally:
                os.kill(pid, signal.SIGCONT)

    asyncio.run(scenario())
