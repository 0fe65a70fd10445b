"""Quiet re-polls answered from memory (marketplace/repoll.py): the hub's clock, and what a
process remembers only while the database feed says nothing changed.

Across processes (revocations, rotations, refusals through another process):
test_processes.py."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from marketplace.embedded import EmbeddedMarketplace
from marketplace.hub import ChangeHub
from marketplace.repoll import KnownDevice, Remembered, still_live
from tests.conftest import wait_until
from tests.marketplace.conftest import ShopSession, open_shop
from tests.pg import fresh_database


@dataclass(frozen=True)
class Read:
    shop_id: str
    stamp: int


def fed_hub() -> ChangeHub:
    hub = ChangeHub()
    hub.fed = True
    return hub


def test_a_read_is_trusted_until_its_shop_is_woken() -> None:
    hub = fed_hub()
    remembered: Remembered[str, Read] = Remembered(hub)
    remembered.put("k", Read("s1", hub.stamp()))
    hub.wake("s2")  # another shop
    assert remembered.get("k") == Read("s1", 0)
    hub.wake("s1")
    assert remembered.get("k") is None
    assert len(remembered) == 0  # forgotten, not kept to be checked again


def test_a_shop_woken_during_the_read_is_not_remembered() -> None:
    hub = fed_hub()
    remembered: Remembered[str, Read] = Remembered(hub)
    stamp = hub.stamp()  # the read starts ...
    hub.wake("s1")  # ... a change commits meanwhile ...
    remembered.put("k", Read("s1", stamp))  # ... the read may or may not have seen it
    assert remembered.get("k") is None
    later = hub.stamp()
    remembered.put("k", Read("s1", later))
    assert remembered.get("k") is not None


def test_nothing_is_trusted_without_the_feed_nor_after_it_came_back() -> None:
    hub = fed_hub()
    remembered: Remembered[str, Read] = Remembered(hub)
    remembered.put("k", Read("s1", hub.stamp()))
    hub.fed = False  # the LISTEN connection is down: changes may go unheard
    assert remembered.get("k") is None
    remembered.put("k2", Read("s1", hub.stamp()))
    hub.fed = True
    assert remembered.get("k2") is None  # never stored
    remembered.put("k3", Read("s1", hub.stamp()))
    hub.wake_all()  # the feed reconnected: what was missed is unknown
    assert remembered.get("k3") is None


def test_a_shop_woken_for_itself_is_told_from_a_wake_of_everyone() -> None:
    """A delivery (its own shop changed) reads with the orders; a wake of every waiter
    (the feed back after a restart) reads with the other polls (app.POLL_READ_THREADS)."""
    hub = fed_hub()
    before = hub.stamp()
    hub.wake_all()
    assert not hub.woken_for("s1", before)
    hub.wake("s1")
    assert hub.woken_for("s1", before) and not hub.woken_for("s2", before)
    assert not hub.woken_for("s1", hub.stamp())


def test_memory_is_bounded_and_forgets_the_oldest_first() -> None:
    hub = fed_hub()
    remembered: Remembered[int, Read] = Remembered(hub, limit=3)
    for key in range(5):
        remembered.put(key, Read(f"s{key}", hub.stamp()))
    assert len(remembered) == 3
    assert remembered.get(0) is None and remembered.get(1) is None
    assert remembered.get(4) is not None


def test_what_is_remembered_is_read_again_after_a_while_all_the_same(monkeypatch) -> None:
    """A write that sends no NOTIFY (a hand edit, a restore) is seen within MAX_AGE_S."""
    hub = fed_hub()
    remembered: Remembered[str, Read] = Remembered(hub, max_age_s=60)
    now = [1000.0]
    monkeypatch.setattr("marketplace.repoll.time.monotonic", lambda: now[0])
    remembered.put("k", Read("s1", hub.stamp()))
    now[0] += 59
    assert remembered.get("k") is not None
    now[0] += 2
    assert remembered.get("k") is None


def test_an_expired_token_is_not_live_even_if_remembered() -> None:
    assert not still_live(KnownDevice("s", 1, "2000-01-01T00:00:00.000Z", 0))
    assert still_live(KnownDevice("s", 1, "2999-01-01T00:00:00.000Z", 0))
    assert still_live(KnownDevice("s", 1, None, 0))


# -- one real server on PostgreSQL ----------------------------------------------------------------

@pytest.fixture(scope="module")
def pg_market(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedMarketplace]:
    with fresh_database() as url:
        market = EmbeddedMarketplace(url, settings={"auto_reject_after_s": 600})
        market.start()
        state = market._state
        assert state is not None
        wait_until(lambda: state.hub.fed, timeout=10)
        yield market
        market.stop()


def test_quiet_re_polls_are_answered_from_memory_and_changes_from_the_database(
        pg_market: EmbeddedMarketplace) -> None:
    state = pg_market._state
    assert state is not None
    shop: ShopSession = open_shop(pg_market)
    cursor = shop.pull()["cursor"]
    quiet = shop.pull(cursor, wait=0.2)
    devices, answers = state.devices.hits, state.quiet.hits
    for _ in range(3):
        assert shop.pull(cursor, wait=0.2) == quiet
    assert state.devices.hits == devices + 3
    assert state.quiet.hits == answers + 3
    assert shop.pull(cursor) == quiet  # a pull that does not wait always reads
    assert state.quiet.hits == answers + 3
    order = shop.place([("CROIS", 1)])
    wait_until(lambda: [o["id"] for o in shop.pull(cursor)["orders"]] == [order["id"]],
               timeout=2)
    assert state.quiet.hits == answers + 3  # the change was read, not remembered


def test_the_re_poll_after_a_delivered_order_is_answered_from_memory(
        pg_market: EmbeddedMarketplace) -> None:
    """A counter re-polls at once from the cursor of the order it just received: that
    answer is known from the pull that delivered the order, until the shop changes."""
    import threading

    state = pg_market._state
    assert state is not None
    shop: ShopSession = open_shop(pg_market)
    cursor = shop.pull()["cursor"]
    for round_ in range(2):
        held: list[dict] = []
        poll = threading.Thread(target=lambda out, after: out.append(shop.pull(after, wait=5)),
                                args=(held, cursor))
        poll.start()
        wait_until(lambda: state.presence.holding(shop.shop_id), timeout=5)
        order = shop.place([("CROIS", 1)])
        poll.join(timeout=5)
        assert [o["id"] for o in held[0]["orders"]] == [order["id"]], round_
        cursor = held[0]["cursor"]
        hits = state.quiet.hits
        remembered = shop.pull(cursor, wait=0.2)
        assert state.quiet.hits == hits + 1  # no read
        assert remembered == shop.pull(cursor)  # what a read (wait=0) answers
        assert remembered["orders"] == [] and remembered["cursor"] == cursor


def test_on_sqlite_every_pull_reads_the_database(tmp_path) -> None:
    with EmbeddedMarketplace(tmp_path / "m.db", settings={"auto_reject_after_s": 600}) as market:
        state = market._state
        assert state is not None
        shop = open_shop(market)
        cursor = shop.pull()["cursor"]
        for _ in range(3):
            shop.pull(cursor)
        assert state.devices.hits == 0 and state.quiet.hits == 0


def test_a_wake_all_notification_makes_every_process_forget(pg_market: EmbeddedMarketplace
                                                            ) -> None:
    """What an operator sends after writing outside the marketplace (docs/DEPLOY.md)."""
    import psycopg

    from marketplace.listener import CHANNEL, WAKE_ALL, listen_conninfo

    state = pg_market._state
    assert state is not None
    shop = open_shop(pg_market)
    cursor = shop.pull()["cursor"]
    shop.pull(cursor, wait=0.2)
    hits = state.quiet.hits
    shop.pull(cursor, wait=0.2)
    assert state.quiet.hits == hits + 1
    before = state.hub.stamp()
    with psycopg.connect(listen_conninfo(pg_market.database_url), autocommit=True) as conn:
        conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL, WAKE_ALL))
    wait_until(lambda: state.hub.stamp() > before, timeout=5)
    shop.pull(cursor, wait=0.2)
    assert state.quiet.hits == hits + 1  # read again
