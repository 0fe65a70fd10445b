"""A shop store with many orders (default 1,000,000) for the UI benchmarks.

    .venv/bin/python bench/make_big_store.py --data-dir DIR [--orders N] [--fresh]

Orders spread over ~2 years before today, mostly completed (some refused or
cancelled), each with lines and history; today holds a few dozen open orders
and a few dozen finished ones, like a busy day at the counter. French names
with accents and phones written the many ways customers type them.

Generating takes a while, so the result is cached under
``/tmp/comptoir-bench/orders-N`` and copied on later runs. The rows are
inserted before the search index migration (when it exists) so that its
backfill runs as it would on a real shop's upgrade. When the cache was built
on another day, today's orders are moved to today (the board shows "today").
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import shutil
import sqlite3
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sqlite_utils  # noqa: E402

from posapp.store.db import DB_FILENAME, Store  # noqa: E402
from posapp.store.migrations import MIGRATIONS  # noqa: E402

__all__ = ["ensure_big_store", "copy_big_store", "CACHE_ROOT", "TODAY_OPEN", "TODAY_DONE"]

CACHE_ROOT = Path("/tmp/comptoir-bench")
SEARCH_MIGRATION = "0004_orders_search"
TODAY_OPEN = 40  # new / accepted / ready on the board
TODAY_DONE = 60  # finished today ("Done today" column)
BATCH = 50_000
FORMAT_VERSION = "1"  # bump when the generated data changes shape

FIRST = ("Zoé", "Chloé", "Léa", "Manon", "Camille", "Inès", "Jeanne", "Louise", "Hélène",
         "Agnès", "Noémie", "Anaïs", "Maëlle", "Océane", "Élodie", "Amélie", "Marie", "Juliette",
         "Gaëlle", "Clémence", "Thérèse", "Françoise", "Sophie", "Lucie", "Emma", "Jérôme",
         "François", "Stéphane", "Hervé", "Loïc", "Noël", "Gaël", "Benoît", "Joël", "André",
         "Théo", "Raphaël", "Mathéo", "Timothée", "Clément", "Jean-Pierre", "Marc", "Paul",
         "Louis", "Hugo", "Lucas", "Nathan", "Arthur", "Jules", "Martin", "Bastien", "Yannick",
         "Mehdi", "Karim", "Youssef", "Fatima", "Aïcha", "Nadia", "Leïla", "Samir")
LAST = ("Lefèvre", "Dupont", "Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard",
        "Durand", "Dubois", "Moreau", "Laurent", "Simon", "Michel", "Leroy", "Roux", "David",
        "Bertrand", "Morel", "Fournier", "Girard", "Bonnet", "Dupuis", "Lambert", "Fontaine",
        "Rousseau", "Vincent", "Müller", "Lefèbvre", "Mercier", "Boyer", "Blanc", "Guérin",
        "Faure", "André", "Chevalier", "François", "Legrand", "Gauthier", "Garcia", "Perrin",
        "Robin", "Clément", "Morin", "Nicolas", "Henry", "Roussel", "Mathieu", "Gautier",
        "Masson", "Marchand", "Duval", "Denis", "Lemaire", "Noël", "Meyer", "Dufour", "Brun",
        "Barbier", "Giraud", "Besnard", "Le Gall", "Le Goff", "Hoarau", "Ngoma", "Benali",
        "Nguyen", "Da Silva", "Ferreira", "Lopez", "Sanchez", "Caron", "Aubert", "Pelletier",
        "Lévêque", "Bénard", "Hébert", "Pérez", "Dumézil", "Ménard")
PRODUCTS = [  # sku, name, price
    ("BAG", "Baguette tradition", 130), ("CRO", "Croissant", 120),
    ("PAC", "Pain au chocolat", 130), ("ECL", "Éclair café", 250),
    ("ECC", "Éclair chocolat", 250), ("TAR", "Tarte aux fraises", 420),
    ("FLA", "Flan pâtissier", 290), ("PCA", "Pain de campagne", 340),
    ("BRI", "Brioche tressée", 450), ("MAC", "Macaron framboise", 150),
    ("OPE", "Opéra", 480), ("PBR", "Paris-Brest", 460), ("QUI", "Quiche lorraine", 390),
    ("SAN", "Sandwich jambon-beurre", 450), ("CHO", "Chouquettes (10)", 300),
    ("MIL", "Mille-feuille", 380), ("FIN", "Financier", 160), ("CAN", "Canelé", 190),
]
OPTIONS = ([], [], [], ["bien cuit"], ["pas trop cuit"], ["sans sucre"], ["coupé"],
           ["bougie « 40 ans »"])
NOTES = ("", "", "", "", "Sonnez deux fois", "Pour 12 h, merci !", "Sans gluten si possible",
         "Je passe après l'école", "Code porte 1234B")


def _phone(rng: random.Random) -> str:
    digits = f"0{rng.choice('6767679')}{rng.randrange(10**8):08d}"
    pairs = " ".join(digits[i:i + 2] for i in range(0, 10, 2))
    style = rng.randrange(10)
    if style < 4:
        return digits
    if style < 7:
        return pairs
    if style < 9:
        return "+33 " + pairs[1:]
    return pairs.replace(" ", ".")


def _iso(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def _history(status: str, created: dt.datetime, rng: random.Random) -> list[tuple[str, str, str]]:
    steps = {"new": ["new"], "accepted": ["new", "accepted"], "ready": ["new", "accepted", "ready"],
             "completed": ["new", "accepted", "ready", "completed"], "rejected": ["new", "rejected"],
             "cancelled": ["new", "accepted", "cancelled"]}[status]
    at, rows = created, []
    for step in steps:
        rows.append((step, _iso(at), "customer" if step in ("new", "cancelled") else "shop"))
        at += dt.timedelta(minutes=rng.randint(1, 20))
    return rows


def _orders(n: int, rng: random.Random, today: dt.date) -> Iterator[tuple[tuple, list, list]]:
    """(order row, line rows, history rows) for orders 1..n, oldest first."""
    history_days = 730
    first_day = today - dt.timedelta(days=history_days)
    past = n - TODAY_OPEN - TODAY_DONE
    names = [f"{f} {last}" for f in FIRST for last in LAST]
    today_start = _day_start(today)
    for number in range(1, n + 1):
        if number <= past:
            # Even spread over the past days, opening hours 06:00–18:00 UTC.
            day = first_day + dt.timedelta(days=(number - 1) * history_days // max(past, 1))
            created = _day_start(day) + dt.timedelta(seconds=rng.randrange(6 * 3600, 18 * 3600))
            roll = rng.random()
            status = "completed" if roll < 0.94 else "rejected" if roll < 0.97 else "cancelled"
        else:
            k = number - past - 1
            # Today's orders in the last hours, finished ones first, open ones most recent.
            created = today_start + dt.timedelta(minutes=5 * k)
            if created > dt.datetime.now(dt.UTC):
                created = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=30 * (n - number + 1))
            status = "completed" if k < TODAY_DONE else ("new", "accepted", "ready")[k % 3]
        oid = f"ord_{number:010d}"
        lines, total = [], 0
        for pos in range(rng.choice((1, 1, 2, 2, 3, 3, 4, 5))):
            sku, name, price = rng.choice(PRODUCTS)
            qty = rng.choice((1, 1, 1, 2, 2, 3, 6))
            total += qty * price
            lines.append((oid, pos, sku, name, qty, price,
                          json.dumps(rng.choice(OPTIONS), ensure_ascii=False)))
        history = _history(status, created, rng)
        updated = history[-1][1]
        ts = _iso(created)
        ready_by = _iso(created + dt.timedelta(minutes=20)) if status != "new" else None
        order = (oid, number, status, "delivery" if rng.random() < 0.2 else "collect",
                 rng.choice(names), _phone(rng), None, rng.choice(NOTES), "",
                 total, 1, None, ready_by,
                 "Rupture de stock" if status == "rejected" else None,
                 ts, updated, ts, updated)
        yield order, lines, [(oid, seq, *h) for seq, h in enumerate(history)]


def _generate(path: Path, n: int, seed: int = 1) -> None:
    # Schema only, without the search index migration yet (inserted rows get backfilled).
    conn = sqlite3.connect(str(path), isolation_level=None)
    db = sqlite_utils.Database(conn)
    names = {m.name for m in MIGRATIONS.pending(sqlite_utils.Database(memory=True))}
    MIGRATIONS.apply(db, stop_before=SEARCH_MIGRATION if SEARCH_MIGRATION in names else None)
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -400000")
    rng = random.Random(seed)
    today = _today()
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO products (sku, name, price_cents, category) VALUES (?, ?, ?, 'Boulangerie')",
        PRODUCTS)
    conn.executemany("INSERT INTO stock (sku, confirmed_qty) VALUES (?, 50)",
                     [(p[0],) for p in PRODUCTS])
    shop = {"id": "shop_bench", "name": "Boulangerie Chez Léonie", "paused": False,
            "address": "12 rue de la Croix-Rousse, Lyon"}
    conn.executemany("INSERT INTO sync_state (key, value) VALUES (?, ?)",
                     [("shop", json.dumps(shop, ensure_ascii=False)), ("cursor", str(n))])
    conn.executemany("INSERT INTO settings (key, value) VALUES (?, ?)",
                     [("bench_day", today.isoformat()), ("bench_orders", str(n))])
    orders: list[tuple] = []
    lines: list[tuple] = []
    history: list[tuple] = []

    def flush() -> None:
        conn.executemany(
            "INSERT INTO orders (id, number, status, channel, customer_name, customer_phone,"
            " customer_address, note, allergens, total_cents, paid, pickup_slot, ready_by,"
            " reject_reason, created_at, updated_at, received_at, acknowledged_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", orders)
        conn.executemany("INSERT INTO order_lines VALUES (?, ?, ?, ?, ?, ?, ?)", lines)
        conn.executemany("INSERT INTO order_history VALUES (?, ?, ?, ?, ?)", history)
        orders.clear()
        lines.clear()
        history.clear()

    for order, order_lines, order_history in _orders(n, rng, today):
        if order[2] == "new":
            order = (*order[:-1], None)  # not acknowledged yet: the alert rings
        orders.append(order)
        lines.extend(order_lines)
        history.extend(order_history)
        if len(orders) >= BATCH:
            flush()
    flush()
    conn.execute("COMMIT")
    conn.execute("PRAGMA journal_mode = DELETE")  # one self-contained file to copy
    conn.close()
    _upgrade(path, quiet=True)


def _upgrade(path: Path, *, quiet: bool = False) -> None:
    """Apply migrations the cached store lacks (e.g. the search index backfill), once."""
    conn = sqlite3.connect(str(path), isolation_level=None)
    try:
        pending = [m.name for m in MIGRATIONS.pending(sqlite_utils.Database(conn))]
    finally:
        conn.close()
    if not pending:
        return
    started = time.perf_counter()
    Store(path).close()
    conn = sqlite3.connect(str(path), isolation_level=None)
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.execute("ANALYZE")
    conn.close()
    if not quiet:
        print(f"migrated the cached store ({', '.join(pending)}) in"
              f" {time.perf_counter() - started:.1f} s", file=sys.stderr)


def _move_today(path: Path) -> None:
    """Shift the cached store's "today" orders to the current day."""
    conn = sqlite3.connect(str(path), isolation_level=None)
    try:
        row = conn.execute("SELECT value FROM settings WHERE key = 'bench_day'").fetchone()
        today = _today()
        if row is None or row[0] == today.isoformat():
            return
        delta = _day_start(today) - _day_start(dt.date.fromisoformat(row[0]))
        now = dt.datetime.now(dt.UTC)
        conn.execute("BEGIN")
        first = conn.execute("SELECT max(number) FROM orders").fetchone()[0] \
            - TODAY_OPEN - TODAY_DONE
        for oid, created in conn.execute(
                "SELECT id, created_at FROM orders WHERE number > ?", (first,)).fetchall():
            old = dt.datetime.fromisoformat(created.replace("Z", "+00:00"))
            shift = delta if old + delta <= now else delta - (old + delta - now) - \
                dt.timedelta(minutes=1)

            def moved(value: str | None, shift: dt.timedelta = shift) -> str | None:
                if value is None:
                    return None
                return _iso(dt.datetime.fromisoformat(value.replace("Z", "+00:00")) + shift)

            o = conn.execute("SELECT created_at, updated_at, received_at, ready_by FROM orders"
                             " WHERE id = ?", (oid,)).fetchone()
            conn.execute("UPDATE orders SET created_at = ?, updated_at = ?, received_at = ?,"
                         " ready_by = ? WHERE id = ?", (*map(moved, o), oid))
            for seq, at in conn.execute(
                    "SELECT seq, at FROM order_history WHERE order_id = ?", (oid,)).fetchall():
                conn.execute("UPDATE order_history SET at = ? WHERE order_id = ? AND seq = ?",
                             (moved(at), oid, seq))
        conn.execute("UPDATE settings SET value = ? WHERE key = 'bench_day'",
                     (today.isoformat(),))
        conn.execute("COMMIT")
    finally:
        conn.close()


def ensure_big_store(n: int = 1_000_000, *, fresh: bool = False, quiet: bool = False) -> Path:
    """Path of the cached store file with ``n`` orders (generated when missing)."""
    cache = CACHE_ROOT / f"orders-{n}-v{FORMAT_VERSION}"
    done = cache / "complete"
    if fresh:
        shutil.rmtree(cache, ignore_errors=True)
    if not done.exists():
        shutil.rmtree(cache, ignore_errors=True)
        building = cache.with_name(cache.name + ".building")
        shutil.rmtree(building, ignore_errors=True)
        building.mkdir(parents=True)
        started = time.perf_counter()
        _generate(building / DB_FILENAME, n)
        (building / "complete").write_text(f"{time.perf_counter() - started:.1f} s\n")
        building.rename(cache)
        if not quiet:
            print(f"generated {n:,} orders in {time.perf_counter() - started:.1f} s → {cache}",
                  file=sys.stderr)
    _upgrade(cache / DB_FILENAME, quiet=quiet)
    _move_today(cache / DB_FILENAME)
    return cache / DB_FILENAME


def copy_big_store(data_dir: Path, n: int = 1_000_000, *, quiet: bool = False) -> Path:
    """Copy the cached store into ``data_dir`` (the bench may write to its copy)."""
    source = ensure_big_store(n, quiet=quiet)
    data_dir.mkdir(parents=True, exist_ok=True)
    target = data_dir / DB_FILENAME
    for suffix in ("-wal", "-shm"):
        (data_dir / (DB_FILENAME + suffix)).unlink(missing_ok=True)
    shutil.copyfile(source, target)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--fresh", action="store_true", help="regenerate the cached store")
    args = parser.parse_args(argv)
    if args.fresh:
        ensure_big_store(args.orders, fresh=True)
    target = copy_big_store(args.data_dir, args.orders)
    size = target.stat().st_size / 1e6
    print(f"{target} ({args.orders:,} orders, {size:.0f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
