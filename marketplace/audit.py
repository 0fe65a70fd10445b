"""The audit log of operator actions: who did what, when, on which shop.

Every operator action (console or CLI) writes its row inside the transaction
that makes the change, so there is never a change without its record nor a
record of a change that did not happen. ``actor`` is ``"console:<name>"`` for
an operator of the console and ``"cli:<system user>"`` for the command line.
"""

from __future__ import annotations

import getpass
import json
import secrets
import threading
import time
from typing import Any

from marketplace.storage import Database, Tx, read_tx

__all__ = ["record", "recent", "cli_actor", "console_actor", "MAX_PAGE"]

MAX_PAGE = 200
_last_ns = 0
_ids = threading.Lock()


def _new_id() -> str:
    """Ids that sort in the order this process wrote them (two rows of one transaction share
    its time), with random bits so other processes never collide."""
    global _last_ns
    with _ids:
        _last_ns = max(time.time_ns(), _last_ns + 1)
        return f"audit_{_last_ns:020d}_{secrets.token_hex(4)}"


def cli_actor() -> str:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (containers)
        user = "?"
    return f"cli:{user}"


def console_actor(operator_name: str) -> str:
    return f"console:{operator_name}"


def record(tx: Tx, actor: str | None, action: str, shop_id: str | None = None,
           **detail: Any) -> None:
    """Write one audit row in ``tx`` (no actor: an internal call, not an operator's)."""
    if actor is None:
        return
    tx.execute("INSERT INTO audit_log (id, at, actor, action, shop_id, detail)"
               " VALUES (?, ?, ?, ?, ?, ?)",
               (_new_id(), tx.now, actor, action, shop_id,
                json.dumps(detail, ensure_ascii=False, sort_keys=True)))


def recent(db: Database, shop_id: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
    """The latest rows, newest first (all shops, or one); ``detail`` decoded."""
    limit = max(1, min(limit, MAX_PAGE))
    # (No "? IS NULL" test: PostgreSQL cannot type a parameter compared only with NULL.)
    where, params = ("WHERE a.shop_id = ?", (shop_id, limit)) if shop_id else ("", (limit,))
    with read_tx(db) as tx:
        rows = tx.rows("SELECT a.id, a.at, a.actor, a.action, a.shop_id, a.detail,"
                       " s.name AS shop_name FROM audit_log a LEFT JOIN shops s"
                       f" ON s.id = a.shop_id {where} ORDER BY a.at DESC, a.id DESC LIMIT ?",
                       params)
    for row in rows:
        row["detail"] = json.loads(row["detail"] or "{}")
    return rows
