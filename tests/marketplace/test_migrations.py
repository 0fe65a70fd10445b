"""Schema migrations: one definition (schema.metadata), Alembic, the legacy bridge, one lock."""

from __future__ import annotations

import contextlib
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from sqlite_utils import Database

from marketplace.__main__ import main
from marketplace.embedded import EmbeddedMarketplace
from marketplace.legacy_migrations import LEGACY_TABLE, MIGRATIONS
from marketplace.schema import head_revision, metadata, migrate
from marketplace.storage import database_url
from tests.db import sql, value
from tests.marketplace.conftest import ShopSession, db_args
from tests.pg import fresh_database

ROOT = Path(__file__).resolve().parents[2]
OLD_GLOBAL_SEQ = 41


def _old_database(path: Path, stop_before: str | None = None) -> None:
    """A marketplace database as the sqlite-utils migrations of before left it, with two
    shops, a product, an order and a device whose token the test knows."""
    from marketplace.ids import hash_token

    with contextlib.closing(Database(path)) as db:
        MIGRATIONS.apply(db, stop_before=stop_before)
        if stop_before is not None:
            return
        conn = db.conn
        conn.execute("UPDATE change_seq SET value = ? WHERE id = 1", (OLD_GLOBAL_SEQ,))
        for n, shop_id in enumerate(("shop_old_a", "shop_old_b"), start=1):
            conn.execute("INSERT INTO shops (id, name, created_at, version, pairing_tag)"
                         " VALUES (?, ?, '2026-01-01T00:00:00.000Z', ?, ?)",
                         (shop_id, f"Vieille boutique {n}", n, f"OLD{n}"))
            conn.execute("INSERT INTO products (shop_id, sku, name, price_cents, stock, version)"
                         " VALUES (?, 'PAIN', 'Pain', 120, 10, ?)", (shop_id, 10 + n))
        conn.execute("INSERT INTO orders (id, shop_id, number, status, channel, customer_name,"
                     " customer_phone, total_cents, created_at, updated_at, version)"
                     " VALUES ('ord_old', 'shop_old_a', 1, 'accepted', 'collect', 'Zoé',"
                     " '0601020304', 120, '2026-01-01T00:00:00.000Z',"
                     " '2026-01-01T00:00:00.000Z', ?)", (OLD_GLOBAL_SEQ,))
        conn.execute("INSERT INTO devices (token_hash, shop_id, name, created_at)"
                     " VALUES (?, 'shop_old_a', 'Comptoir', '2026-01-01T00:00:00.000Z')",
                     (hash_token("cpt_old_token"),))
        conn.commit()


def test_an_old_sqlite_database_comes_under_alembic_and_its_cursors_stay_valid(tmp_path):
    path = tmp_path / "old.db"
    _old_database(path)
    assert migrate(path) == head_revision()
    assert value(path, "SELECT version_num FROM alembic_version") == head_revision()
    # Every shop's sequence starts at the old global value: no cursor a counter holds is
    # "from the future" (a reset), and every new change is stamped above it.
    assert [r["seq"] for r in sql(path, "SELECT seq FROM shops ORDER BY id")] == \
        [OLD_GLOBAL_SEQ, OLD_GLOBAL_SEQ]
    assert value(path, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'change_seq'") == 0
    assert value(path, "SELECT status FROM orders WHERE id = 'ord_old'") == "accepted"
    with EmbeddedMarketplace(path) as market:
        shop = ShopSession(market.url, "shop_old_a", "cpt_old_token")
        pulled = shop.pull(OLD_GLOBAL_SEQ)
        assert (pulled["reset"], pulled["cursor"], pulled["orders"]) == (False, OLD_GLOBAL_SEQ, [])
        shop.push(("stock.adjust", {"sku": "PAIN", "delta": -1, "reason": "counter_sale"}))
        after = shop.pull(OLD_GLOBAL_SEQ)
        assert after["cursor"] == OLD_GLOBAL_SEQ + 1
        assert [p["stock"] for p in after["products"]] == [9]
        everything = shop.pull(0)
        assert [o["id"] for o in everything["orders"]] == ["ord_old"]
    # The other shop's sequence did not move.
    assert value(path, "SELECT seq FROM shops WHERE id = 'shop_old_b'") == OLD_GLOBAL_SEQ


def test_a_partly_migrated_old_database_gets_the_legacy_steps_it_lacks_first(tmp_path):
    path = tmp_path / "older.db"
    _old_database(path, stop_before="0005_order_customer_secret_and_key")
    migrate(path)
    names = [r["name"] for r in sql(path, f"SELECT name FROM {LEGACY_TABLE} ORDER BY rowid")]
    assert names[-1] == "0009_operator_console" and len(names) == 9
    columns = {r["name"] for r in sql(path, "SELECT name FROM pragma_table_info('orders')")}
    assert {"customer_secret", "customer_key", "payment_ref"} <= columns
    assert value(path, "SELECT COUNT(*) FROM operators") == 0  # 0009's table


def _schema_differences(url: str) -> list[object]:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    engine = sa.create_engine(database_url(url), poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": False})
            return [d for d in compare_metadata(context, metadata) if not _legacy_noise(d)]
    finally:
        engine.dispose()


def _legacy_noise(difference: object) -> bool:
    """What the legacy bridge keeps on purpose: its own bookkeeping table (and index), and
    SQLite's quirk that a TEXT PRIMARY KEY declared without NOT NULL accepts NULL (ids
    are always given; the metadata says NOT NULL)."""
    if isinstance(difference, tuple) and difference[0] in ("remove_table", "remove_index"):
        table = difference[1] if difference[0] == "remove_table" else difference[1].table
        return table.name == LEGACY_TABLE
    if isinstance(difference, list) and len(difference) == 1:
        kind, _schema, table, column = difference[0][:4]
        return kind == "modify_nullable" and column in metadata.tables[table].primary_key.columns
    return False


def test_the_upgraded_old_database_and_a_new_one_have_the_schema_of_the_metadata(tmp_path):
    """The baseline revision is exactly what the legacy migrations leave: after the
    upgrade, Alembic finds nothing between such a database and the single definition."""
    old, new = tmp_path / "old.db", tmp_path / "new.db"
    _old_database(old)
    migrate(old)
    migrate(new)
    assert _schema_differences(str(old)) == []
    assert _schema_differences(str(new)) == []
    with fresh_database(migrated=False) as url:
        migrate(url)
        assert _schema_differences(url) == []


def test_migrate_command_creates_then_finds_nothing_to_do(database, capsys):
    assert main(["migrate", *db_args(database)]) == 0
    assert capsys.readouterr().out.strip() == f"schema at revision {head_revision()}"
    assert main(["migrate", *db_args(database)]) == 0
    assert value(database, "SELECT version_num FROM alembic_version") == head_revision()
    assert value(database, "SELECT COUNT(*) FROM shops") == 0


def _migrate_together(args: list[str], count: int = 3) -> list[subprocess.CompletedProcess]:
    procs = [subprocess.Popen([sys.executable, "-m", "marketplace", "migrate", *args],
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for _ in range(count)]
    return [subprocess.CompletedProcess(p.args, p.wait(60), *p.communicate()) for p in procs]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_processes_migrating_a_new_database_at_once_create_it_once(backend, tmp_path):
    with contextlib.ExitStack() as stack:
        if backend == "sqlite":
            database = str(tmp_path / "together.db")
        else:
            database = stack.enter_context(fresh_database(migrated=False))
        done = _migrate_together(db_args(database))
        assert [p.returncode for p in done] == [0, 0, 0], [p.stderr for p in done]
        assert value(database, "SELECT COUNT(*) FROM alembic_version") == 1
        # The schema is whole and works.
        with EmbeddedMarketplace(database) as market:
            shop_id, code = market.create_shop("Boulangerie des trois")
            paired = httpx.post(f"{market.url}/v1/pair", json={"pairing_code": code})
            assert paired.status_code == 200 and paired.json()["shop_id"] == shop_id


def test_a_database_that_is_not_a_marketplace_is_refused_untouched(tmp_path):
    import sqlite3

    path = tmp_path / "other.db"
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute("CREATE TABLE shops (id TEXT)")
        conn.commit()
    with pytest.raises(RuntimeError, match="pas une base de la place de marché"):
        migrate(path)
    with contextlib.closing(sqlite3.connect(path)) as conn:
        assert [r[0] for r in conn.execute("SELECT name FROM sqlite_master")] == ["shops"]


@pytest.mark.parametrize("args,said", [
    (["migrate", "--database-url", "postgresql://postgres@127.0.0.1:1/nowhere"],
     "base de données inaccessible"),
    (["serve", "--database-url", "postgresql://postgres@127.0.0.1:1/nowhere", "--port", "0"],
     "base de données inaccessible"),
    (["list-shops", "--database-url", "mysql://u@127.0.0.1/x"],
     "base de données non prise en charge"),
])
def test_a_database_that_cannot_be_used_is_a_sentence_not_a_traceback(args, said, capsys):
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"comptoir-marketplace: {said}") and "Traceback" not in err
