"""Several server processes over one PostgreSQL database (issue 13, points 3 and 4).

- A change committed through one process wakes the long-polls held by another
  (PostgreSQL NOTIFY, one listener per process), operator commands included.
- Concurrent retries of the same request, spread over two processes, have one effect
  and never answer 500: push batches, idempotent orders, pairing codes, token rotation.
- The sweeper's refusal of an overdue order happens once, and every process's
  waiting counters hear it.
"""

from __future__ import annotations

import datetime as dt
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from marketplace import admin, orders, pairing, shops
from marketplace.catalogue import DEMO_PRODUCTS
from marketplace.exclusive import SWEEPER_LOCK_KEY
from marketplace.ids import hash_token
from marketplace.listener import listen_conninfo
from marketplace.orders import OrderLineRequest, OrderRequest
from marketplace.storage import open_database, write_tx
from sync.protocol import to_iso
from tests.conftest import wait_until
from tests.marketplace.conftest import ShopSession
from tests.marketplace.processes import (
    ROOT,
    ServerProcess,
    pair_device,
    server_processes,
)
from tests.pg import fresh_database

THREADS = 12


@pytest.fixture
def pg_url() -> Iterator[str]:
    with fresh_database() as url:
        yield url


@pytest.fixture(scope="module")
def pg_url_module() -> Iterator[str]:
    with fresh_database() as url:
        yield url


def sql(url: str, query: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    with psycopg.connect(listen_conninfo(url), autocommit=True) as conn:
        cursor = conn.execute(query, params)
        return cursor.fetchall() if cursor.description else []


def new_shop(url: str, name: str = "Boulangerie des Deux Process") -> tuple[str, str]:
    db = open_database(url)
    try:
        return admin.create_shop(db, name, "1 rue du Test", DEMO_PRODUCTS)
    finally:
        db.close()


def new_code(url: str, shop_id: str) -> str:
    db = open_database(url)
    try:
        return admin.new_pairing_code(db, shop_id)
    finally:
        db.close()


@pytest.fixture(scope="module")
def servers(pg_url_module: str, tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[list[ServerProcess]]:
    with server_processes(pg_url_module, tmp_path_factory.mktemp("servers")) as running:
        yield running
        for server in running:
            assert server.errors() == "", server.errors()


@pytest.fixture
def two_ends(pg_url_module: str, servers: list[ServerProcess]) -> tuple[ShopSession, ShopSession]:
    """One paired shop, seen through process A and through process B (same token)."""
    shop_id, code = new_shop(pg_url_module)
    on_a = pair_device(servers[0].url, shop_id, code)
    return on_a, ShopSession(servers[1].url, shop_id, on_a.token)


def shop_cursor(url: str, shop_id: str) -> int:
    return int(sql(url, "SELECT seq FROM shops WHERE id = %s", (shop_id,))[0][0])


def last_seen(url: str, token: str) -> str:
    return str(sql(url, "SELECT last_seen_at FROM devices WHERE token_hash = %s",
                   (hash_token(token),))[0][0])


class HeldPull:
    """A long-poll in a thread; ``answered_at`` is when its answer arrived."""

    def __init__(self, session: ShopSession, cursor: int, wait: float = 20):
        self.body: dict[str, Any] | None = None
        self.answered_at = 0.0
        self._thread = threading.Thread(target=self._run, args=(session, cursor, wait),
                                        daemon=True)
        self._thread.start()

    def _run(self, session: ShopSession, cursor: int, wait: float) -> None:
        with httpx.Client(timeout=wait + 10) as http:
            response = http.get(f"{session.url}/v1/pull", headers=session.auth,
                                params={"cursor": cursor, "wait": wait})
        self.answered_at = time.monotonic()
        assert response.status_code == 200, response.text
        self.body = response.json()

    @property
    def waiting(self) -> bool:
        return self._thread.is_alive()

    def result(self, timeout: float = 10) -> dict[str, Any]:
        self._thread.join(timeout)
        assert self.body is not None, "the long-poll did not answer"
        return self.body


def hold_pull(url: str, session: ShopSession) -> HeldPull:
    """A long-poll the server process is holding, with nothing to answer yet. The process
    says it began by writing the device's presence: its first note of a device is
    written at its next sweep (later ones are throttled), so use a device it never saw."""
    before = last_seen(url, session.token)
    held = HeldPull(session, shop_cursor(url, session.shop_id))
    wait_until(lambda: last_seen(url, session.token) > before, timeout=10)
    assert held.waiting
    return held


def new_device(url: str, pair_on: ServerProcess, poll_on: ServerProcess,
               shop_id: str) -> ShopSession:
    """A freshly paired counter of the shop (paired through ``pair_on``) that talks to
    ``poll_on``."""
    paired = pair_device(pair_on.url, shop_id, new_code(url, shop_id))
    return ShopSession(poll_on.url, shop_id, paired.token)


# -- wake-ups across processes ------------------------------------------------------------------

def test_an_order_placed_through_one_process_wakes_a_long_poll_held_by_the_other(
        pg_url_module: str, servers: list[ServerProcess],
        two_ends: tuple[ShopSession, ShopSession]) -> None:
    on_a, _ = two_ends
    latencies = []
    for _ in range(5):
        held = hold_pull(pg_url_module, new_device(pg_url_module, servers[0], servers[1],
                                                   on_a.shop_id))
        placed_at = time.monotonic()
        order = on_a.place([("CROIS", 1)])
        body = held.result()
        latencies.append(held.answered_at - placed_at)
        assert [o["id"] for o in body["orders"]] == [order["id"]]
    print(f"\ncross-process wake-up (order POSTed to A -> long-poll answered by B): "
          f"median {statistics.median(latencies) * 1000:.1f} ms,"
          f" max {max(latencies) * 1000:.1f} ms")
    assert max(latencies) < 1.0


def test_a_change_made_while_a_listener_was_cut_off_reaches_its_long_polls(
        pg_url: str, tmp_path: Path) -> None:
    """PostgreSQL restarted (simulated: the listeners' sessions killed, and new connections
    refused for a while): the order committed meanwhile was announced to nobody; the
    listener reconnects by itself and wakes every waiter, which then reads it."""
    name = pg_url.rsplit("/", 1)[1]
    admin = pg_url.rsplit("/", 1)[0] + "/postgres"
    shop_id, code = new_shop(pg_url)
    with server_processes(pg_url, tmp_path, 2) as (a, b):
        pair_device(a.url, shop_id, code).place([("CROIS", 1)])  # A's pool holds connections
        held = hold_pull(pg_url, new_device(pg_url, a, b, shop_id))
        try:
            sql(admin, f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS false')
            sql(admin, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE"
                       " application_name = 'comptoir-listener' AND datname = %s", (name,))
            order = ShopSession(a.url, shop_id, "").place([("CROIS", 1)])
            assert held.waiting  # nobody told B
        finally:
            sql(admin, f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS true')
        assert [o["id"] for o in held.result(timeout=15)["orders"]] == [order["id"]]
        assert a.errors() == "" and b.errors() == ""


def test_operator_commands_wake_the_long_polls_of_every_process(
        pg_url_module: str, servers: list[ServerProcess],
        two_ends: tuple[ShopSession, ShopSession]) -> None:
    on_a, on_b = two_ends

    def cli(*args: str) -> None:
        subprocess.run([sys.executable, "-m", "marketplace", *args, "--database-url",
                        pg_url_module, "--shop", on_a.shop_id],
                       cwd=ROOT, check=True, capture_output=True, timeout=60)

    held = hold_pull(pg_url_module, on_b)
    cli("add-product", "--sku", "KOUIGN", "--name", "Kouign-amann", "--price-cents", "320",
        "--stock", "6")
    assert [p["sku"] for p in held.result()["products"]] == ["KOUIGN"]
    for server in servers:  # a counter long-polling each process hears the pause
        held = hold_pull(pg_url_module, new_device(pg_url_module, servers[0], server,
                                                   on_a.shop_id))
        cli("pause-shop" if server is servers[0] else "resume-shop")
        assert held.result()["shop"]["paused"] is (server is servers[0])


# -- the same request, many times at once, through two processes --------------------------------

def at_once(servers: list[ServerProcess], send: Callable[[httpx.Client, str, int], httpx.Response],
            local_address: str = "127.0.0.1") -> list[httpx.Response]:
    """``send(http, server_url, i)`` in THREADS threads, alternately to each server, released
    together on connections already open (so the requests really meet in the servers)."""
    barrier = threading.Barrier(THREADS)
    answers: list[httpx.Response | BaseException | None] = [None] * THREADS

    def run(i: int) -> None:
        url = servers[i % len(servers)].url
        transport = httpx.HTTPTransport(local_address=local_address)
        with httpx.Client(timeout=30, transport=transport) as http:
            try:
                http.get(f"{url}/v1/health").raise_for_status()
            finally:
                barrier.wait()
            try:
                answers[i] = send(http, url, i)
            except BaseException as exc:  # shown by the assertion below
                answers[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert all(isinstance(a, httpx.Response) for a in answers), answers
    return answers  # type: ignore[return-value]


def order_body(lines: list[tuple[str, int]], **extra: Any) -> dict[str, Any]:
    return {"customer": {"name": "Zoé Lefèvre", "phone": "06 01 02 03 04"}, "channel": "collect",
            "lines": [{"sku": sku, "qty": qty} for sku, qty in lines], **extra}


def test_the_same_push_sent_at_once_through_two_processes_applies_once(
        pg_url_module: str, servers: list[ServerProcess],
        two_ends: tuple[ShopSession, ShopSession]) -> None:
    on_a, _ = two_ends
    order = on_a.place([("CROIS", 2)])
    stock = on_a.stock()["BAGT"]
    batch = [
        {"id": 1, "name": "stock.adjust", "args": {"sku": "BAGT", "delta": -3,
                                                   "reason": "counter_sale"},
         "at": "2026-11-27T09:00:00.000Z"},
        {"id": 2, "name": "order.accept", "args": {"order_id": order["id"],
                                                   "ready_by": "2026-11-27T09:20:00.000Z"},
         "at": "2026-11-27T09:00:01.000Z"},
        {"id": 3, "name": "order.ready", "args": {"order_id": order["id"]},
         "at": "2026-11-27T09:00:02.000Z"},
    ]
    answers = at_once(servers, lambda http, url, i: http.post(
        f"{url}/v1/push", json={"client_id": "c_twin", "mutations": batch}, headers=on_a.auth))
    assert [a.status_code for a in answers] == [200] * THREADS, [a.text for a in answers]
    expected = {"last_mutation_id": 3, "results": [{"id": i, "status": "applied"}
                                                   for i in (1, 2, 3)]}
    assert all(a.json() == expected for a in answers), [a.text for a in answers]
    assert on_a.stock()["BAGT"] == stock - 3
    assert sql(pg_url_module, "SELECT COUNT(*) FROM stock_movements WHERE shop_id = %s"
               " AND client_id = 'c_twin'", (on_a.shop_id,)) == [(1,)]
    assert sql(pg_url_module, "SELECT status FROM order_history WHERE order_id = %s ORDER BY id",
               (order["id"],)) == [("new",), ("accepted",), ("ready",)]


def test_the_same_order_sent_at_once_through_two_processes_is_taken_once(
        pg_url_module: str, servers: list[ServerProcess],
        two_ends: tuple[ShopSession, ShopSession]) -> None:
    on_a, _ = two_ends
    stock = on_a.stock()["CROIS"]
    body = order_body([("CROIS", 2)], idempotency_key="k-twin-1")
    answers = at_once(servers, lambda http, url, i: http.post(
        f"{url}/v1/customer/shops/{on_a.shop_id}/orders", json=body))
    assert [a.status_code for a in answers] == [201] * THREADS, [a.text for a in answers]
    assert len({a.json()["id"] for a in answers}) == 1
    assert sum(a.headers.get("Idempotent-Replayed") == "true" for a in answers) == THREADS - 1
    assert on_a.stock()["CROIS"] == stock - 2
    assert sql(pg_url_module, "SELECT COUNT(*) FROM orders WHERE shop_id = %s",
               (on_a.shop_id,)) == [(1,)]


def test_different_orders_at_once_through_two_processes_each_get_their_own_number(
        pg_url_module: str, servers: list[ServerProcess],
        two_ends: tuple[ShopSession, ShopSession]) -> None:
    on_a, _ = two_ends
    stock = on_a.stock()["CROIS"]
    answers = at_once(servers, lambda http, url, i: http.post(  # one customer each: no caps
        f"{url}/v1/customer/shops/{on_a.shop_id}/orders",
        json=order_body([("CROIS", 1)], customer={"name": f"Client {i}",
                                                  "phone": f"06 10 20 30 {i:02d}"})))
    assert [a.status_code for a in answers] == [201] * THREADS, [a.text for a in answers]
    assert sorted(a.json()["number"] for a in answers) == list(range(1, THREADS + 1))
    assert on_a.stock()["CROIS"] == stock - THREADS


def test_the_same_cancellation_sent_at_once_through_two_processes_returns_stock_once(
        pg_url_module: str, servers: list[ServerProcess],
        two_ends: tuple[ShopSession, ShopSession]) -> None:
    on_a, _ = two_ends
    stock = on_a.stock()["FLAN"]
    order = on_a.place([("FLAN", 3)])
    secret = {"X-Order-Secret": on_a.secrets[order["id"]]}
    answers = at_once(servers, lambda http, url, i: http.post(
        f"{url}/v1/customer/shops/{on_a.shop_id}/orders/{order['id']}/cancel", headers=secret))
    assert [a.status_code for a in answers] == [200] * THREADS, [a.text for a in answers]
    assert {a.json()["status"] for a in answers} == {"cancelled"}
    assert on_a.stock()["FLAN"] == stock
    assert sql(pg_url_module, "SELECT status FROM order_history WHERE order_id = %s ORDER BY id",
               (order["id"],)) == [("new",), ("cancelled",)]


def test_the_same_pairing_code_sent_at_once_through_two_processes_pairs_one_device(
        pg_url_module: str, servers: list[ServerProcess]) -> None:
    for attempt in range(3):  # a race is a matter of luck: give it several chances
        shop_id, code = new_shop(pg_url_module)
        body = {"pairing_code": code, "device_name": "Comptoir jumeau"}
        # The losers count as wrong guesses (limits.PairingGuard): from a fresh shop and a
        # fresh loopback address each time, they stay under the limits.
        answers = at_once(servers, lambda http, url, i, body=body: http.post(f"{url}/v1/pair",
                                                                          json=body),
                          local_address=f"127.0.0.{attempt + 2}")
        codes = sorted(a.status_code for a in answers)
        assert codes == [200] + [404] * (THREADS - 1), [a.text for a in answers]
        assert all(a.json()["error"]["code"] == "invalid_pairing_code"
                   for a in answers if a.status_code == 404)
        assert sql(pg_url_module, "SELECT COUNT(*) FROM devices WHERE shop_id = %s",
                   (shop_id,)) == [(1,)]


def test_the_same_token_rotation_sent_at_once_through_two_processes_rotates_once(
        pg_url_module: str, servers: list[ServerProcess],
        two_ends: tuple[ShopSession, ShopSession]) -> None:
    on_a, _ = two_ends
    answers = at_once(servers, lambda http, url, i: http.post(
        f"{url}/v1/devices/self/rotate", headers=on_a.auth))
    codes = sorted(a.status_code for a in answers)
    assert codes == [200] + [409] * (THREADS - 1), [a.text for a in answers]
    assert all(a.json()["error"]["code"] == "token_already_rotated"
               for a in answers if a.status_code == 409)
    new_token = next(a.json()["device_token"] for a in answers if a.status_code == 200)
    fresh = ShopSession(on_a.url, on_a.shop_id, new_token)
    assert fresh.pull()["shop"]["id"] == on_a.shop_id
    assert on_a.pull()["shop"]["id"] == on_a.shop_id  # the old one, within its grace


# -- the sweeper: one process at a time, every process's counters woken -------------------------

def test_an_overdue_order_is_refused_once_and_every_process_wakes_its_counters(
        pg_url: str, tmp_path: Path) -> None:
    with server_processes(pg_url, tmp_path, 2, "--auto-reject-after", "1.5") as (a, b):
        watched = []
        for server in (a, b):  # one shop long-polling each process
            shop_id, code = new_shop(pg_url, f"Boutique de {server.url}")
            watched.append(pair_device(server.url, shop_id, code))
        orders = [shop.place([("CROIS", 1), ("BAGT", 2)]) for shop in watched]
        held = [HeldPull(shop, shop_cursor(pg_url, shop.shop_id)) for shop in watched]
        for pull, order in zip(held, orders, strict=True):
            body = pull.result(timeout=15)  # answered at the refusal, not at the 20-s hold
            assert [(o["id"], o["status"], o["reject_reason"]) for o in body["orders"]] == [
                (order["id"], "rejected", "timeout")]
        for order in orders:
            assert sql(pg_url, "SELECT status, actor FROM order_history WHERE order_id = %s"
                       " ORDER BY id", (order["id"],)) == [("new", "customer"),
                                                          ("rejected", "marketplace")]
            assert sql(pg_url, "SELECT sku, delta FROM stock_movements WHERE order_id = %s"
                       " AND source = 'reject' ORDER BY sku", (order["id"],)) == [
                ("BAGT", 2), ("CROIS", 1)]
        assert a.errors() == "" and b.errors() == ""


def test_a_sweep_skips_its_round_while_another_process_sweeps(pg_url: str) -> None:
    shop_id, _ = new_shop(pg_url)
    db = open_database(pg_url)
    try:
        request = OrderRequest("Zoé", "06 01 02 03 04", None, "collect",
                               (OrderLineRequest("CROIS", 1),))
        order, _ = orders.place_order(db, shop_id, request)
        sql(pg_url, "UPDATE shops SET paused = 1, paused_until = '2020-01-01T00:00:00.000Z'"
                    " WHERE id = %s", (shop_id,))
        later = to_iso(dt.datetime.now(dt.UTC) + dt.timedelta(hours=1))
        with psycopg.connect(listen_conninfo(pg_url)) as other:  # another process sweeping
            other.execute("SELECT pg_advisory_xact_lock(%s)", (SWEEPER_LOCK_KEY,))
            assert orders.reject_overdue(db, later) == (0, set())
            assert shops.reopen_paused(db, later) == []
            other.rollback()  # its sweep is over
        assert sql(pg_url, "SELECT status FROM orders WHERE id = %s", (order["id"],)) == [
            ("new",)]
        assert orders.reject_overdue(db, later) == (1, {shop_id})
        assert shops.reopen_paused(db, later) == [shop_id]
        # A customer's order still reopens its own shop whoever sweeps (not exclusive).
        sql(pg_url, "UPDATE shops SET paused = 1, paused_until = '2020-01-01T00:00:00.000Z'"
                    " WHERE id = %s", (shop_id,))
        with psycopg.connect(listen_conninfo(pg_url)) as other:
            other.execute("SELECT pg_advisory_xact_lock(%s)", (SWEEPER_LOCK_KEY,))
            assert shops.reopen_paused(db, later, shop_id) == [shop_id]
    finally:
        db.close()


def test_a_shop_writer_in_flight_does_not_hold_up_pairing_a_counter(pg_url: str) -> None:
    """The shop's row lock serialises its writers, not the rows that merely point at the
    shop: a pairing (a new device row) goes through while a writer holds the lock."""
    shop_id, code = new_shop(pg_url)
    writer, pairer = open_database(pg_url), open_database(pg_url)
    paired: list[dict[str, str]] = []
    try:
        with write_tx(writer) as tx:
            tx.lock_shop(shop_id)
            thread = threading.Thread(target=lambda: paired.append(
                pairing.pair(pairer, code, "Comptoir", None, 3600, None)))
            thread.start()
            thread.join(10)
            assert paired and paired[0]["shop_id"] == shop_id  # while the lock is held
    finally:
        writer.close()
        pairer.close()


# -- re-polls answered from memory (marketplace/repoll.py) ---------------------------------------

def pull_status(session: ShopSession, token: str | None = None, cursor: int = 0) -> int:
    return session.http.get(f"{session.url}/v1/pull",
                            headers={"Authorization": f"Bearer {token or session.token}"},
                            params={"cursor": cursor, "wait": 0}).status_code


def test_a_token_revoked_through_one_process_is_refused_at_once_by_the_other(
        pg_url_module: str, servers: list[ServerProcess],
        two_ends: tuple[ShopSession, ShopSession]) -> None:
    """B remembers the token of the counters it answers; a revocation committed through A
    (the counter's own, then the operator's) must end it in B within the NOTIFY's delay,
    not at the shop's next change."""
    on_a, on_b = two_ends
    for _ in range(3):  # B has read and remembered the token
        assert pull_status(on_b) == 200
    assert on_a.http.delete(f"{on_a.url}/v1/devices/self", headers=on_a.auth).status_code == 204
    wait_until(lambda: pull_status(on_b) == 401, timeout=2)

    other = new_device(pg_url_module, servers[0], servers[1], on_a.shop_id)
    for _ in range(3):
        assert pull_status(other) == 200
    device_id = int(sql(pg_url_module, "SELECT id FROM devices WHERE token_hash = %s",
                        (hash_token(other.token),))[0][0])
    db = open_database(pg_url_module)
    try:  # the operator's revocation (CLI, console): no server process involved
        pairing.revoke_device_by_id(db, on_a.shop_id, device_id, actor="test")
    finally:
        db.close()
    wait_until(lambda: pull_status(other) == 401, timeout=2)


def test_a_token_rotated_through_one_process_lives_only_its_grace_in_the_other(
        pg_url_module: str, servers: list[ServerProcess],
        two_ends: tuple[ShopSession, ShopSession]) -> None:
    on_a, on_b = two_ends
    old = on_a.token
    assert pull_status(on_b) == 200  # B remembers the old token, live with no end
    rotated = on_a.http.post(f"{on_a.url}/v1/devices/self/rotate", headers=on_a.auth)
    assert rotated.status_code == 200, rotated.text
    new = rotated.json()["device_token"]
    assert pull_status(on_b, new) == 200
    # The old token's end is now its grace's: cut the grace short, as time would.
    sql(pg_url_module, "UPDATE devices SET previous_valid_until = %s WHERE token_hash = %s",
        ("2000-01-01T00:00:00.000Z", hash_token(new)))
    wait_until(lambda: pull_status(on_b, old) == 401, timeout=2)
    assert pull_status(on_b, new) == 200


def test_a_refusal_pushed_through_one_process_reaches_a_quiet_re_poll_on_the_other(
        pg_url_module: str, servers: list[ServerProcess],
        two_ends: tuple[ShopSession, ShopSession]) -> None:
    """A refused mutation changes no entity, only the client's last mutation id: B, which
    remembers its last quiet answer, must answer the new id as soon as NOTIFY told it."""
    on_a, on_b = two_ends
    cursor = on_b.pull()["cursor"]
    quiet = on_b.pull(cursor)  # B remembers this answer
    assert quiet["last_mutation_id"] == 0 and quiet["orders"] == []
    order = on_a.place([("CROIS", 1)])
    cursor = on_b.pull(cursor)["cursor"]
    assert on_b.pull(cursor)["orders"] == []  # quiet again, remembered again
    assert on_a.cancel(order["id"]).status_code == 200
    cursor = on_b.pull(cursor)["cursor"]
    on_b.pull(cursor)
    answer = on_a.push(("order.accept", {"order_id": order["id"],
                                         "ready_by": "2026-11-23T13:00:00.000Z"}))
    assert answer["results"][0]["status"] == "refused"
    wait_until(lambda: on_b.pull(cursor)["last_mutation_id"] == 1, timeout=2)
