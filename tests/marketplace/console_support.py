"""Helpers for the operator console's tests: an operator over real HTTP, known orders."""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import re
from pathlib import Path
from typing import Any

import httpx

from marketplace.console import auth
from marketplace.ids import new_id
from marketplace.storage import open_database, write_tx
from sync.protocol import to_iso

_CSRF = re.compile(r'name="csrf" value="([^"]+)"')
_names = itertools.count(1)
_numbers = itertools.count(1)


def new_operator(db_path: str | Path, prefix: str = "op") -> tuple[str, str]:
    """A fresh account (as the CLI makes it): (name, password)."""
    name = f"{prefix}{next(_names)}"
    with contextlib.closing(open_database(db_path)) as db:
        return name, auth.add_operator(db, name)


class Console:
    """An operator's browser, reduced to HTTP: cookies, forms and their CSRF token."""

    def __init__(self, url: str, **client: Any):
        self.url = url
        self.http = httpx.Client(base_url=url, follow_redirects=False, **{"timeout": 10, **client})
        self.last: httpx.Response | None = None

    def close(self) -> None:
        self.http.close()

    def get(self, path: str) -> httpx.Response:
        self.last = self.http.get(path)
        return self.last

    def csrf(self, path: str = "/console/shops") -> str:
        page = self.get(path)
        found = _CSRF.search(page.text)
        assert found, page.text[:500]
        return found.group(1)

    def login(self, name: str, password: str) -> httpx.Response:
        token = self.csrf("/console/login")
        return self.http.post("/console/login", data={"csrf": token, "name": name,
                                                      "password": password})

    def post(self, path: str, csrf_from: str = "/console/shops", **data: str) -> httpx.Response:
        """A form POST carrying the session's token (read from a page, as a browser would)."""
        self.last = self.http.post(path, data={"csrf": self.csrf(csrf_from), **data})
        return self.last


def logged_in(url: str, db_path: str | Path, **client: Any) -> tuple[Console, str]:
    name, password = new_operator(db_path)
    console = Console(url, **client)
    response = console.login(name, password)
    assert response.status_code == 303, response.text
    return console, name


def add_order(db_path: str | Path, shop_id: str, created: dt.datetime, status: str,
              total_cents: int = 1000, *, accepted_after_s: float | None = None,
              ready_after_s: float | None = None, ready_by_after_s: float | None = None,
              reason: str | None = None) -> str:
    """An order with a known history (times relative to ``created``), written directly: the
    KPIs read what the protocol wrote, and waiting minutes for real delays is no test."""
    order_id = new_id("ord")

    def at(seconds: float) -> str:
        return to_iso(created + dt.timedelta(seconds=seconds))

    ready_by = at(ready_by_after_s) if ready_by_after_s is not None else None
    with contextlib.closing(open_database(db_path)) as db, write_tx(db) as tx:
        tx.execute("INSERT INTO orders (id, shop_id, number, status, channel, customer_name,"
                   " customer_phone, total_cents, created_at, updated_at, version, ready_by,"
                   " reject_reason) VALUES (?, ?, ?, ?, 'collect', 'Zoé', '0600000000', ?, ?,"
                   " ?, ?, ?, ?)",
                   (order_id, shop_id, next(_numbers), status, total_cents, at(0), at(0),
                    tx.version(shop_id), ready_by, reason))
        steps = [("new", 0.0, "customer")]
        if accepted_after_s is not None:
            steps.append(("accepted", accepted_after_s, "shop"))
        if ready_after_s is not None:
            steps.append(("ready", ready_after_s, "shop"))
        if status in ("rejected", "cancelled", "completed"):
            last = max(s for _, s, _ in steps) + 1
            actor = {"rejected": "marketplace" if reason == "timeout" else "shop",
                     "cancelled": "customer", "completed": "shop"}[status]
            steps.append((status, last, actor))
        for step, after, actor in steps:
            tx.execute("INSERT INTO order_history (order_id, status, at, actor, reason)"
                       " VALUES (?, ?, ?, ?, ?)", (order_id, step, at(after), actor, reason))
    return order_id
