"""Opening the shop's SQLite store: WAL, busy timeout, migrations, clear errors.

Every thread opens its own ``Store`` (SQLite connections are not shared
across threads). Environment problems (corrupted file, a file from a newer
Comptoir, disk full) are raised as ``StoreError`` with a message a shopkeeper
can act on; programming errors are left as they are.
"""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

import sqlite_utils

from posapp.store.migrations import MIGRATIONS
from sync.sqlite_tx import transaction

__all__ = ["Store", "StoreError", "open_store", "DB_FILENAME"]

DB_FILENAME = "comptoir.db"


class StoreError(RuntimeError):
    """The store cannot be used; ``str(err)`` is a message for the shopkeeper."""


class Store:
    """One connection to the shop's database (use from one thread only)."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(str(self.path), timeout=10.0, isolation_level=None)
            conn.execute("PRAGMA busy_timeout = 10000")
            # Reading the schema is the cheapest way to detect a file that is not a database.
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
        except sqlite3.DatabaseError as exc:
            raise StoreError(
                f"La base de données {self.path} est illisible ou endommagée ({exc}). "
                "Restaurez une sauvegarde ou choisissez un autre dossier de données."
            ) from exc
        except OSError as exc:
            raise StoreError(f"Impossible d’ouvrir {self.path} : {exc}") from exc
        self.conn = conn
        self.db = sqlite_utils.Database(conn)
        self._migrate()

    def _migrate(self) -> None:
        # Every migration this build knows: all of them are pending on an empty database.
        known = {m.name for m in MIGRATIONS.pending(sqlite_utils.Database(memory=True))}
        applied = {m.name for m in MIGRATIONS.applied(self.db)}
        unknown = applied - known
        if unknown:
            raise StoreError(
                f"La base {self.path} vient d’une version plus récente de Comptoir "
                f"({', '.join(sorted(unknown))}). Mettez Comptoir à jour."
            )
        try:
            MIGRATIONS.apply(self.db)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"Mise à jour de la base impossible : {exc}") from exc

    def transaction(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        """One logical change = one transaction (``sync.sqlite_tx.transaction``'s rules)."""
        return transaction(self.conn)

    def query(self, sql: str, params: tuple | dict = ()) -> list[sqlite3.Row]:
        cur = self.conn.execute(sql, params)
        cols = [d[0] for d in cur.description or ()]
        return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]  # type: ignore[misc]

    def query_one(self, sql: str, params: tuple | dict = ()) -> dict | None:
        rows = self.query(sql, params)
        return rows[0] if rows else None

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self.conn.close()


def open_store(data_dir: Path | str) -> Store:
    return Store(Path(data_dir) / DB_FILENAME)
