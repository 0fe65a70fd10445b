"""First sync of a shop with a long history: pages, time, the client's memory.

    .venv/bin/python bench/bench_first_pull.py [ORDERS]     (default 100,000)

A marketplace subprocess holds a shop with ORDERS orders (copies of one real order,
written straight into its database); this process pairs a fresh counter and runs the
sync engine until every order is in the shop's store. Prints the number of pages,
the largest page, the time taken and this process's peak RSS (the client's).
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from marketplace.embedded import EmbeddedMarketplace  # noqa: E402
from posapp.store.db import Store, open_store  # noqa: E402
from posapp.store.replica import ShopReplica  # noqa: E402
from sync.client import pair_device  # noqa: E402
from sync.engine import SyncEngine  # noqa: E402
from tests.conftest import free_port  # noqa: E402
from tests.sync.history import clone_orders  # noqa: E402


class _Pages:
    def __init__(self) -> None:
        self.sizes: list[int] = []

    def sync_status_changed(self, status) -> None: ...
    def mutations_refused(self, refused) -> None: ...

    def pulled(self, summary) -> None:
        self.sizes.append(len(summary.new_orders) + len(summary.changed_order_ids))


def _peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> int:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    work = Path(tempfile.mkdtemp(prefix="first-pull-"))
    db = work / "marketplace.db"
    try:
        with EmbeddedMarketplace(db, port=0) as seeder:
            shop_id, code = seeder.seed_demo_shop()
            shop = httpx.get(f"{seeder.url}/v1/customer/shops/{shop_id}").json()
            model = httpx.post(
                f"{seeder.url}/v1/customer/shops/{shop_id}/orders",
                json={"customer": {"name": "Zoé Lefèvre", "phone": "0601020304"},
                      "channel": "collect", "note": "Sans sésame, merci !",
                      "lines": [{"sku": p["sku"], "qty": 1} for p in shop["products"][:3]]},
            ).json()
        started = time.monotonic()
        clone_orders(db, model["id"], count - 1, per_version=1)
        print(f"{count} orders written in {time.monotonic() - started:.1f} s", flush=True)
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "marketplace", "serve", "--db", str(db),
             "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            url = f"http://127.0.0.1:{port}"
            for _ in range(200):
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(f"{url}/v1/health", timeout=0.5).is_success:
                        break
                time.sleep(0.05)
            token = pair_device(url, code, "bench counter")["device_token"]
            store = open_store(work / "shop")
            pages = _Pages()
            engine = SyncEngine(url, token, lambda: ShopReplica(Store(store.path)), pages)
            started = time.monotonic()
            engine.start()
            while store.query_one("SELECT count(*) AS n FROM orders")["n"] < count:
                if time.monotonic() - started > 1800:
                    print("did not finish in 30 min")
                    return 1
                time.sleep(0.2)
            took = time.monotonic() - started
            engine.stop()
            store.close()
        finally:
            server.terminate()
            server.wait(10)
        print(f"first sync of {count} orders: {took:.1f} s in {len(pages.sizes)} pages"
              f" (largest {max(pages.sizes)} orders); client peak RSS {_peak_rss_mb():.0f} MB")
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
