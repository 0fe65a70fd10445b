"""Pull: cursors, state transfer, long-polls that wake at once and time out on time."""

from __future__ import annotations

import asyncio
import threading
import time

import httpx
import pytest

from sync.wire import parse_pull


def test_first_pull_has_everything_then_nothing(shop):
    first = shop.pull()
    assert first["shop"]["id"] == shop.shop_id
    assert len(first["products"]) == 14
    assert first["orders"] == []
    parse_pull(first)  # the shop app's own checker accepts it
    again = shop.pull(first["cursor"])
    assert again["products"] == again["orders"] == []
    assert again["cursor"] >= first["cursor"]
    assert again["shop"] == first["shop"]  # always present


def test_pull_returns_the_full_state_of_what_changed(shop):
    cursor = shop.pull()["cursor"]
    order = shop.place([("CROIS", 2)], pickup_slot="2026-11-23T16:00:00+01:00")
    changed = shop.pull(cursor)
    assert [o["id"] for o in changed["orders"]] == [order["id"]]
    assert [p["sku"] for p in changed["products"]] == ["CROIS"]  # its stock moved
    pulled = changed["orders"][0]
    assert pulled == order
    assert pulled["pickup_slot"] == "2026-11-23T15:00:00.000Z"
    assert parse_pull(changed)["orders"][0]["customer_name"] == "Zoé Lefèvre"


def test_a_cursor_from_another_database_gets_everything(shop):
    pulled = shop.pull(cursor=10**15)
    assert len(pulled["products"]) == 14


def _pull_in_thread(shop, cursor, wait, out):
    started = time.monotonic()
    out["answer"] = shop.pull(cursor, wait=wait)
    out["returned_at"] = time.monotonic()
    out["took"] = out["returned_at"] - started


def test_a_long_poll_wakes_on_a_new_order_at_once(shop):
    cursor = shop.pull()["cursor"]
    out: dict = {}
    waiter = threading.Thread(target=_pull_in_thread, args=(shop, cursor, 20, out))
    waiter.start()
    time.sleep(0.3)  # let it settle into its wait
    assert "answer" not in out
    with httpx.Client() as customer_http:
        placed_at = time.monotonic()
        response = customer_http.post(
            f"{shop.url}/v1/customer/shops/{shop.shop_id}/orders",
            json={"customer": {"name": "Inès", "phone": "06"}, "channel": "collect",
                  "lines": [{"sku": "PAC", "qty": 1}]})
    waiter.join(5)
    assert response.status_code == 201
    assert out["answer"]["orders"][0]["id"] == response.json()["id"]
    assert out["returned_at"] - placed_at < 0.5


def test_a_long_poll_wakes_on_a_push_from_another_counter(shop):
    cursor = shop.pull()["cursor"]
    out: dict = {}
    waiter = threading.Thread(target=_pull_in_thread, args=(shop, cursor, 20, out))
    waiter.start()
    time.sleep(0.2)
    pushed_at = time.monotonic()
    shop.push_raw([{"id": 1, "name": "stock.adjust",
                    "args": {"sku": "QUICHE", "delta": 3, "reason": "restock"}}],
                  client_id="c_other_counter")
    waiter.join(5)
    assert [p["sku"] for p in out["answer"]["products"]] == ["QUICHE"]
    assert out["returned_at"] - pushed_at < 0.5


def test_a_long_poll_returns_after_wait_when_nothing_changes(shop):
    cursor = shop.pull()["cursor"]
    started = time.monotonic()
    answer = shop.pull(cursor, wait=1)
    took = time.monotonic() - started
    assert 0.95 <= took < 1.8
    assert answer["orders"] == answer["products"] == []


def test_another_shops_change_does_not_answer_a_long_poll(server, shop):
    from tests.marketplace.conftest import open_shop

    other = open_shop(server)
    cursor = shop.pull()["cursor"]
    out: dict = {}
    waiter = threading.Thread(target=_pull_in_thread, args=(shop, cursor, 1, out))
    waiter.start()
    time.sleep(0.2)
    other.place([("CROIS", 1)])
    waiter.join(5)
    assert out["took"] >= 0.95
    assert out["answer"]["orders"] == []


@pytest.mark.parametrize("params", [{"cursor": "abc"}, {"cursor": -1}, {"wait": "soon"},
                                    {"wait": -1}, {"wait": "nan"}, {"wait": "inf"},
                                    {"cursor": "1e3"}])
def test_bad_pull_parameters_are_422(shop, params):
    response = shop.http.get(f"{shop.url}/v1/pull", params=params, headers=shop.auth)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_request"


def test_hundreds_of_long_polls_wake_together(shop, server):
    """Waiting requests hold no thread: 300 waiters, one order, all answered quickly.

    Raw asyncio sockets on the client side: httpx's pool, not the server, is slow at this."""
    cursor = shop.pull()["cursor"]
    host, port = shop.url.removeprefix("http://").split(":")
    request = (f"GET /v1/pull?cursor={cursor}&wait=20 HTTP/1.1\r\nHost: {host}\r\n"
               f"Authorization: Bearer {shop.token}\r\nConnection: close\r\n\r\n").encode()
    count = 300

    async def wait_one() -> tuple[float, bytes]:
        reader, writer = await asyncio.open_connection(host, int(port))
        writer.write(request)
        answer = await reader.read()
        writer.close()
        return time.monotonic(), answer

    async def scenario() -> tuple[list[tuple[float, bytes]], float]:
        tasks = [asyncio.create_task(wait_one()) for _ in range(count)]
        await asyncio.sleep(1.0)  # all connected and waiting
        assert not any(t.done() for t in tasks)
        placed_at = time.monotonic()
        await asyncio.to_thread(shop.place, [("BAGT", 1)])
        return await asyncio.gather(*tasks), placed_at

    answers, placed_at = asyncio.run(scenario())
    assert all(b" 200 OK" in a[:20] and b'"orders":[{' in a for _, a in answers)
    # Each woken pull reads its own snapshot: in process on SQLite, about eight round trips
    # to the server on PostgreSQL (pre-ping, BEGIN, four reads, COMMIT), 300 times over the
    # pool's 40 connections on this 2-core machine.
    limit = 3.0 if server.db_path is None else 1.5
    assert max(at for at, _ in answers) - placed_at < limit


def test_a_pull_sent_while_the_server_stops_is_turned_away_at_once(shop, server):
    """Once waiters are being released for a shutdown, a new long-poll queues no read the
    graceful timeout would cut: a 503 the counter retries, elsewhere or later."""
    state = server._state
    state.hub.closing = True
    try:
        response = shop.http.get(f"{shop.url}/v1/pull", headers=shop.auth,
                                 params={"cursor": 0, "wait": 5})
    finally:
        state.hub.closing = False
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "shutting_down"
    assert "Retry-After" not in response.headers  # the counter's own backoff decides
    assert shop.pull()["shop"]["id"] == shop.shop_id
