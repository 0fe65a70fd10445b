"""bench/load_http.py, the benchmarks' load generator: its answers must be read right, or the
benchmarks measure their own mistakes (an order counted as not pulled, a connection
reused after the server closed it)."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from typing import Any

import httpx
import pytest

from bench.load_http import HttpConnection, place_orders, run


class TinyServer:
    """A raw HTTP/1.1 server on loopback that answers every request with ``body``, counting
    connections; ``close_after_each``: it says ``Connection: close`` and closes;
    ``silent``: it never answers."""

    def __init__(self, close_after_each: bool = False, silent: bool = False):
        self.close_after_each, self.silent = close_after_each, silent
        self.connections = 0
        self.requests: list[bytes] = []

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while head := await reader.readuntil(b"\r\n\r\n"):
                length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                               if line.lower().startswith(b"content-length:")), 0)
                self.requests.append(head + await reader.readexactly(length))
                if self.silent:
                    await asyncio.sleep(3600)
                body = json.dumps({"n": len(self.requests)}).encode()
                # the answer in two writes: the parser must join them
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                             + (b"Connection: close\r\n" if self.close_after_each else b""))
                await writer.drain()
                writer.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
                await writer.drain()
                if self.close_after_each:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def exchange(self, *requests: Any) -> list[Any]:
        server = await asyncio.start_server(self.handle, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        http = HttpConnection(f"http://127.0.0.1:{port}", {"Authorization": "Bearer t0k"})
        try:
            return [await request(http) for request in requests]
        finally:
            http.close()
            server.close()


def test_a_keep_alive_connection_carries_every_request():
    tiny = TinyServer()
    answers = run(tiny.exchange(*[lambda http: http.get_json("/v1/pull?cursor=0")] * 3))
    assert answers == [{"n": 1}, {"n": 2}, {"n": 3}]
    assert tiny.connections == 1
    assert tiny.requests[0].startswith(b"GET /v1/pull?cursor=0 HTTP/1.1\r\n")
    assert b"\r\nAuthorization: Bearer t0k\r\n" in tiny.requests[0]


def test_a_connection_the_server_closes_is_opened_again():
    tiny = TinyServer(close_after_each=True)
    answers = run(tiny.exchange(*[lambda http: http.get_json("/")] * 3))
    assert answers == [{"n": 1}, {"n": 2}, {"n": 3}]
    assert tiny.connections == 3


def test_a_post_sends_its_body_with_its_length():
    tiny = TinyServer()
    body = json.dumps({"note": "Zoé"}).encode()
    (status, answer), = run(tiny.exchange(lambda http: http.request("POST", "/o", body)))
    assert (status, json.loads(answer)) == (200, {"n": 1})
    assert tiny.requests[0].endswith(b"\r\nContent-Length: %d\r\n\r\n" % len(body) + body)


def test_an_answer_that_never_comes_times_out_and_drops_the_connection():
    tiny = TinyServer(silent=True)

    async def timed_out(http: HttpConnection) -> bool:
        with pytest.raises(TimeoutError):
            await http.get_json("/", timeout=0.2)
        return http.proto is None

    assert run(tiny.exchange(timed_out)) == [True]


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
