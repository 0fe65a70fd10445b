"""Backups under writes, restore into a live database, and refusal of bad or busy files."""

from __future__ import annotations

import contextlib
import hashlib
import shutil
import sqlite3
import subprocess
import threading
from pathlib import Path

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


_NOT_GENERATION = {"sync_state": "key != 'store_generation'"}


def dump(path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(path)
    try:
        # The store's generation changes with every restore (see posapp/store/identity.py).
        return {t: conn.execute(f"SELECT * FROM {t} WHERE {_NOT_GENERATION.get(t, '1')}"
                                " ORDER BY 1, 2").fetchall() for t in TABLES}
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
        with pytest.raises(BackupError, match="cours d’écriture"):
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


def test_backup_errors_carry_a_code_and_no_library_text(store, tmp_path):
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"SQLite format 3\x00" + b"\x07" * 5000)
    with pytest.raises(BackupError) as err:
        inspect(bad)
    assert (err.value.code, err.value.params) == ("backup.damaged", {"name": "bad.db"})
    assert "database" not in str(err.value) and "malformed" not in str(err.value)
    (tmp_path / "a-file").write_text("")
    with pytest.raises(BackupError) as err:
        backup(store.path, tmp_path / "a-file" / "x.db")
    assert err.value.code == "backup.write_failed" and isinstance(err.value.params["errno"], int)
    assert "Errno" not in str(err.value)


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


# -- a restored counter never makes the marketplace swallow its new changes ----------------------
def _paired_counter(market, code_or_token, data_dir, *, token=None):
    from sync.client import pair_device

    token = token or pair_device(market.url, code_or_token, "counter")["device_token"]
    store = open_store(data_dir)
    return store, token


def _engine(market, token, store, recorder):
    from sync.engine import SyncEngine

    return SyncEngine(market.url, token, lambda: ShopReplica(Store(store.path)), recorder,
                      wait=5.0, timeout=3.0, backoff_cap=0.3, push_interval=0.5)


def _synced(store, engine, timeout=10.0):
    engine.push_soon()
    wait_until(lambda: ShopReplica(store).pending_count() == 0
               and store.query_one("SELECT count(*) AS n FROM outbox_unreported")["n"] == 0,
               timeout=timeout)


def _server_stock(market, customer, sku):
    # The public catalogue says only "available"/"few_left": read the marketplace's own table.
    with contextlib.closing(sqlite3.connect(market.db_path)) as conn:
        (stock,) = conn.execute("SELECT stock FROM products WHERE shop_id = ? AND sku = ?",
                                (customer.shop_id, sku)).fetchone()
    return stock


@pytest.mark.parametrize("pending_in_backup", [False, True])
def test_restore_on_a_new_install_then_an_offline_sale_reaches_the_marketplace(
        tmp_path, market, demo_shop, customer, recorder, pending_in_backup):
    """Backup, more sales, restore on a new data dir, offline sale, reconnect: every sale counts.

    With nothing pending in the backup the restored counter takes a fresh identity; with a
    sale pending (pushed after the backup) it keeps it, so that sale is recognised as a replay
    (applied once), and the new offline sale, numbered on an id the marketplace already
    processed, is refused ``mutation_id_reused`` and re-numbered instead of swallowed.
    """
    store, token = _paired_counter(market, demo_shop[1], tmp_path / "first")
    engine = _engine(market, token, store, recorder)
    engine.start()
    wait_until(lambda: store.query_one("SELECT count(*) AS n FROM products")["n"] > 0)
    sku = StockService(store).products()[0]["sku"]
    start = _server_stock(market, customer, sku)
    stock = StockService(store)
    stock.adjust(sku, -1, "counter_sale")
    if pending_in_backup:
        engine.stop()
    else:
        _synced(store, engine)
    saved = backup(store.path, tmp_path / "save.db")
    assert (saved.pending == 1) is pending_in_backup
    if pending_in_backup:
        engine.start()
    for delta in (-2, -3):  # more sales after the backup, all taken by the marketplace
        stock.adjust(sku, delta, "counter_sale")
        _synced(store, engine)
    assert _server_stock(market, customer, sku) == start - 6
    engine.stop()
    old_identity = ShopReplica(store).client_id()
    store.close()

    new_dir = tmp_path / "new-install"
    restore(new_dir / DB_FILENAME, saved.path)
    restored = open_store(new_dir)
    assert (ShopReplica(restored).client_id() == old_identity) is pending_in_backup
    StockService(restored).adjust(sku, -10, "counter_sale")  # offline, before any sync
    engine = _engine(market, token, restored, recorder)
    engine.start()
    try:
        _synced(restored, engine)
        wait_until(lambda: _server_stock(market, customer, sku) == start - 16)
        wait_until(lambda: StockService(restored).product(sku)["quantity"] == start - 16)
    finally:
        engine.stop()
    assert ledger.check(restored.conn) == []
    assert restored.query("SELECT * FROM refused_mutations") == []
    (sale,) = restored.query("SELECT mutation_id, confirmed FROM stock_ledger"
                             " WHERE delta = -10 AND source = 'counter'")
    # Kept identity: the sale was numbered 2, taken by the -2 of the other life → re-numbered.
    assert sale == {"mutation_id": 4 if pending_in_backup else 2, "confirmed": 1}
    restored.close()


def test_a_new_change_numbered_on_a_processed_id_comes_back_after_a_pull(store):
    """The pull that reveals the server's last id may come before the push's answer."""
    replica = ShopReplica(store)
    first = StockService(store).adjust("ECL", -4, "counter_sale")
    replica.record_push(first, [{"id": first, "status": "applied"}])
    replica.apply_pull(pull(cursor=2, last_mutation_id=first + 5,  # another life took ids
                            products=[wire_product("ECL", stock=96 - 7)]))
    # Back from a restore: a new sale under an id this counter's other life already used.
    store.conn.execute("UPDATE sqlite_sequence SET seq = ? WHERE name = 'outbox'", (first,))
    sale = StockService(store).adjust("ECL", -1, "counter_sale")
    assert sale == first + 1
    replica.apply_pull(pull(cursor=3, last_mutation_id=first + 5,
                            products=[wire_product("ECL", stock=96 - 7)]))
    assert [m.id for m in replica.mutations_to_push(10)] == [sale]  # waits for its answer
    refused = replica.record_push(first + 5, [{"id": sale, "status": "refused",
                                               "code": "mutation_id_reused", "message": "…"}])
    assert refused == []  # not the shopkeeper's problem: sent again under a new id
    again = replica.mutations_to_push(10)
    assert [(m.id > first + 5, m.args["delta"]) for m in again] == [(True, -1)]
    assert StockService(store).product("ECL")["quantity"] == 96 - 7 - 1
    assert ledger.check(store.conn) == []
    replica.record_push(again[0].id, [{"id": again[0].id, "status": "applied"}])
    replica.apply_pull(pull(cursor=4, last_mutation_id=again[0].id,
                            products=[wire_product("ECL", stock=96 - 8)]))
    assert replica.pending_count() == 0
    assert StockService(store).product("ECL")["quantity"] == 88
    assert ledger.check(store.conn) == []


def test_restore_never_reprints_nor_requeues_tickets(tmp_path):
    from printing import journal
    from printing.config import PrinterConfig
    from printing.enqueue import enqueue_for_change

    config = PrinterConfig(kind="file", address=str(tmp_path / "t.escpos"), print_on="arrival")

    def hook(conn, changes, shop):
        for change in changes:
            enqueue_for_change(conn, change.order, change.previous, shop, config,
                               pairing=change.pairing)

    store = open_store(tmp_path / "shop")
    replica = ShopReplica(store, on_order_changes=hook)
    replica.apply_pull(pull(cursor=1, products=[wire_product("ECL", stock=100)],
                            orders=[wire_order("ord_1", 1)]))
    saved = backup(store.path, tmp_path / "save.db")  # ord_1's ticket still queued here
    replica.apply_pull(pull(cursor=2, orders=[wire_order("ord_2", 2)]))
    for job in journal.jobs_in_state(store.conn, "queued"):
        journal.mark_printing(store.conn, job.id)
        if job.order_id == "ord_1":
            journal.mark_printed(store.conn, job.id)  # ord_2's stays "printing": uncertain

    restore(store.path, saved.path, aside_dir=tmp_path / "aside")
    # The next pull brings ord_2 again (the restored cursor is older): no second ticket.
    replica = ShopReplica(store, on_order_changes=hook)  # the restarted engine's
    replica.apply_pull(pull(cursor=2, orders=[wire_order("ord_2", 2)]))
    jobs = {j.order_id: j.state for j in journal.jobs_in_state(
        store.conn, *journal.JOB_STATES)}
    assert jobs == {"ord_1": "printed", "ord_2": "uncertain"}
    assert journal.next_queued(store.conn) is None
    store.close()


def test_an_answer_asked_before_a_restore_is_never_applied_after_it(store, tmp_path):
    """A long-poll that outlived the engine's stop must not write the old cursor back."""
    from posapp.store.identity import StaleAnswer

    ShopReplica(store).apply_pull(pull(cursor=5))
    saved = backup(store.path, tmp_path / "save.db")
    StockService(store).adjust("ECL", -1, "counter_sale")
    stuck = ShopReplica(Store(store.path))  # the engine's replica, its thread still in flight
    ShopReplica(store).apply_pull(pull(cursor=9))
    restore(store.path, saved.path, aside_dir=tmp_path / "aside")
    assert ShopReplica(store).cursor() == 5
    with pytest.raises(StaleAnswer):
        stuck.apply_pull(pull(cursor=9, last_mutation_id=7))
    with pytest.raises(StaleAnswer):
        stuck.record_push(7, [{"id": 7, "status": "applied"}])
    assert ShopReplica(store).cursor() == 5
    assert ShopReplica(store).get_state("pushed_through") is None
    fresh = ShopReplica(Store(store.path))  # the restarted engine's
    fresh.apply_pull(pull(cursor=9))
    assert ShopReplica(store).cursor() == 9


def _shop_stock(market, shop_id, sku):
    # The public catalogue shows availability only: read the marketplace's own table.
    with contextlib.closing(sqlite3.connect(market.db_path)) as conn:
        (stock,) = conn.execute("SELECT stock FROM products WHERE shop_id = ? AND sku = ?",
                                (shop_id, sku)).fetchone()
    return stock


@pytest.mark.parametrize("token_of_a_kept", [True, False])
def test_restoring_another_shops_backup_never_sends_its_changes_to_the_shop_paired(
        tmp_path, market, demo_shop, customer, token_of_a_kept):
    from marketplace.catalogue import DEMO_PRODUCTS
    from posapp.app import AppConfig, ShopApp
    from sync.client import pair_device
    from sync.credentials import MemoryVault, account_name

    vault = MemoryVault()
    app = ShopApp(AppConfig(data_dir=tmp_path / "shop", vault=vault, sync_wait=2.0))
    app.start()
    try:
        a_id = app.pair(market.url, demo_shop[1])["shop_id"]
        wait_until(lambda: app.stock.products())
        sku = app.stock.products()[0]["sku"]
        a_start = _shop_stock(market, a_id, sku)
        app.engine.stop()  # offline: a sale for shop A stays queued
        app.stock.adjust(sku, -3, "counter_sale")
        saved = backup(app.store.path, tmp_path / "shop-a.db")
        assert saved.pending == 1
        b_id, code = market.create_shop("Fleurs de Lou", products=DEMO_PRODUCTS)
        b_start = _shop_stock(market, b_id, sku)
        app.complete_pairing(market.url, pair_device(market.url, code, "counter"))
        wait_until(lambda: app.shop.get("id") == b_id, timeout=5.0)
        if not token_of_a_kept:
            vault.delete(account_name(market.url, a_id))
        told = []
        app.message.connect(told.append)
        app.restore_backup(saved.path)
        if token_of_a_kept:  # the restored shop's own token: its sale goes to it
            wait_until(lambda: _shop_stock(market, a_id, sku) == a_start - 3,
                       timeout=10.0)
            assert [m.code for m in told] == ["app.restored_other_shop"]
        else:  # a move back to B: A's sale is left behind, exported, told
            assert app.setting("shop_id") == b_id
            wait_until(lambda: app.shop.get("id") == b_id and app.engine.status.online,
                       timeout=10.0)
            assert [m.code for m in told] == ["app.left_behind"]
            # Sent after the backup was taken? The backup cannot know: "check first".
            assert (told[0].params["unsent"], told[0].params["sent"]) == (0, 1)
            assert sku in Path(told[0].params["csv"]).read_text(encoding="utf-8-sig")
            assert ShopReplica(app.store).pending_count() == 0
            assert _shop_stock(market, a_id, sku) == a_start
        assert _shop_stock(market, b_id, sku) == b_start  # never reached B
    finally:
        app.stop()


def test_restore_exports_and_tells_the_changes_it_replaces(tmp_path):
    from posapp.app import AppConfig, ShopApp
    from sync.credentials import MemoryVault

    app = ShopApp(AppConfig(data_dir=tmp_path / "shop", vault=MemoryVault()))
    app.start()
    try:
        app.engine.stop()  # offline all along
        ShopReplica(app.store).apply_pull(pull(cursor=3, products=[wire_product("ECL", 10)]))
        app.stock.adjust("ECL", -1, "waste")  # in the backup: still on its way after
        saved = backup(app.store.path, tmp_path / "saved.db")
        app.stock.adjust("ECL", -4, "counter_sale")  # made since: the restore replaces it
        told = []
        app.message.connect(told.append)
        app.restore_backup(saved.path)
        app.engine.stop()
        assert [(m.code, m.params["unsent"], m.params["sent"]) for m in told] == [
            ("app.restore_dropped", 1, 0)]
        exported = Path(told[0].params["csv"]).read_text(encoding="utf-8-sig")
        assert "delta=-4" in exported and "delta=-1" not in exported
        assert ShopReplica(app.store).pending_count() == 1  # the backup's own change
    finally:
        app.stop()


def test_a_backup_from_before_pairing_belongs_to_the_shop_paired_now(tmp_path, market,
                                                                    demo_shop, customer):
    from posapp.app import AppConfig, ShopApp
    from sync.credentials import MemoryVault

    app = ShopApp(AppConfig(data_dir=tmp_path / "shop", vault=MemoryVault(), sync_wait=2.0))
    app.start()
    try:
        saved = backup(app.store.path, tmp_path / "unpaired.db")
        shop_id = app.pair(market.url, demo_shop[1])["shop_id"]
        wait_until(lambda: app.stock.products())
        sku = app.stock.products()[0]["sku"]
        app.restore_backup(saved.path)
        assert app.setting("shop_id") == shop_id  # still paired: sync goes on
        wait_until(lambda: app.stock.products() and app.engine.status.online, timeout=10.0)
        start = _shop_stock(market, shop_id, sku)
        app.stock.adjust(sku, -2, "counter_sale")
        app.after_local_change()
        wait_until(lambda: _shop_stock(market, shop_id, sku) == start - 2,
                   timeout=10.0)
    finally:
        app.stop()
