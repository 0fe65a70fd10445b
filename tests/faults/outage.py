"""A long marketplace outage at production timings: how fast is the shop whole again?

One scenario (``run_outage(seed, outage_s)``):
1. a reference marketplace runs as a subprocess, a demo shop is paired, and a headless
   shop (``shop_driver ... production``: the engine's own timings, a counter's pace)
   syncs with it while a customer places a few orders;
2. the marketplace is SIGKILLed; for ``outage_s`` its port is held by a listener that
   accepts and drops every connection (a dead upstream behind a proxy) and counts them;
   the counter keeps selling for the first half, then is idle until after the return,
   so only the engine's own retries can bring it back (no counter action wakes it);
3. the marketplace comes back; a customer order is placed at once. Measured from the
   moment the server answers again: when that order is in the shop's store, and when
   every counter change made before the return is confirmed (out of the outbox);
4. the shop converges and the crash lab's invariants are checked (nothing lost or doubled).

Targets (issue 10): both within ``RETURN_TARGET_S``, and at most ``MAX_ATTEMPTS_PER_S``
connections per second from the shop while the server is down.
"""

from __future__ import annotations

import contextlib
import random
import socket
import sqlite3
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.faults.crashlab import _check, _free_port, _Server, _server_state, _Shop

__all__ = ["run_outage", "OutageResult", "RETURN_TARGET_S", "MAX_ATTEMPTS_PER_S"]

RETURN_TARGET_S = 5.0
MAX_ATTEMPTS_PER_S = 3.0  # two loops, backoff capped at 3 s with full jitter: ~1.3/s


@dataclass
class OutageResult:
    seed: int
    outage_s: float
    attempts_while_down: int = 0
    order_after_s: float | None = None  # new order in the shop's store, after the return
    synced_after_s: float | None = None  # every earlier counter change confirmed
    counter_changes: int = 0
    online_orders: int = 0
    violations: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.violations


class _DeadPort:
    """Holds the marketplace's port while it is down: accepts, counts, drops."""

    def __init__(self, port: int):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.sock.listen(64)
        self.sock.settimeout(0.1)
        self.accepted = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.accepted += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.sock.close()


def _place(url: str, shop_id: str, sku: str, taken: dict[str, dict]) -> dict:
    key = uuid.uuid4().hex
    body = {"customer": {"name": "Zoé Lefèvre", "phone": "0601020304"}, "channel": "collect",
            "lines": [{"sku": sku, "qty": 1}], "idempotency_key": key}
    with httpx.Client(timeout=5.0) as http:
        for _ in range(50):  # bounded: the same key until a definite answer
            with contextlib.suppress(httpx.HTTPError):
                r = http.post(f"{url}/v1/customer/shops/{shop_id}/orders", json=body)
                if r.status_code == 201:
                    taken[key] = r.json()
                    return taken[key]
            time.sleep(0.05)
    raise RuntimeError("the marketplace did not take the order")


def _shop_has(db: Path, sql: str, params: tuple = ()) -> bool:
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)) as c:
        return bool(c.execute(sql, params).fetchone()[0])


def _catalogue_synced(db: Path) -> bool:
    try:
        return db.exists() and _shop_has(db, "SELECT count(*) FROM products")
    except sqlite3.OperationalError:  # created, not yet migrated
        return False


def run_outage(seed: int, outage_s: float, *, workdir: Path | None = None,
               warmup_s: float = 3.0, after_s: float = 15.0) -> OutageResult:
    from marketplace.embedded import EmbeddedMarketplace
    from sync.client import pair_device

    rng = random.Random(seed)
    result = OutageResult(seed=seed, outage_s=outage_s)
    work = Path(workdir or tempfile.mkdtemp(prefix=f"outage-{seed}-"))
    db = work / "marketplace.db"
    with EmbeddedMarketplace(db, port=0) as seeder:
        shop_id, code = seeder.seed_demo_shop()
        token = pair_device(seeder.url, code, "outage counter")["device_token"]
        initial = {p["sku"]: p["stock"] for p in _server_state(seeder.url, token)["products"]}
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    server = _Server(db, port)
    server.start()
    shop = _Shop(work / "shop", url, token)
    shop_db = work / "shop" / "comptoir.db"
    taken: dict[str, dict] = {}
    skus = sorted(initial)
    try:
        shop.start(seconds=warmup_s + outage_s + after_s, seed=rng.randrange(1 << 30),
                   production=True)
        deadline = time.monotonic() + 20
        while not _catalogue_synced(shop_db):
            if time.monotonic() > deadline:
                raise RuntimeError("the shop did not sync its catalogue")
            time.sleep(0.05)
        for _ in range(3):
            _place(url, shop_id, rng.choice(skus), taken)
        time.sleep(warmup_s)

        server.kill()
        dead = _DeadPort(port)
        time.sleep(outage_s / 2)  # the counter keeps selling meanwhile ...
        idle = work / "shop" / "counter_idle"
        idle.touch()  # ... then goes quiet: nothing but the engine's own retries brings it back
        time.sleep(outage_s / 2)
        dead.close()
        result.attempts_while_down = dead.accepted

        server.start()  # returns as soon as the server answers: the moment of return
        back = time.monotonic()
        with contextlib.closing(sqlite3.connect(f"file:{shop_db}?mode=ro", uri=True)) as c:
            (made_before,) = c.execute("SELECT coalesce(max(id), 0) FROM outbox").fetchone()
        order = _place(url, shop_id, rng.choice(skus), taken)
        while time.monotonic() - back < 30 and None in (result.order_after_s,
                                                         result.synced_after_s):
            now = time.monotonic() - back
            if result.order_after_s is None and _shop_has(
                    shop_db, "SELECT count(*) FROM orders WHERE id = ?", (order["id"],)):
                result.order_after_s = now
            if result.synced_after_s is None and not _shop_has(
                    shop_db, "SELECT count(*) FROM outbox WHERE id <= ?", (made_before,)):
                result.synced_after_s = now
            time.sleep(0.02)

        idle.unlink()
        out = shop.finish(timeout=after_s + 60)
        if "DONE pending=0" not in out:
            result.violations.append(f"shop did not converge: {out[-500:]}")
        from tests.faults.crashlab import ScenarioResult

        checked = ScenarioResult(seed=seed)
        _check(checked, shop_db, _server_state(url, token), initial, taken)
        result.violations.extend(checked.violations)
        result.counter_changes, result.online_orders = checked.counter_changes, len(taken)
    finally:
        shop.kill()
        server.kill()
    for name in ("order_after_s", "synced_after_s"):
        took = getattr(result, name)
        if took is None or took > RETURN_TARGET_S:
            result.violations.append(f"{name} = {took} (target {RETURN_TARGET_S} s)")
    if result.attempts_while_down > MAX_ATTEMPTS_PER_S * outage_s + 2:
        result.violations.append(f"{result.attempts_while_down} connections in {outage_s} s"
                                 " of outage: hammering")
    return result


if __name__ == "__main__":
    print(run_outage(int(sys.argv[1]) if len(sys.argv) > 1 else 1,
                     float(sys.argv[2]) if len(sys.argv) > 2 else 60.0))
