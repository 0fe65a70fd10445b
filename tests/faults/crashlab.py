"""Crash-safety scenarios: kill the shop and the marketplace at random, cut the network, check.

One scenario (``run_scenario(seed)``):
1. a reference marketplace runs as a subprocess (SQLite file), a demo shop is paired;
2. a customer places orders straight to the marketplace, each with an idempotency
   key, retrying until it gets a definite answer (so the set of online sales is known);
3. a headless shop process (``shop_driver``) syncs through a ``FlakyProxy`` that tears
   connections, makes random counter sales, restocks and order decisions, journaling each
   in the transaction that queues it;
4. both processes are SIGKILLed at random moments and restarted;
5. then everything runs cleanly until the outbox is empty, and the invariants are checked:
   - every order exists exactly once in the shop's store, and the same set on the server;
   - server stock per sku = initial + counter deltas − online sales (no delta lost or doubled);
   - every status change the shop made is on the server;
   - the shop's stock ledger adds up to what it shows (``ledger.check``).
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.faults.proxy import FlakyProxy

__all__ = ["run_scenario", "ScenarioResult"]

ROOT = Path(__file__).resolve().parents[2]
TARGET_STATUS = {"accept": "accepted", "ready": "ready", "collected": "completed"}


@dataclass
class ScenarioResult:
    seed: int
    shop_kills: int = 0
    server_kills: int = 0
    cuts: int = 0
    online_orders: int = 0
    counter_changes: int = 0
    violations: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.violations


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Server:
    def __init__(self, db: Path, port: int):
        self.db, self.port, self.proc = db, port, None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "marketplace", "serve", "--db", str(self.db),
             "--host", "127.0.0.1", "--port", str(self.port), "--auto-reject-after", "36000",
             # The load comes from this machine: not customers to rate limit.
             "--rate-limit-exempt", "127.0.0.1"],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/v1/health", timeout=0.5).is_success:
                    return
            except httpx.HTTPError:
                time.sleep(0.05)
        raise RuntimeError("marketplace subprocess did not start")

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()


class _Shop:
    def __init__(self, data_dir: Path, url: str, token: str):
        self.data_dir, self.url, self.token, self.proc = data_dir, url, token, None
        self.output: list[str] = []

    def start(self, seconds: float, seed: int, *, production: bool = False) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.faults.shop_driver", str(self.data_dir), self.url,
             self.token, str(seconds), str(seed), *(["production"] if production else [])],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def finish(self, timeout: float) -> str:
        assert self.proc is not None
        out, _ = self.proc.communicate(timeout=timeout)
        self.output.append(out)
        return out


class _Customer(threading.Thread):
    """Places orders with idempotency keys until stopped; knows exactly which were taken."""

    def __init__(self, url: str, shop_id: str, skus: list[str], rng: random.Random):
        super().__init__(daemon=True)
        self.url, self.shop_id, self.skus, self.rng = url, shop_id, skus, rng
        self.taken: dict[str, dict] = {}  # idempotency key → order
        self.answers: Counter[str] = Counter()  # every answer: status code or exception name
        self.stop_event = threading.Event()

    def run(self) -> None:
        with httpx.Client(timeout=2.0) as http:
            while not self.stop_event.is_set():
                key = uuid.uuid4().hex
                lines = [{"sku": self.rng.choice(self.skus), "qty": self.rng.randint(1, 2)}]
                # A new phone each time: one customer may hold only a few open orders.
                phone = f"06{self.rng.randrange(10**8):08d}"
                body = {"customer": {"name": "Zoé Lefèvre", "phone": phone},
                        "channel": "collect", "lines": lines, "idempotency_key": key}
                # Retry the same key until a definite answer, even across server crashes.
                while True:
                    try:
                        r = http.post(f"{self.url}/v1/customer/shops/{self.shop_id}/orders",
                                      json=body)
                    except httpx.HTTPError as exc:
                        self.answers[type(exc).__name__] += 1
                        time.sleep(0.05)
                        continue
                    self.answers[_answer_key(r)] += 1
                    if r.status_code == 201:
                        self.taken[key] = r.json()
                        break
                    if r.status_code in (400, 404, 409, 422):
                        break
                    time.sleep(0.05)
                self.stop_event.wait(self.rng.uniform(0.05, 0.3))


def _answer_key(response: httpx.Response) -> str:
    """"201", or an error's status and code ("409 shop_unattended")."""
    if response.status_code < 400:
        return str(response.status_code)
    try:
        return f"{response.status_code} {response.json()['error']['code']}"
    except (ValueError, KeyError, TypeError):
        return str(response.status_code)


def _server_state(url: str, token: str) -> dict:
    """Everything the server holds for the shop: every page of a pull from cursor 0."""
    orders: dict[str, dict] = {}
    products: dict[str, dict] = {}
    cursor = 0
    with httpx.Client(headers={"Authorization": f"Bearer {token}"}, timeout=10) as http:
        for _ in range(100_000):  # bounded: a page holds at least one order
            r = http.get(f"{url}/v1/pull", params={"cursor": cursor})
            r.raise_for_status()
            page = r.json()
            orders.update((o["id"], o) for o in page["orders"])
            products.update((p["sku"], p) for p in page["products"])
            cursor = page["cursor"]
            if not page.get("more"):
                break
    return {**page, "orders": list(orders.values()), "products": list(products.values())}


def run_scenario(seed: int, *, duration: float = 6.0, workdir: Path | None = None,
                 cut_probability: float = 0.05) -> ScenarioResult:
    from marketplace.embedded import EmbeddedMarketplace
    from sync.client import pair_device

    rng = random.Random(seed)
    result = ScenarioResult(seed=seed)
    work = Path(workdir or tempfile.mkdtemp(prefix=f"crashlab-{seed}-"))
    db = work / "marketplace.db"
    seeder = EmbeddedMarketplace(db, port=0)
    seeder.start()
    shop_id, code = seeder.seed_demo_shop()
    token = pair_device(seeder.url, code, "crash-test counter")["device_token"]
    initial = {p["sku"]: p["stock"] for p in _server_state(seeder.url, token)["products"]}
    seeder.stop()

    port = _free_port()
    server = _Server(db, port)
    server.start()
    direct = f"http://127.0.0.1:{port}"
    proxy = FlakyProxy(port, cut_probability=cut_probability, seed=seed).start()
    shop = _Shop(work / "shop", proxy.url, token)
    customer = _Customer(direct, shop_id, sorted(initial), rng)
    customer.start()
    try:
        deadline = time.monotonic() + duration
        while time.monotonic() < deadline:
            shop.start(seconds=60, seed=rng.randrange(1 << 30))
            time.sleep(rng.uniform(0.2, 1.2))
            if rng.random() < 0.35:
                server.kill()
                result.server_kills += 1
                time.sleep(rng.uniform(0.0, 0.3))
                server.start()
            time.sleep(rng.uniform(0.0, 0.5))
            shop.kill()
            result.shop_kills += 1
        customer.stop_event.set()
        customer.join(30)
        # Clean run: no cuts, no kills, until the outbox is empty.
        proxy.cut_probability = 0.0
        shop.start(seconds=1.0, seed=seed)
        out = shop.finish(timeout=90)
        if "DONE pending=0" not in out:
            result.violations.append(f"shop did not converge: {out[-500:]}")
        _check(result, work / "shop" / "comptoir.db", _server_state(direct, token), initial,
               customer.taken)
    finally:
        customer.stop_event.set()
        shop.kill()
        server.kill()
        proxy.stop()
        result.cuts = proxy.cuts
    return result


def _check(result: ScenarioResult, shop_db: Path, server: dict, initial: dict[str, int],
           taken: dict[str, dict]) -> None:
    conn = sqlite3.connect(shop_db)
    try:
        shop_ids = [r[0] for r in conn.execute("SELECT id FROM orders")]
        journal = [(r[0], r[1], json.loads(r[2])) for r in
                   conn.execute("SELECT mutation_id, kind, detail FROM fault_journal ORDER BY 1")]
        shop_status = dict(conn.execute("SELECT id, status FROM orders").fetchall())
        refused = conn.execute("SELECT count(*) FROM refused_mutations").fetchone()[0]
        from posapp.domain import ledger

        ledger_problems = ledger.check(conn)
    finally:
        conn.close()
    result.online_orders = len(taken)
    result.counter_changes = len(journal)
    v = result.violations
    server_orders = {o["id"]: o for o in server["orders"]}
    if len(shop_ids) != len(set(shop_ids)):
        v.append("an order is duplicated in the shop's store")
    if set(shop_ids) != set(server_orders):
        v.append(f"orders differ: shop-only {set(shop_ids) - set(server_orders)},"
                 f" server-only {set(server_orders) - set(shop_ids)}")
    taken_ids = [o["id"] for o in taken.values()]
    if sorted(taken_ids) != sorted(server_orders):
        v.append("the server's orders are not exactly the orders the customer placed once each")
    if refused:
        v.append(f"{refused} counter changes were refused")
    if ledger_problems:
        v.append(f"the stock ledger does not add up: {ledger_problems[:3]}")
    expected = dict(initial)
    for _, kind, detail in journal:
        if kind == "stock":
            expected[detail["sku"]] += detail["delta"]
    for order in taken.values():
        for line in order["lines"]:
            expected[line["sku"]] -= line["qty"]
    actual = {p["sku"]: p["stock"] for p in server["products"]}
    for sku, qty in expected.items():
        if actual.get(sku) != qty:
            v.append(f"stock of {sku}: server {actual.get(sku)}, expected {qty}")
    last_action: dict[str, str] = {}
    for _, kind, detail in journal:
        if kind == "order":
            last_action[detail["order_id"]] = TARGET_STATUS[detail["action"]]
    for order_id, status in last_action.items():
        got = server_orders.get(order_id, {}).get("status")
        if got != status:
            v.append(f"order {order_id}: server says {got}, the counter made it {status}")
        if shop_status.get(order_id) != got:
            v.append(f"order {order_id}: shop confirmed {shop_status.get(order_id)}, server {got}")


if __name__ == "__main__":
    res = run_scenario(int(sys.argv[1]) if len(sys.argv) > 1 else 1)
    print(res)
