"""Printing benchmark: ticket document → ESC/POS bytes, and jobs/s through the queue.

Run: .venv/bin/python bench/bench_printing.py [--renders N] [--jobs N]
Target: median document → bytes under 5 ms.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from printing import journal  # noqa: E402
from printing.backends import make_backend  # noqa: E402
from printing.config import PrinterConfig  # noqa: E402
from printing.enqueue import enqueue_order  # noqa: E402
from printing.escpos_render import render_escpos  # noqa: E402
from printing.order_ticket import build_ticket  # noqa: E402
from printing.preview import render_preview  # noqa: E402
from printing.queue import PrintQueue  # noqa: E402
from printing.virtual_printer import VirtualPrinter  # noqa: E402

__all__ = ["main", "sample_order"]

SHOP = {"name": "Boulangerie Chez Léonie", "address": "12 rue de la Croix-Rousse, Lyon"}


def sample_order(n: int) -> dict[str, Any]:
    return {
        "id": f"ord_{n:06d}",
        "number": n,
        "channel": "delivery" if n % 3 == 0 else "collect",
        "customer": {
            "name": "Zoé Lefèvre",
            "phone": "+33 6 12 34 56 78",
            "address": "5 place des Terreaux, 69001 Lyon",
        },
        "lines": [
            {"name": "Croissant", "qty": 2, "unit_price_cents": 120, "options": ["bien cuit"]},
            {"name": "Pain au chocolat", "qty": 3, "unit_price_cents": 130, "options": []},
            {
                "name": "Tarte aux pêches et à la crème brûlée",
                "qty": 1,
                "unit_price_cents": 850,
                "options": ["sans gluten", "bougie « 40 ans »"],
            },
            {"name": "Baguette tradition", "qty": 2, "unit_price_cents": 130, "options": []},
        ],
        "total_cents": 1760,
        "note": "Sonnez deux fois – c’est au 3e",
        "allergens": "noix, œufs",
        "paid": n % 2 == 0,
        "pickup_slot": "2026-11-23T16:00:00.000Z",
        "ready_by": "2026-11-23T15:45:00.000Z",
        "created_at": "2026-11-23T14:02:00.000Z",
    }


def timings_ms(func: Callable[[], object], runs: int) -> list[float]:
    for _ in range(min(50, runs)):  # warm caches (code page, profile)
        func()
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        out.append((time.perf_counter() - start) * 1000)
    return out


def report(label: str, samples: list[float]) -> None:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    print(
        f"{label:<40} median {statistics.median(ordered):7.3f} ms   p99 {p99:7.3f} ms"
        f"   (n={len(ordered)})"
    )


def bench_queue(jobs: int) -> float:
    """Jobs/s from enqueue to 'printed' through real sockets, status checks included."""
    with tempfile.TemporaryDirectory() as tmp, VirtualPrinter() as printer:
        db_path = Path(tmp) / "shop.db"
        config = PrinterConfig(
            kind="network", address=printer.host, port=printer.port, paper_width_mm=80
        )
        conn = journal.connect(db_path)
        journal.ensure_schema(conn)
        with journal.transaction(conn):
            for n in range(jobs):
                enqueue_order(conn, sample_order(n), SHOP, config)
        done = threading.Event()
        printed = 0

        def on_job(event: Any) -> None:
            nonlocal printed
            if event.state == "printed":
                printed += 1
                if printed == jobs:
                    done.set()

        queue = PrintQueue(db_path, lambda: make_backend(config), on_job=on_job)
        start = time.perf_counter()
        queue.start()
        if not done.wait(120):
            raise SystemExit(f"only {printed}/{jobs} jobs printed in 120 s")
        elapsed = time.perf_counter() - start
        queue.stop()
        left = conn.execute("SELECT count(*) FROM print_jobs WHERE state != 'printed'")
        assert left.fetchone()[0] == 0
        conn.close()
        assert len(printer.jobs) == jobs
        return jobs / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--renders", type=int, default=2000)
    parser.add_argument("--jobs", type=int, default=300)
    args = parser.parse_args()

    order = sample_order(12)
    document = build_ticket(order, SHOP, 48)
    size = len(render_escpos(document))
    print(f"ticket: {len(document.blocks)} blocks, {size} bytes (80 mm, 48 columns, CP858)")
    report("document → ESC/POS bytes", timings_ms(lambda: render_escpos(document), args.renders))
    report(
        "ORDER dict → document → bytes",
        timings_ms(lambda: render_escpos(build_ticket(order, SHOP, 48)), args.renders),
    )
    report("document → PNG preview", timings_ms(lambda: render_preview(document), 100))
    rate = bench_queue(args.jobs)
    print(f"{'queue → virtual network printer':<40} {rate:7.1f} jobs/s   (n={args.jobs})")


if __name__ == "__main__":
    main()
