"""Operator actions shared by the CLI and EmbeddedMarketplace (not reachable over HTTP)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from marketplace.catalogue import DEMO_PRODUCTS, DEMO_SHOP, DEMO_SHOP_ID, add_product
from marketplace.shops import insert_shop, issue_pairing_code
from marketplace.storage import Database, read_tx, write_tx

__all__ = ["create_shop", "new_pairing_code", "add_products", "seed_demo", "list_shops"]


def create_shop(db: Database, name: str, address: str = "",
                products: Iterable[Mapping[str, Any]] = (), *,
                time_zone: str = "") -> tuple[str, str]:
    """A new shop (with an optional catalogue) and its first pairing code."""
    if not name.strip():
        raise ValueError("a shop needs a name")
    with write_tx(db) as tx:
        shop_id = insert_shop(tx, name.strip(), address.strip(), time_zone=time_zone.strip())
        for product in products:
            add_product(tx, shop_id, product)
        return shop_id, issue_pairing_code(tx, shop_id)


def new_pairing_code(db: Database, shop_id: str) -> str:
    """A fresh single-use pairing code; KeyError for an unknown shop."""
    with write_tx(db) as tx:
        return issue_pairing_code(tx, shop_id)


def add_products(db: Database, shop_id: str, products: Iterable[Mapping[str, Any]]) -> None:
    with write_tx(db) as tx:
        if tx.row("SELECT 1 AS x FROM shops WHERE id = ?", (shop_id,)) is None:
            raise KeyError(f"unknown shop {shop_id!r}")
        for product in products:
            add_product(tx, shop_id, product)


def seed_demo(db: Database) -> tuple[str, str]:
    """The demo shop (created once, then reused with today's stock) and a fresh pairing code."""
    with write_tx(db) as tx:
        if tx.row("SELECT 1 AS x FROM shops WHERE id = ?", (DEMO_SHOP_ID,)) is None:
            insert_shop(tx, DEMO_SHOP["name"], DEMO_SHOP["address"], shop_id=DEMO_SHOP_ID,
                        time_zone="Europe/Paris")
        for product in DEMO_PRODUCTS:
            add_product(tx, DEMO_SHOP_ID, product, replace=False)
        return DEMO_SHOP_ID, issue_pairing_code(tx, DEMO_SHOP_ID)


def list_shops(db: Database) -> list[dict[str, Any]]:
    with read_tx(db) as tx:
        return tx.rows("SELECT id, name, address, paused, created_at FROM shops ORDER BY created_at")
