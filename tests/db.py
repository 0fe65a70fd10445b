"""Reading and poking a marketplace database from a test, on SQLite or PostgreSQL alike."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from marketplace.storage import open_database, write_tx


def sql(target: Any, statement: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
    """Run one statement (``?`` placeholders) in its own transaction on the database of
    ``target`` (an EmbeddedMarketplace, a path or a URL); its rows, if it returns any."""
    url = target if isinstance(target, (str, Path)) else target.database_url
    with contextlib.closing(open_database(url)) as db, write_tx(db) as tx:
        cursor = tx.execute(statement, params)
        if cursor.description is None:
            return []
        keys = [d[0] for d in cursor.description]
        return [dict(zip(keys, values, strict=True)) for values in cursor.fetchall()]


def value(target: Any, statement: str, params: tuple[Any, ...] = ()) -> Any:
    """The first column of the first row (None if no row)."""
    found = sql(target, statement, params)
    return next(iter(found[0].values())) if found else None


def lock_waiters(url: str) -> int:
    """Sessions of this PostgreSQL database waiting for a lock right now."""
    return int(value(url, "SELECT COUNT(*) FROM pg_stat_activity WHERE datname ="
                          " current_database() AND wait_event_type = 'Lock'"))
