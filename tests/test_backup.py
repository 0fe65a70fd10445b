"""Backups under writes, restore into a live database, and refusal of bad or busy files."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import subprocess
import threading

import pytest

from posapp.domain import ledger
from posapp.domain.stock import StockService
from posapp.store.backup import BackupError, backup, inspect, restore, restore_offline
from posapp.store.db import DB_FILENAME, Store, open_store
from posapp.store.replica import ShopReplica
from tests.conftest import wait_until
from tests.factories import pull, wire_order, wire_product

TABLES = ("products", "stock", "orders", "order_lines", "outbox", "stock_ledger", "sync_state",
          "settings")


@pytest.fixture
def store(tmp_path):
    s = open_store(tmp_path / "shop")
    ShopReplica(s).apply_pull(pull(products=[wire_product("ECL", stock=100),
                                             wire_product("BAG", stock=50)]))
    yield s
    s.close()


def dump(path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(path)
    try:
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall() for t in TABLES}
    finally:
        conn.close()


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_backup_while_another_thread_writes_is_whole_and_consistent(store, tmp_path):
    stop = threading.Event()
    written = []

    def writer():
        own = Store(store.path)  # its own connection, like the sync engine's
        stock = StockService(own)
        n = 0
        while not stop.is_set():
            n += 1
            stock.adjust("ECL" if n % 2 else "BAG", -1 if n % 3 else 2, "counter_sale")
            written.append(n)
        own.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        wait_until(lambda: len(written) >= 20)
        copies = []
        for i in range(3):
            copies.append(backup(store.path, tmp_path / "saves" / f"b{i}.db"))
            mark = len(written)
            wait_until(lambda mark=mark: len(written) > mark + 10)  # writes go on meanwhile
    finally:
        stop.set()
        thread.join()
    assert copies[0].pending < copies[1].pending < copies[2].pending
    for info in copies:
        assert info.pending > 0
        conn = sqlite3.connect(info.path)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one file
        # A consistent snapshot: the ledger and the stock it explains were copied together.
        assert ledger.check(conn) == []
        (n_outbox,) = conn.execute("SELECT count(*) FROM outbox").fetchone()
        (n_pending,) = conn.execute(
            "SELECT count(*) FROM stock_ledger WHERE confirmed = 0").fetchone()
        assert n_outbox == n_pending == info.pending
        conn.close()
        assert not (info.path.parent / (info.path.name + "-wal")).exists()
    if shutil.which("sqlite3"):  # the standard command-line tool reads it too
        out = subprocess.run(["sqlite3", str(copies[-1].path), "PRAGMA integrity_check;",
                              "SELECT count(*) FROM products;"],
                             capture_output=True, text=True, check=True).stdout.split()
        assert out == ["ok", "2"]


def test_restore_into_the_live_database_keeps_open_connections_valid(store, tmp_path):
    stock = StockService(store)
    stock.adjust("ECL", -3, "counter_sale")
    saved = backup(store.path, tmp_path / "save.db")
    expected = dump(saved.path)
    # Life goes on after the backup: a sale, an order, another sale.
    highest = stock.adjust("ECL", -1, "counter_sale")
    ShopReplica(store).apply_pull(pull(cursor=2, orders=[wire_order("ord_7")]))
    highest = stock.adjust("BAG", 5, "restock")
    before = dump(store.path)

    result = restore(store.path, saved.path, aside_dir=tmp_path / "aside")
    # The window's connection (``store``) was left open and now reads the backup.
    assert stock.product("ECL")["quantity"] == 97
    assert store.query_one("SELECT count(*) AS n FROM orders")["n"] == 0
    assert dump(store.path) == expected
    assert dump(result.previous) == before  # the database as it was is kept aside
    assert result.restored.pending == 1
    # New changes never reuse a mutation id the previous database already used.
    assert stock.adjust("ECL", -1, "counter_sale") > highest
    assert sqlite3.connect(store.path).execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_restore_is_refused_while_someone_writes(store, tmp_path):
    saved = backup(store.path, tmp_path / "save.db")
    StockService(store).adjust("ECL", -1, "counter_sale")
    writer = sqlite3.connect(store.path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(BackupError, match="cours d'écriture"):
            restore(store.path, saved.path, aside_dir=tmp_path / "aside")
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert StockService(store).product("ECL")["quantity"] == 99  # untouched


def test_bad_files_are_refused_and_left_untouched(store, tmp_path):
    text = tmp_path / "notes.db"
    text.write_text("pas une base")
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
    conn.close()
    future = backup(store.path, tmp_path / "future.db").path
    with sqlite3.connect(future) as conn:
        conn.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at)"
                     " VALUES ('comptoir.shop', '9999_future', 'x')")
    conn.close()
    damaged = backup(store.path, tmp_path / "damaged.db").path
    raw = bytearray(damaged.read_bytes())
    raw[4096 * 2:4096 * 4] = b"\xff" * 8192  # scribble over two pages
    damaged.write_bytes(bytes(raw))
    cases = [(text, "pas une base SQLite"), (other, "pas une sauvegarde de Comptoir"),
             (future, "plus récente"), (damaged, "endommagé|illisible")]
    for path, reason in cases:
        fingerprint = digest(path)
        with pytest.raises(BackupError, match=reason):
            inspect(path)
        with pytest.raises(BackupError, match=reason):
            restore(store.path, path, aside_dir=tmp_path / "aside")
        assert digest(path) == fingerprint
    assert StockService(store).product("ECL")["quantity"] == 100
    assert not (tmp_path / "aside").exists()  # nothing was even started


def test_older_backup_is_brought_up_to_date_on_restore(store, tmp_path):
    old = backup(store.path, tmp_path / "old.db").path
    with sqlite3.connect(old) as conn:
        conn.execute("DROP TABLE stock_ledger")
        conn.execute("DELETE FROM _sqlite_migrations WHERE name = '0003_stock_ledger'")
    conn.close()
    assert "0003_stock_ledger" not in inspect(old).migrations
    restore(store.path, old, aside_dir=tmp_path / "aside")
    assert ledger.check(store.conn) == []
    assert store.query_one("SELECT sum(delta) AS n FROM stock_ledger WHERE sku = 'ECL'")["n"] == 100


def test_offline_restore_replaces_the_file_only_when_nothing_has_it_open(store, tmp_path):
    saved = backup(store.path, tmp_path / "save.db")
    StockService(store).adjust("ECL", -10, "waste")
    with pytest.raises(BackupError, match="encore ouverte"):
        restore_offline(store.path, saved.path, aside_dir=tmp_path / "aside")
    assert StockService(store).product("ECL")["quantity"] == 90
    store.close()
    result = restore_offline(store.path, saved.path, aside_dir=tmp_path / "aside")
    reopened = Store(store.path)
    try:
        assert StockService(reopened).product("ECL")["quantity"] == 100
        assert reopened.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        reopened.close()
    kept = Store(result.previous)
    try:
        assert StockService(kept).product("ECL")["quantity"] == 90
    finally:
        kept.close()


def test_restoring_onto_a_damaged_database(tmp_path, store):
    saved = backup(store.path, tmp_path / "save.db")
    store.close()
    live = tmp_path / "other" / DB_FILENAME
    live.parent.mkdir()
    live.write_bytes(b"garbage" * 1000)
    result = restore_offline(live, saved.path, aside_dir=tmp_path / "aside")
    assert result.previous is not None and result.previous.read_bytes().startswith(b"garbage")
    reopened = Store(live)
    assert StockService(reopened).product("ECL")["quantity"] == 100
    reopened.close()
