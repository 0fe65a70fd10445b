"""bench/load_http.py, the benchmarks' load generator: its answers must be read right, or the
benchmarks measure their own mistakes (an order counted as not pulled, a connection
reused after the server closed it, a closed loop that offers less than the rate asked)."""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from typing import Any

import httpx
import pytest

from bench import load_http
from bench.load_http import HttpConnection, place_orders, run


class TinyServer:
    """A raw HTTP/1.1 server on loopback answering every request with ``status`` and a JSON
    body after ``delay`` s, counting connections and requests. ``after``: what it does once
    it has answered: "keep" the connection, "close" it saying ``Connection: close``, "drop"
    it without a word; or instead of answering: "cut" the answer mid-body, stay "silent"."""

    def __init__(self, status: int = 200, delay: float = 0.0, after: str = "keep",
                 interim: bool = False, stall_s: float = 0.0):
        self.status, self.delay, self.after = status, delay, after
        self.interim = interim  # a "100 Continue" before each answer
        self.stall_s = stall_s  # the first request blocks the (shared) event loop this long
        self.connections = self.active = self.max_active = 0
        self.requests: list[bytes] = []

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while head := await reader.readuntil(b"\r\n\r\n"):
                length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                               if line.lower().startswith(b"content-length:")), 0)
                self.requests.append(head + await reader.readexactly(length))
                self.active += 1
                self.max_active = max(self.max_active, self.active)
                if self.stall_s and len(self.requests) == 1:
                    time.sleep(self.stall_s)  # on purpose: the client's loop too
                if self.interim:
                    writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
                await asyncio.sleep(3600 if self.after == "silent" else self.delay)
                self.active -= 1
                body = json.dumps({"n": len(self.requests)}).encode()
                # the answer in pieces, the body split too: the parser must join them
                writer.write(b"HTTP/1.1 %d Whatever\r\nContent-Type: application/json\r\n"
                             % self.status
                             + (b"Connection: close\r\n" if self.after == "close" else b""))
                await writer.drain()
                if self.after == "cut":
                    writer.write(b"Content-Length: 100\r\n\r\n" + body)
                    break
                writer.write(b"Content-Length: %d\r\n\r\n" % len(body) + body[:3])
                await writer.drain()
                writer.write(body[3:])
                await writer.drain()
                if self.after != "keep":
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def serve(self, work: Any) -> Any:
        server = await asyncio.start_server(self.handle, "127.0.0.1", 0)
        try:
            return await work(f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}")
        finally:
            server.close()

    def exchange(self, *requests: Any) -> list[Any]:
        """Each request (a coroutine function of the connection) in turn, on one
        HttpConnection."""
        async def work(url: str) -> list[Any]:
            http = HttpConnection(url, {"Authorization": "Bearer t0k"})
            try:
                return [await request(http) for request in requests]
            finally:
                http.close()

        return run(self.serve(work))


def get(http: HttpConnection) -> Any:
    return http.get_json("/v1/pull?cursor=0")


def test_a_keep_alive_connection_carries_every_request():
    tiny = TinyServer()
    assert tiny.exchange(get, get, get) == [{"n": 1}, {"n": 2}, {"n": 3}]
    assert tiny.connections == 1
    assert tiny.requests[0].startswith(b"GET /v1/pull?cursor=0 HTTP/1.1\r\n")
    assert b"\r\nAuthorization: Bearer t0k\r\n" in tiny.requests[0]


@pytest.mark.parametrize("after", ["close", "drop"])
def test_a_connection_the_server_closes_is_opened_again(after):
    tiny = TinyServer(after=after)

    async def pause(http: HttpConnection) -> str:  # "drop": the close is seen before the next GET
        for _ in range(500):
            if http.proto is None or http.proto.lost:
                break
            await asyncio.sleep(0.01)
        return "paused"

    answers = tiny.exchange(get, pause, get, pause, get)
    assert answers == [{"n": 1}, "paused", {"n": 2}, "paused", {"n": 3}]
    assert tiny.connections == 3


def test_a_post_sends_its_body_with_its_length():
    tiny = TinyServer()
    body = json.dumps({"note": "Zoé"}).encode()
    (status, answer), = tiny.exchange(lambda http: http.request("POST", "/o", body))
    assert (status, json.loads(answer)) == (200, {"n": 1})
    assert tiny.requests[0].endswith(b"\r\nContent-Length: %d\r\n\r\n" % len(body) + body)


def test_an_answer_cut_short_fails_at_once_and_drops_the_connection():
    tiny = TinyServer(after="cut")

    async def cut(http: HttpConnection) -> bool:
        started = time.monotonic()
        with pytest.raises(ConnectionError):
            await http.get_json("/", timeout=10)
        return time.monotonic() - started < 5 and http.proto is None

    assert tiny.exchange(cut) == [True]


def test_an_answer_that_never_comes_times_out_and_drops_the_connection():
    tiny = TinyServer(after="silent")

    async def timed_out(http: HttpConnection) -> bool:
        with pytest.raises(TimeoutError):
            await http.get_json("/", timeout=0.2)
        return http.proto is None

    assert tiny.exchange(timed_out) == [True]


def test_an_interim_answer_is_not_taken_for_the_answer():
    assert TinyServer(interim=True).exchange(get, get) == [{"n": 1}, {"n": 2}]


def place(tiny: TinyServer, rate: float, seconds: float, placed: dict[str, tuple[float, str]],
          post_ms: list[float]) -> load_http.Placing:
    async def work(url: str) -> load_http.Placing:
        return await load_http._Customers(url).place(
            ["shp_1"], None, rate, seconds, placed, post_ms, Counter())

    return run(tiny.serve(work))


def test_orders_are_sent_when_due_over_at_most_the_pool_s_connections(monkeypatch):
    """An open loop: a slow server gets the orders due all the same, on several connections
    (a closed loop would send one at a time), never more than the pool's limit; the time
    spent waiting for a connection counts in the POST's time."""
    monkeypatch.setattr(load_http, "MAX_CUSTOMER_CONNECTIONS", 3)
    tiny = TinyServer(status=201, delay=0.3)
    placed: dict[str, tuple[float, str]] = {}
    post_ms: list[float] = []
    placing = place(tiny, 40.0, 0.5, placed, post_ms)
    assert len(placed) == len(post_ms) == 20
    assert tiny.connections == tiny.max_active == 3
    assert placing.taken_s >= 7 * 0.3  # seven rounds of three at least
    # the last one, due at 0.475 s, left in the seventh round, at 1.8 s: that wait counts
    assert max(post_ms) >= 1300


def test_an_order_counts_from_when_it_was_due_even_if_this_process_was_late():
    tiny = TinyServer(status=201, stall_s=0.15)  # the loop stops at the first order
    placed: dict[str, tuple[float, str]] = {}
    post_ms: list[float] = []
    placing = place(tiny, 100.0, 0.3, placed, post_ms)
    assert len(placed) == 30
    assert placing.max_lag_ms >= 100  # orders due during the stall started late, and it says so
    due = sorted(t0 for t0, _ in placed.values())  # when each was due, not when it left
    assert all(abs(b - a - 0.01) < 1e-6 for a, b in zip(due, due[1:], strict=False))
    assert max(post_ms) >= 100  # the wait is in the latency


def test_a_freed_connection_goes_to_the_order_that_has_waited_longest(monkeypatch):
    monkeypatch.setattr(load_http, "MAX_CUSTOMER_CONNECTIONS", 1)

    async def scenario() -> None:
        customers = load_http._Customers("http://127.0.0.1:9")  # never connected
        first = await customers.take()
        a = asyncio.ensure_future(customers.take())
        b = asyncio.ensure_future(customers.take())
        await asyncio.sleep(0)  # both wait
        customers.give_back(first)
        newcomer = asyncio.ensure_future(customers.take())
        await asyncio.sleep(0)
        assert a.done() and a.result() is first
        assert not b.done() and not newcomer.done()
        customers.give_back(a.result())
        await asyncio.sleep(0)
        assert b.done() and not newcomer.done()
        newcomer.cancel()

    run(scenario())


def test_orders_reach_the_server_in_the_order_they_were_due(monkeypatch):
    monkeypatch.setattr(load_http, "MAX_CUSTOMER_CONNECTIONS", 1)
    tiny = TinyServer(status=201, delay=0.02)
    placed: dict[str, tuple[float, str]] = {}
    place(tiny, 200.0, 0.1, placed, [])
    sent = [json.loads(r.split(b"\r\n\r\n", 1)[1])["note"] for r in tiny.requests]
    due = sorted(placed, key=lambda tag: placed[tag][0])
    assert len(sent) == 20 and sent == due


def test_open_loop_orders_reach_the_shop_and_refusals_are_counted_by_reason(market, customer):
    placed: dict[str, tuple[float, str]] = {}
    post_ms: list[float] = []
    refused: Counter[str] = Counter()
    place_orders(market.url, [customer.shop_id, "shp_unknown"], None, 40.0, 0.5, placed,
                 post_ms, refused)
    assert len(post_ms) == 20  # every order due in the window was sent
    assert len(placed) == 10 and refused == Counter({"404 unknown_shop": 10})
    assert {shop for _, shop in placed.values()} == {customer.shop_id}
    # what the benchmark counts as placed is what the server took
    response = httpx.post(f"{market.url}/v1/pair", timeout=10, json={
        "pairing_code": market.new_pairing_code(customer.shop_id), "device_name": "bench"})
    token = response.json()["device_token"]

    async def pull() -> dict:
        http = HttpConnection(market.url, {"Authorization": f"Bearer {token}"})
        try:
            return await http.get_json("/v1/pull?cursor=0")
        finally:
            http.close()

    notes = {order["note"] for order in run(pull())["orders"]}
    assert set(placed) <= notes
