"""UI benchmarks with a big store (figures, not timed tests).

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_ui.py [--orders N] [--starts N]

(a) cold start: process start → first paint of the board (with its cards) in
    the main window, for a shop with N orders, paired with nobody (the sync
    engine waits for credentials: no network). Each start is a new Python
    process; the median over ``--starts`` runs is reported, with where the
    time goes in the median run.
(b) board refresh: ``OrdersService.board()`` alone, and the window's
    ``refresh_orders()`` + layout + paint.
(c) history search: ``OrdersService.search()`` for typical queries, and the
    history tab's reload (query + table).

Targets (issues): (a) < 1 s, (b) < 200 ms, (c) < 50 ms, with 1,000,000 orders.
The store comes from bench/make_big_store.py (cached under /tmp).
"""

from __future__ import annotations

import time

_PROCESS_T0 = time.time()  # before any heavy import: part of the cold start

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

__all__ = ["main"]

SEARCHES = [
    ("name prefix", "zo"),
    ("name prefix", "ma"),
    ("name, no accent", "lefevre"),
    ("two words", "marie rou"),
    ("phone start", "0601"),
    ("phone end", "45 67"),
    ("phone, intl", "+33 6 12"),
    ("phone full", "06 12 34 56 78"),
    ("number", "123456"),
    ("number #", "#42"),
    ("name + phone", "zoe 06 1"),
    ("empty (latest)", ""),
]


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _fmt(values: list[float]) -> str:
    return f"median {statistics.median(values):7.1f} ms   p99 {_pct(values, 0.99):7.1f} ms"


def _prepare(store_file: Path, data_dir: Path) -> None:
    """Copy the store as a shop has it: opened before (WAL) and on disk, not dirty in RAM."""
    from posapp.store.db import DB_FILENAME, Store

    target = data_dir / DB_FILENAME
    shutil.copyfile(store_file, target)
    Store(target).close()
    fd = os.open(target, os.O_RDONLY)
    try:
        os.fsync(fd)  # else the first fsync of the run writes back the whole 1 GB copy
    finally:
        os.close(fd)


# -- (a) cold start, child side ------------------------------------------------------------

def _child_cold_start(data_dir: Path) -> int:
    """Start like ``python -m posapp --data-dir``; print timings at the board's first paint."""
    marks = {"python": _PROCESS_T0}
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication

    qt_app = QApplication.instance() or QApplication(sys.argv[:1])
    import posapp.ui  # noqa: F401  - Qt work-arounds, as in posapp.__main__
    from posapp.app import AppConfig, ShopApp
    from posapp.ui.i18n import install_translator

    marks["qt+imports"] = time.time()
    shop_app = ShopApp(AppConfig(data_dir=data_dir))
    shop_app.start()
    install_translator(qt_app, shop_app.setting("language", "fr") or "fr")
    marks["store+engine"] = time.time()
    from posapp.ui.main_window import MainWindow

    window = MainWindow(shop_app)
    marks["window built"] = time.time()
    painted: dict[str, float] = {}

    class FirstPaint(QObject):
        def eventFilter(self, obj, event):  # noqa: N802 (Qt API)
            if (event.type() == QEvent.Type.Paint and "card" not in painted
                    and obj in window.board.cards()):
                painted["card"] = time.time()
                QTimer.singleShot(0, done)  # after this paint pass
            return False

    def done() -> None:
        painted["done"] = time.time()
        qt_app.quit()

    watcher = FirstPaint()
    qt_app.installEventFilter(watcher)
    QTimer.singleShot(20_000, qt_app.quit)
    window.show()
    qt_app.exec()
    qt_app.removeEventFilter(watcher)
    if "done" not in painted:
        print(json.dumps({"error": "the board was never painted"}), flush=True)
        return 1
    marks["board painted"] = painted["done"]
    cards = window.board_count()
    # CPU time of this process (all threads): on a busy machine, wall time mostly measures
    # the neighbours; CPU time is close to what a quiet machine would show.
    cpu = os.times()
    print(json.dumps({"marks": marks, "cards": cards, "cpu_s": cpu.user + cpu.system}),
          flush=True)
    window.close()
    shop_app.stop()
    return 0


def bench_cold_start(store_file: Path, runs: int) -> None:
    totals: list[float] = []
    cpu_ms: list[float] = []
    details: list[dict] = []
    for i in range(runs):
        with tempfile.TemporaryDirectory(prefix="comptoir-cold-") as tmp:
            data_dir = Path(tmp)
            _prepare(store_file, data_dir)
            started = time.time()
            proc = subprocess.run(
                [sys.executable, __file__, "--child-cold-start", str(data_dir)],
                capture_output=True, text=True, timeout=120,
                env={**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM",
                                                                       "offscreen")})
        lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
        if proc.returncode != 0 or not lines:
            print(f"  run {i}: failed (rc {proc.returncode})\n{proc.stdout}\n{proc.stderr}")
            return
        report = json.loads(lines[-1])
        marks = report["marks"]
        totals.append((marks["board painted"] - started) * 1000)
        cpu_ms.append(report["cpu_s"] * 1000)
        details.append({"spawn→python": (marks["python"] - started) * 1000,
                        **{name: (marks[name] - marks[prev]) * 1000
                           for prev, name in zip(list(marks), list(marks)[1:], strict=False)},
                        "cards": report["cards"]})
    print(f"(a) cold start → board painted ({runs} starts)  {_fmt(totals)}"
          f"   min {min(totals):.0f} ms")
    print(f"    CPU time of the process to the same point   {_fmt(cpu_ms)}")
    median_run = details[sorted(range(runs), key=lambda i: totals[i])[runs // 2]]
    print("    median run: " + ", ".join(
        f"{k} {v:.0f} ms" if k != "cards" else f"{v} cards" for k, v in median_run.items()))


# -- (b), (c): in process -------------------------------------------------------------------

def bench_in_process(store_file: Path, repeat: int) -> None:
    from PySide6.QtWidgets import QApplication

    qt_app = QApplication.instance() or QApplication(sys.argv[:1])
    import posapp.ui  # noqa: F401
    from posapp.app import AppConfig, ShopApp
    from posapp.ui.i18n import install_translator
    from posapp.ui.main_window import MainWindow

    with tempfile.TemporaryDirectory(prefix="comptoir-bench-") as tmp:
        data_dir = Path(tmp)
        _prepare(store_file, data_dir)
        shop_app = ShopApp(AppConfig(data_dir=data_dir))
        shop_app.start()
        try:
            install_translator(qt_app, "fr")
            window = MainWindow(shop_app)
            window.show()
            qt_app.processEvents()
            orders = shop_app.orders
            n_orders = shop_app.store.query_one("SELECT count(*) AS n FROM orders")["n"]
            board = orders.board()
            print(f"    store: {n_orders:,} orders; board: "
                  + ", ".join(f"{k} {len(v)}" for k, v in board.items()))

            def timed(fn, times: int) -> list[float]:
                samples = []
                for _ in range(times):
                    t = time.perf_counter()
                    fn()
                    samples.append((time.perf_counter() - t) * 1000)
                return samples

            def refresh_and_draw() -> None:
                window.refresh_orders()
                qt_app.processEvents()  # layout of the new cards, deferred deletes
                window.repaint()  # synchronous paint of the whole window

            print(f"(b) OrdersService.board()                    {_fmt(timed(orders.board, repeat))}")
            print(f"    window.refresh_orders() + layout + paint {_fmt(timed(refresh_and_draw, max(20, repeat // 5)))}")
            print("(c) OrdersService.search(text)  [results]")
            worst = 0.0
            for label, text in SEARCHES:
                found = len(orders.search(text))
                samples = timed(lambda text=text: orders.search(text), repeat)
                worst = max(worst, statistics.median(samples))
                print(f"    {label:17} {text!r:20} [{found:2}]  {_fmt(samples)}")
            page = window.history_page
            window.tabs.setCurrentWidget(page)
            qt_app.processEvents()

            def type_and_show(text: str) -> None:
                page.search.setText(text)  # reloads: query + table rows
                qt_app.processEvents()
                page.table.viewport().repaint()

            ui_samples: list[float] = []
            for _label, text in SEARCHES:
                page.search.setText("")
                ui_samples += timed(lambda text=text: (page.search.setText(""),
                                                       type_and_show(text)), max(10, repeat // 10))
            print(f"    history tab, clear + type + table drawn (all queries) {_fmt(ui_samples)}")
            window.close()
        finally:
            shop_app.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--starts", type=int, default=10, help="cold starts to measure")
    parser.add_argument("--repeat", type=int, default=200, help="repetitions of (b) and (c)")
    parser.add_argument("--store", type=Path, help="use this store file instead of the cache")
    parser.add_argument("--child-cold-start", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child_cold_start:
        return _child_cold_start(args.child_cold_start)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if args.store:
        store_file = args.store
    else:
        from bench.make_big_store import ensure_big_store

        store_file = ensure_big_store(args.orders)
    print(f"store {store_file} ({store_file.stat().st_size / 1e6:.0f} MB)")
    bench_cold_start(store_file, args.starts)
    bench_in_process(store_file, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
