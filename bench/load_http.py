"""The benchmarks' load generator: HTTP/1.1 clients lean enough to leave the CPU to the server.

On two cores the simulated shops and customers share the machine with the marketplace they
measure: every millisecond of CPU they spend is one the server cannot have. Measured with
bench_scale.py (PostgreSQL / 2, 10,000 shops, 300 orders/s), the earlier clients (h11 on
asyncio streams for the shops, httpx in 30 paced threads for the customers) took 0.46 of
the two cores; these take 0.15-0.17. They use what the server itself uses: uvloop's event
loop and httptools' C parser (llhttp), through a plain ``asyncio.Protocol``, one request at
a time per keep-alive connection (httpx's whole stack, before h11, was slower still: a
shop could take over 10 s to send its request once connected).

The customers are an **open loop**: each order is sent when it is due, whatever the
previous ones are doing (a new connection when all are busy, up to ``MAX_CUSTOMER_CONNECTIONS``).
A thread that waits for its answer before sending the next order offers less than the rate
asked as soon as the server slows down, which hides the server's queue.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import ssl
import time
import uuid
from collections import Counter, deque
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httptools

try:
    import uvloop
except ImportError:  # Windows: the stock loop
    uvloop = None

from marketplace.catalogue import DEMO_PRODUCTS

__all__ = ["HttpConnection", "run", "place_orders", "Placing", "MAX_CUSTOMER_CONNECTIONS"]

T = TypeVar("T")
SHARED_TLS = ssl.create_default_context()  # one CA load, not one per connection
MAX_CUSTOMER_CONNECTIONS = 500  # beyond, due orders wait for a free one (counted in POST time)


def run(main: Coroutine[Any, Any, T]) -> T:
    """Runs ``main`` on uvloop where there is one."""
    factory = uvloop.new_event_loop if uvloop is not None else None
    with asyncio.Runner(loop_factory=factory) as runner:
        return runner.run(main)


class _Answers(asyncio.Protocol):
    """A connection's bytes in, httptools' callbacks out: one answer at a time."""

    def __init__(self) -> None:
        self.parser = httptools.HttpResponseParser(self)
        self.transport: asyncio.Transport | None = None
        self.waiter: asyncio.Future[tuple[int, bytes, bool]] | None = None
        self.body = bytearray()
        self.lost = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except (httptools.HttpParserError, httptools.HttpParserUpgrade) as exc:
            self._fail(ConnectionError(f"unreadable answer: {exc}"))
            if self.transport is not None:
                self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = True
        self._fail(ConnectionError("server closed the connection"))

    # httptools' callbacks
    def on_body(self, body: bytes) -> None:
        self.body += body

    def on_message_complete(self) -> None:
        if self.parser.get_status_code() < 200:  # an interim answer (100 Continue): not it
            self.body.clear()
            return
        answer = (self.parser.get_status_code(), bytes(self.body),
                  self.parser.should_keep_alive())
        self.body.clear()
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(answer)

    def _fail(self, exc: Exception) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(exc)


class HttpConnection:
    """One keep-alive connection to ``url``'s server, opened on first use and again after
    the server closes it. Any failure, a timeout included, closes it: a half-read answer
    leaves the connection unusable. For GET and POST (the answer to a HEAD would be waited
    for its body)."""

    def __init__(self, url: str, headers: dict[str, str] | None = None):
        parts = urlsplit(url)
        self.host, self.tls = parts.hostname or "127.0.0.1", parts.scheme == "https"
        self.port = parts.port or (443 if self.tls else 80)
        lines = [f"Host: {parts.netloc}"] + [f"{k}: {v}" for k, v in (headers or {}).items()]
        self.head_lines = "".join(line + "\r\n" for line in lines)
        self.proto: _Answers | None = None

    async def request(self, method: str, target: str, body: bytes = b"",
                      timeout: float = 60.0) -> tuple[int, bytes]:
        """(status, body) of one exchange."""
        try:
            async with asyncio.timeout(timeout):
                return await self._exchange(method, target, body)
        except BaseException:
            self.close()
            raise

    async def get_json(self, target: str, timeout: float = 60.0) -> dict:
        """A GET whose answer must be 200 with a JSON body."""
        status, body = await self.request("GET", target, timeout=timeout)
        if status != 200:
            raise ConnectionError(f"HTTP {status}")
        return json.loads(body)

    async def _exchange(self, method: str, target: str, body: bytes) -> tuple[int, bytes]:
        if self.proto is None or self.proto.lost:
            loop = asyncio.get_running_loop()
            _, self.proto = await loop.create_connection(
                _Answers, self.host, self.port, ssl=SHARED_TLS if self.tls else None)
        proto = self.proto
        assert proto.transport is not None
        head = f"{method} {target} HTTP/1.1\r\n{self.head_lines}"
        if body or method == "POST":
            head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        proto.waiter = asyncio.get_running_loop().create_future()
        proto.transport.write(head.encode("latin-1") + b"\r\n" + body)
        status, answer, keep_alive = await proto.waiter
        if not keep_alive:
            self.close()
        return status, answer

    def close(self) -> None:
        if self.proto is not None:
            if self.proto.transport is not None:
                self.proto.transport.close()
            self.proto = None


@dataclass
class Placing:
    """How an open loop of orders went, beyond each order's own figures."""

    taken_s: float = 0.0  # from the first order due to the last one taken (201)
    last_answer_s: float = 0.0  # from the first order due to the last answer of any kind
    max_lag_ms: float = 0.0  # the latest this process started an order after it was due


def place_orders(url: str, shops: list[str], hot_shop: str | None, rate: float,
                 seconds: float, placed: dict[str, tuple[float, str]], post_ms: list[float],
                 refused: Counter[str] | None = None) -> Placing:
    """Customers' orders at ``rate`` per second for ``seconds``, in an open loop; waits for
    every answer.

    ``hot_shop`` (bench_sync's real shop) gets a tenth of them, the other shops the rest in
    turn. Only orders the server took (201) count as placed, keyed by their note, with the
    time they were due (a customer's tap: what this process or a busy pool of connections
    adds to it counts as latency, never hidden); the others are counted in ``refused`` by
    reason, never as orders that did not arrive. Every order has a customer of its own: a
    phone reused across windows and runs met the cap on open orders per customer and shop
    (409 customer_limit).
    """
    others = [s for s in shops if s != hot_shop] or shops
    return run(_Customers(url).place(others, hot_shop, rate, seconds, placed, post_ms,
                                     refused if refused is not None else Counter()))


class _Customers:
    """Keep-alive connections to the server, handed out first come, first served."""

    def __init__(self, url: str):
        self.url = url
        self.idle: list[HttpConnection] = []
        self.waiting: deque[asyncio.Future[HttpConnection]] = deque()
        self.opened = 0

    async def take(self) -> HttpConnection:
        if self.idle:
            return self.idle.pop()  # the most recent: the least likely closed as idle
        if self.opened < MAX_CUSTOMER_CONNECTIONS:
            self.opened += 1
            return HttpConnection(self.url)
        waiter = asyncio.get_running_loop().create_future()
        self.waiting.append(waiter)
        return await waiter

    def give_back(self, http: HttpConnection) -> None:
        while self.waiting:
            waiter = self.waiting.popleft()
            if not waiter.done():
                waiter.set_result(http)
                return
        self.idle.append(http)

    async def place(self, others: list[str], hot_shop: str | None, rate: float,
                    seconds: float, placed: dict[str, tuple[float, str]], post_ms: list[float],
                    refused: Counter[str]) -> Placing:
        stats = Placing()
        loop = asyncio.get_running_loop()
        start, tasks = time.perf_counter(), set()  # the first order is due now

        async def one(due: float, shop_id: str, tag: str, body: bytes) -> None:
            stats.max_lag_ms = max(stats.max_lag_ms, (time.perf_counter() - due) * 1000)
            http = await self.take()
            try:
                status, answer = await http.request(
                    "POST", f"/v1/customer/shops/{shop_id}/orders", body, timeout=30)
                outcome = "" if status == 201 else _refusal(status, answer)
            except (OSError, TimeoutError) as exc:
                outcome = type(exc).__name__
            finally:
                self.give_back(http)
            answered = time.perf_counter()
            post_ms.append((answered - due) * 1000)
            stats.last_answer_s = max(stats.last_answer_s, answered - start)
            if not outcome:
                placed[tag] = (due, shop_id)
                stats.taken_s = max(stats.taken_s, answered - start)
            else:
                refused[outcome] += 1

        # ceil: at least one; the 1e-9 keeps 200/s x 0.1 s (20.000000000000004) at 20
        for n in range(math.ceil(rate * seconds - 1e-9)):
            due = start + n / rate
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            shop_id = (hot_shop if hot_shop is not None and n % 10 == 0
                       else others[n % len(others)])
            tag = "bench:" + uuid.uuid4().hex
            phone = f"06{uuid.uuid4().int % 10**8:08d}"
            body = json.dumps({"customer": {"name": "Zoé", "phone": phone},
                               "channel": "collect",
                               "lines": [{"sku": DEMO_PRODUCTS[0]["sku"], "qty": 1}],
                               "note": tag}).encode()
            task = loop.create_task(one(due, shop_id, tag, body))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        if tasks:
            await asyncio.wait(tasks)
        for http in self.idle:
            http.close()
        return stats


def _refusal(status: int, body: bytes) -> str:
    """"409 customer_limit": the status and the error code of an order not taken."""
    with contextlib.suppress(ValueError, KeyError, TypeError):
        return f"{status} {json.loads(body)['error']['code']}"
    return str(status)
