"""Re-pairing and moving to another shop or marketplace: atomic, nothing sent to the wrong shop."""

from __future__ import annotations

import csv

import pytest

from posapp.domain.stock import StockService
from posapp.store import ledger, pairing
from posapp.store.db import open_store
from posapp.store.replica import ShopReplica
from tests.conftest import wait_until
from tests.factories import pull, wire_order, wire_product

URL = "https://market.example.test"


@pytest.fixture
def store(tmp_path):
    s = open_store(tmp_path)
    pairing.adopt(s.conn, URL + "/", "shop_1", "Boulangerie Zoé")
    ShopReplica(s).apply_pull(pull(cursor=7, products=[wire_product("ECL", stock=10)],
                                   orders=[wire_order("ord_1")]))
    yield s
    s.close()


def _state(store, key):
    row = store.query_one("SELECT value FROM sync_state WHERE key = ?", (key,))
    return row["value"] if row else None


def test_pairing_writes_url_shop_and_name_together(store):
    assert pairing.current(store.conn) == pairing.Pairing(URL, "shop_1", "Boulangerie Zoé")
    failing = store.conn

    # A failure half-way leaves the three as they were (one transaction).
    failing.execute("CREATE TRIGGER boom BEFORE UPDATE ON settings WHEN new.key = 'shop_name'"
                    " BEGIN SELECT RAISE(ABORT, 'disk full'); END")
    with pytest.raises(Exception, match="disk full"):
        pairing.adopt(store.conn, "https://other.test", "shop_2", "Fleurs")
    failing.execute("DROP TRIGGER boom")
    assert pairing.current(store.conn) == pairing.Pairing(URL, "shop_1", "Boulangerie Zoé")
    assert _state(store, "cursor") == "7"


def test_pairing_the_same_shop_again_keeps_everything(store):
    cid = ShopReplica(store).client_id()
    StockService(store).adjust("ECL", -1, "counter_sale")
    change = pairing.adopt(store.conn, URL, "shop_1", "Boulangerie Zoé (renamed)")
    assert not change.moved and change.left_behind == 0
    assert _state(store, "cursor") == "7"
    assert ShopReplica(store).client_id() == cid
    assert ShopReplica(store).pending_count() == 1


@pytest.mark.parametrize("url, shop_id", [(URL, "shop_2"), ("https://other.test", "shop_1")])
def test_moving_starts_afresh_and_leaves_the_old_shops_changes_behind(store, tmp_path, url,
                                                                       shop_id):
    old_identity = ShopReplica(store).client_id()
    StockService(store).adjust("ECL", -2, "counter_sale")
    StockService(store).adjust("ECL", 5, "restock")
    change = pairing.adopt(store.conn, url, shop_id, "Fleurs de Lou")
    assert change.moved and change.left_behind == 2
    assert change.previous.shop_id == "shop_1"
    replica = ShopReplica(store)
    assert replica.cursor() == 0
    assert replica.mutations_to_push(10) == []  # never pushed to the new shop
    assert replica.client_id() != old_identity
    for table in ("products", "stock", "orders", "order_lines", "stock_ledger"):
        assert store.query(f"SELECT * FROM {table}") == [], table
    # The new shop's data comes in as for a first pairing.
    replica.apply_pull(pull(cursor=3, products=[wire_product("ROSE", stock=4)]) | {
        "shop": {"id": shop_id, "name": "Fleurs de Lou", "paused": False, "address": ""}})
    assert [p["sku"] for p in StockService(store).products()] == ["ROSE"]
    assert ledger.check(store.conn) == []
    # What was left behind can be exported for the shopkeeper.
    path = tmp_path / "left.csv"
    assert pairing.export_left_behind(store.conn, path) == 2
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    assert [r[1] for r in rows[1:]] == ["shop_1", "shop_1"]
    assert "delta=-2" in rows[1][5] and "delta=5" in rows[2][5]


def test_left_behind_says_which_changes_the_old_shop_already_had(store, tmp_path):
    replica = ShopReplica(store)
    stock = StockService(store)
    applied = stock.adjust("ECL", -4, "counter_sale")
    # The push was heard: the old shop APPLIED it (no pull has confirmed it yet).
    replica.record_push(applied, [{"id": applied, "status": "applied"}])
    stock.adjust("ECL", -1, "waste")  # never sent
    change = pairing.adopt(store.conn, URL, "shop_2", "Fleurs de Lou")
    assert (change.left_behind, change.left_sent) == (2, 1)
    assert store.query("SELECT id, sent FROM left_behind_mutations ORDER BY id") == [
        {"id": applied, "sent": 1}, {"id": applied + 1, "sent": 0}]
    assert pairing.untold(store.conn) == pairing.LeftBehind(unsent=1, sent=1)
    path = tmp_path / "left.csv"
    pairing.export_left_behind(store.conn, path)
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    assert rows[0][6] == "envoyé ?"
    assert rows[1][6].startswith("envoyé, résultat non confirmé")
    assert rows[2][6].startswith("jamais envoyé")
    pairing.mark_told(store.conn)
    assert pairing.untold(store.conn).total == 0


def test_an_answer_about_the_old_shop_heard_after_a_move_is_discarded(store):
    pairing.adopt(store.conn, URL, "shop_2", "Fleurs de Lou")
    stale = pull(cursor=99, products=[wire_product("ECL", stock=1)])  # shop_1's long-poll
    with pytest.raises(pairing.StaleShopAnswer):
        ShopReplica(store).apply_pull(stale)
    assert ShopReplica(store).cursor() == 0
    assert store.query("SELECT * FROM products") == []


def test_moving_shop_in_the_app_cuts_sync_and_never_sends_old_changes(tmp_path, market,
                                                                     demo_shop, qtbot):
    from marketplace.catalogue import DEMO_PRODUCTS
    from posapp.app import AppConfig, ShopApp
    from sync.client import pair_device
    from sync.credentials import MemoryVault

    app = ShopApp(AppConfig(data_dir=tmp_path / "shop", vault=MemoryVault(), sync_wait=10.0))
    app.start()
    try:
        app.pair(market.url, demo_shop[1])
        wait_until(lambda: app.stock.products())
        sku = app.stock.products()[0]["sku"]
        app.engine.stop()  # offline: the sale stays queued for the demo shop
        app.stock.adjust(sku, -3, "counter_sale")
        other_id, code = market.create_shop("Fleurs de Lou", products=DEMO_PRODUCTS)
        answer = pair_device(market.url, code, "counter")
        with qtbot.waitSignal(app.message, timeout=5000) as told:
            change = app.complete_pairing(market.url, answer)
        assert change.moved and change.left_behind == 1
        assert told.args[0].code == "app.left_behind" and told.args[0].params["unsent"] == 1
        exported = next((app.data_dir / "sauvegardes").glob("changements-non-envoyes-*.csv"))
        assert sku in exported.read_text(encoding="utf-8-sig")
        assert next((app.data_dir / "sauvegardes").glob("avant-changement-de-boutique-*.db"))
        # Sync runs again, for the new shop only.
        wait_until(lambda: app.shop.get("id") == other_id, timeout=5.0)
        wait_until(lambda: app.stock.products() and app.engine.status.online)
        product = app.stock.product(sku)
        start = next(p["stock"] for p in DEMO_PRODUCTS if p["sku"] == sku)
        assert product["quantity"] == start  # the old shop's sale is not here…
        assert ShopReplica(app.store).pending_count() == 0  # …nor on its way
        assert ledger.check(app.store.conn) == []
    finally:
        app.stop()


def test_left_behind_changes_are_told_at_start_up_after_a_crash(store, tmp_path):
    from posapp.app import AppConfig, ShopApp
    from sync.credentials import MemoryVault

    StockService(store).adjust("ECL", -4, "counter_sale")
    pairing.adopt(store.conn, URL, "shop_2", "Fleurs de Lou")  # committed; then kill -9
    store.close()
    app = ShopApp(AppConfig(data_dir=tmp_path, vault=MemoryVault()))
    app.start()
    try:
        told = [m for m in app.startup_messages if m.code == "app.left_behind"]
        assert len(told) == 1 and told[0].params["unsent"] == 1
        exported = next((tmp_path / "sauvegardes").glob("changements-non-envoyes-*.csv"))
        assert exported.name in told[0].params["csv"]
        assert "delta=-4" in exported.read_text(encoding="utf-8-sig")
        assert pairing.untold(app.store.conn).total == 0
    finally:
        app.stop()
    again = ShopApp(AppConfig(data_dir=tmp_path, vault=MemoryVault()))
    again.start()  # told once, not at every start
    try:
        assert again.startup_messages == []
    finally:
        again.stop()


def test_nothing_is_pushed_when_the_store_belongs_to_another_shop_than_the_credentials(store):
    StockService(store).adjust("ECL", -4, "counter_sale")
    assert ShopReplica(store, paired_with=pairing.Pairing(URL, "shop_1", None)) \
        .mutations_to_push(10)
    other = ShopReplica(store, paired_with=pairing.Pairing(URL, "shop_2", None))
    assert other.mutations_to_push(10) == []
    assert other.pending_count() == 1  # kept, not lost
