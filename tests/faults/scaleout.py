"""Faults of the marketplace past one machine (issue 13 point 6), over PostgreSQL.

Both scenarios run the crash lab's load (crashlab.py): headless shop processes
(``shop_driver``: a real sync engine and store, random counter changes journaled
with their outbox entries) and customers placing orders with idempotency keys,
against ``serve --workers 2`` on one port. Then each shop runs cleanly until its
outbox is empty and the crash lab's invariants are checked shop by shop: every
order once in the shop and on the server, server stock = initial + counter deltas
− online sales, every status change the counter made is on the server.

- ``run_worker_kills``: the worker process that answers ``/v1/health`` is
  SIGKILLed about every second (the supervisor starts it again); the shops'
  connections to it are cut and they reconnect, to the other worker or the new one.
- ``run_database_restarts``: PostgreSQL itself (a private throwaway cluster, never
  the machine's shared server) is restarted under load, cleanly and by a crash
  (``immediate``: recovery at start). The server must reconnect by itself, answer
  only retryable errors meanwhile (never a 500, never a traceback in its log), and
  its long-poll wake-ups must work again afterwards.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from marketplace.workers import MAX_RESTARTS
from tests.faults.crashlab import ROOT, _check, _Customer, _free_port, _server_state, _Shop
from tests.pgcluster import PgCluster

__all__ = ["ScaleoutResult", "run_worker_kills", "run_database_restarts", "MarketProcess",
           "check_wake_up"]

SHOPS = 2
# More kills than the supervisor tolerates exits of a worker's own: a worker killed from
# outside is always started again (workers.py).
MIN_KILLS = MAX_RESTARTS + 1
# A held long-poll gets an order placed through another worker within this: well under a
# second on a quiet machine (20-40 ms measured), but the suite shares two cores; the poll
# itself would only end after 20 s, so 2 s still tells a NOTIFY from a timeout.
WAKE_UP_LIMIT_S = 2.0


@dataclass
class ScaleoutResult:
    worker_kills: int = 0
    database_restarts: int = 0
    online_orders: int = 0
    counter_changes: int = 0
    customer_answers: dict[str, int] = field(default_factory=dict)
    wake_up_s: float | None = None
    violations: list[str] = field(default_factory=list)


class MarketProcess:
    """``comptoir-marketplace serve --database-url … --workers N`` as a subprocess."""

    def __init__(self, database_url: str, workers: int, log: Path):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        with log.open("ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "marketplace", "serve", "--database-url", database_url,
                 "--workers", str(workers), "--port", str(self.port),
                 "--auto-reject-after", "36000", "--rate-limit-exempt", "127.0.0.1",
                 "--log-level", "warning"],
                cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while self.health_pid() is None:
            if time.monotonic() > deadline or self.proc.poll() is not None:
                self.stop()
                raise RuntimeError(f"the marketplace did not start: {self.log_text()[-2000:]}")
            time.sleep(0.05)

    def health_pid(self) -> int | None:
        """The pid of the worker that answers a new connection (None: no answer)."""
        with contextlib.suppress(httpx.HTTPError, ValueError, KeyError):
            r = httpx.get(f"{self.url}/v1/health", timeout=2)
            if r.status_code == 200:
                return int(r.json()["worker"])
        return None

    def kill_a_worker(self) -> int | None:
        pid = self.health_pid()
        if pid is not None and pid != self.proc.pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            return pid
        return None

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def _shops(database_url: str, market_url: str, count: int = SHOPS) -> list[tuple[str, str]]:
    """``count`` new shops with the demo catalogue, each paired: (shop id, device token)."""
    from marketplace import admin
    from marketplace.catalogue import DEMO_PRODUCTS
    from marketplace.storage import open_database
    from sync.client import pair_device

    with contextlib.closing(open_database(database_url)) as db:
        created = [admin.create_shop(db, f"Épicerie n° {i}", products=DEMO_PRODUCTS)
                   for i in range(count)]
    return [(shop_id, pair_device(market_url, code, "counter")["device_token"])
            for shop_id, code in created]


class _Load:
    """The crash lab's load on every shop: a shop process and a customer each."""

    def __init__(self, market: MarketProcess, database_url: str, work: Path, seed: int,
                 seconds: float):
        self.market = market
        self.rng = random.Random(seed)
        self.paired = _shops(database_url, market.url)
        self.initial = [{p["sku"]: p["stock"] for p in _server_state(market.url, tok)["products"]}
                        for _, tok in self.paired]
        self.shops = [_Shop(work / f"shop{i}", market.url, tok)
                      for i, (_, tok) in enumerate(self.paired)]
        self.customers = [_Customer(market.url, shop_id, sorted(initial), self.rng)
                          for (shop_id, _), initial in zip(self.paired, self.initial, strict=True)]
        for shop in self.shops:  # runs through the faults; ended by finish()
            shop.start(seconds=seconds + 120, seed=self.rng.randrange(1 << 30))
        for customer in self.customers:
            customer.start()

    def finish(self, result: ScaleoutResult) -> None:
        """Stop the customers, then, as the crash lab does, give each shop a clean run
        until its outbox is empty, and check."""
        for customer in self.customers:
            customer.stop_event.set()
        for customer in self.customers:
            customer.join(60)
            if customer.is_alive():
                result.violations.append("a customer never got a definite answer")
        answers: dict[str, int] = {}
        for customer in self.customers:
            for key, count in customer.answers.items():
                answers[key] = answers.get(key, 0) + count
        result.customer_answers = answers
        for index, shop in enumerate(self.shops):
            shop.kill()  # the crash lab's shop is killed at random anyway: safe by design
            shop.start(seconds=1.0, seed=index)
            out = shop.finish(timeout=120)
            if "DONE pending=0" not in out:
                result.violations.append(f"shop {index} did not converge: {out[-500:]}")
        for index, (shop, (_, token)) in enumerate(zip(self.shops, self.paired, strict=True)):
            one = _ShopCheck()
            _check(one, shop.data_dir / "comptoir.db", _server_state(self.market.url, token),
                   self.initial[index], self.customers[index].taken)
            result.online_orders += one.online_orders
            result.counter_changes += one.counter_changes
            result.violations += [f"shop {index}: {v}" for v in one.violations]

    def kill(self) -> None:
        for customer in self.customers:
            customer.stop_event.set()
        for shop in self.shops:
            shop.kill()


@dataclass
class _ShopCheck:
    """What crashlab._check fills in, for one shop."""

    online_orders: int = 0
    counter_changes: int = 0
    violations: list[str] = field(default_factory=list)


def check_wake_up(market: MarketProcess, database_url: str, result: ScaleoutResult) -> None:
    """A long-poll held by one worker is answered with an order placed through another
    worker within WAKE_UP_LIMIT_S (PostgreSQL's NOTIFY, through each worker's listener)."""
    (shop_id, token), = _shops(database_url, market.url, 1)
    head = _server_state(market.url, token)["cursor"]
    answer: dict[str, object] = {}
    with httpx.Client(timeout=30, headers={"Authorization": f"Bearer {token}"}) as held:
        holder = held.get(f"{market.url}/v1/health").json()["worker"]  # this connection's

        def long_poll() -> None:
            try:
                r = held.get(f"{market.url}/v1/pull", params={"cursor": head, "wait": 20})
                answer["at"], answer["body"] = time.monotonic(), r.json()
            except (httpx.HTTPError, RuntimeError, ValueError) as exc:  # client closed early
                answer["error"] = repr(exc)

        thread = threading.Thread(target=long_poll, daemon=True)
        thread.start()
        thread.join(0.5)
        if not thread.is_alive():
            result.violations.append(f"the long-poll was answered at once: {answer}")
            return
        other = None
        for _ in range(200):  # bounded: a new connection lands on some worker
            other = httpx.Client(timeout=10)
            if other.get(f"{market.url}/v1/health").json()["worker"] != holder:
                break
            other.close()
            other = None
        if other is None:
            result.violations.append("no second worker answered")
            return
        try:
            placed_at = time.monotonic()
            r = other.post(f"{market.url}/v1/customer/shops/{shop_id}/orders", json={
                "customer": {"name": "Zoé", "phone": "0601020304"}, "channel": "collect",
                "lines": [{"sku": "CROIS", "qty": 1}], "idempotency_key": uuid.uuid4().hex})
        finally:
            other.close()
        if r.status_code != 201:
            result.violations.append(f"order refused: {r.status_code} {r.text[:200]}")
            return
        thread.join(25)
    body = answer.get("body")
    if not isinstance(body, dict) or r.json()["id"] not in [o["id"] for o in body["orders"]]:
        result.violations.append(f"the held long-poll did not get the order: {body}")
        return
    result.wake_up_s = float(answer["at"]) - placed_at  # type: ignore[arg-type]
    if result.wake_up_s > WAKE_UP_LIMIT_S:
        result.violations.append(f"woken after {result.wake_up_s:.2f} s, not by NOTIFY")


def _no_server_errors(market: MarketProcess, result: ScaleoutResult) -> None:
    log = market.log_text()
    if "Traceback" in log or "unhandled error" in log:
        result.violations.append(f"the server logged an error: {log[-3000:]}")
    if any(key.startswith("500") for key in result.customer_answers):
        result.violations.append(f"customers got 500s: {result.customer_answers}")


def run_worker_kills(database_url: str, work: Path, *, seconds: float = 6.0, seed: int = 1
                     ) -> ScaleoutResult:
    result = ScaleoutResult()
    market = MarketProcess(database_url, 2, work / "server.log")
    load = None
    try:
        load = _Load(market, database_url, work, seed, seconds)
        started = time.monotonic()
        # At least MIN_KILLS (a loaded machine may answer the health check late), bounded.
        while (time.monotonic() - started < seconds or result.worker_kills < MIN_KILLS) \
                and time.monotonic() - started < seconds + 60:
            time.sleep(load.rng.uniform(0.6, 1.2))
            if market.kill_a_worker() is not None:
                result.worker_kills += 1
        load.finish(result)
        check_wake_up(market, database_url, result)
        if market.proc.poll() is not None:
            result.violations.append("the supervisor itself stopped")
    finally:
        if load is not None:
            load.kill()
        market.stop()
    return result


def _failed_answers(load: _Load) -> int:
    return sum(count for customer in load.customers
               for key, count in list(customer.answers.items()) if not key.startswith("2"))


def run_database_restarts(work: Path, *, seconds: float = 8.0, seed: int = 2
                          ) -> ScaleoutResult:
    import psycopg

    result = ScaleoutResult()
    with PgCluster() as cluster:
        with psycopg.connect(cluster.url, autocommit=True) as conn:
            conn.execute("CREATE DATABASE market")
        database_url = cluster.url.rsplit("/", 1)[0] + "/market"
        market = MarketProcess(database_url, 2, work / "server.log")
        load = None
        try:
            load = _Load(market, database_url, work, seed, seconds)
            for mode in ("fast", "immediate", "fast"):
                time.sleep(load.rng.uniform(1.0, 2.0))
                before = _failed_answers(load)
                cluster.stop(mode)
                # Down until a customer has met the outage (bounded), then back.
                deadline = time.monotonic() + 5
                while _failed_answers(load) == before and time.monotonic() < deadline:
                    time.sleep(0.05)
                cluster.start()
                result.database_restarts += 1
            load.finish(result)
            _no_server_errors(market, result)
            check_wake_up(market, database_url, result)
        finally:
            if load is not None:
                load.kill()
            market.stop()
    return result
