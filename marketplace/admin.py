"""Operator actions shared by the CLI, the operator console and EmbeddedMarketplace.

One definition of each: the CLI (``__main__.py``) and the console
(``console/``) call these same functions. ``actor`` (audit.py) names who acts;
with one, the action's audit row is written in the action's own transaction.
Changes a shop's counters see (pause, name, time zone) need a wake-up of its
long-polls after the call (``MarketState.hub.notify`` in the server).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from marketplace import audit
from marketplace.catalogue import DEMO_PRODUCTS, DEMO_SHOP, DEMO_SHOP_ID, add_product
from marketplace.opening_hours import DEMO_HOURS, dump_hours
from marketplace.order_limits import unprintable
from marketplace.shops import insert_shop, issue_pairing_code, set_paused, valid_time_zone
from marketplace.storage import Database, read_tx, write_tx

__all__ = ["create_shop", "new_pairing_code", "add_products", "seed_demo", "list_shops",
           "get_shop", "update_shop", "pause_shop", "set_opening_hours", "MAX_NAME",
           "MAX_ADDRESS"]

MAX_NAME = 120
MAX_ADDRESS = 300


def _check_shop_fields(name: str, address: str, time_zone: str) -> None:
    if not name:
        raise ValueError("Le nom de la boutique est obligatoire.")
    if len(name) > MAX_NAME:
        raise ValueError(f"Nom trop long : au plus {MAX_NAME} caractères.")
    if len(address) > MAX_ADDRESS:
        raise ValueError(f"Adresse trop longue : au plus {MAX_ADDRESS} caractères.")
    # Shown on the storefront and the counters, printed on tickets (an ESC is a printer
    # command, a bidi override reverses what follows it): refused as customers' text is.
    for label, value in (("Le nom", name), ("L’adresse", address)):
        if unprintable(value):
            raise ValueError(f"{label} contient un caractère invisible ou de contrôle (retour à"
                             " la ligne, tabulation, caractère de direction du texte…) :"
                             " retapez-le.")
    if not valid_time_zone(time_zone):
        raise ValueError(f"Fuseau horaire inconnu : « {time_zone} » (exemple : Europe/Paris).")


def create_shop(db: Database, name: str, address: str = "",
                products: Iterable[Mapping[str, Any]] = (), *,
                time_zone: str = "", actor: str | None = None) -> tuple[str, str]:
    """A new shop (with an optional catalogue) and its first pairing code."""
    name, address, time_zone = name.strip(), address.strip(), time_zone.strip()
    _check_shop_fields(name, address, time_zone)
    with write_tx(db) as tx:
        shop_id = insert_shop(tx, name, address, time_zone=time_zone)
        for product in products:
            add_product(tx, shop_id, product)
        code = issue_pairing_code(tx, shop_id)
        audit.record(tx, actor, "shop.create", shop_id, name=name, address=address,
                     time_zone=time_zone)
        audit.record(tx, actor, "code.issue", shop_id)
        return shop_id, code


def new_pairing_code(db: Database, shop_id: str, *, actor: str | None = None) -> str:
    """A fresh single-use pairing code; KeyError for an unknown shop."""
    with write_tx(db) as tx:
        code = issue_pairing_code(tx, shop_id)
        audit.record(tx, actor, "code.issue", shop_id)
        return code


def get_shop(db: Database, shop_id: str) -> dict[str, Any]:
    """The shop's row; KeyError for an unknown shop."""
    with read_tx(db) as tx:
        shop = tx.row("SELECT id, name, address, paused, paused_until, time_zone,"
                      " opening_hours, created_at FROM shops WHERE id = ?", (shop_id,))
    if shop is None:
        raise KeyError(f"unknown shop {shop_id!r}")
    return shop


def update_shop(db: Database, shop_id: str, *, name: str | None = None,
                address: str | None = None, time_zone: str | None = None,
                actor: str | None = None) -> dict[str, Any]:
    """Change a shop's name, address or time zone (None = unchanged); the counters see it at
    their next pull. Returns the fields that changed (old, new); KeyError, ValueError."""
    with write_tx(db) as tx:
        tx.lock_shop(shop_id)  # the read below holds until the update is committed
        shop = tx.row("SELECT name, address, time_zone FROM shops WHERE id = ?", (shop_id,))
        if shop is None:
            raise KeyError(f"unknown shop {shop_id!r}")
        wanted = {"name": name, "address": address, "time_zone": time_zone}
        new = {k: (v.strip() if v is not None else shop[k]) for k, v in wanted.items()}
        _check_shop_fields(new["name"], new["address"], new["time_zone"])
        changed = {k: [shop[k], new[k]] for k in new if new[k] != shop[k]}
        if changed:
            tx.execute("UPDATE shops SET name = ?, address = ?, time_zone = ?, version = ?"
                       " WHERE id = ?", (new["name"], new["address"], new["time_zone"],
                                         tx.version(shop_id), shop_id))
            audit.record(tx, actor, "shop.update", shop_id, **changed)
        return changed


def pause_shop(db: Database, shop_id: str, paused: bool, until: str | None = None, *,
               actor: str | None = None) -> None:
    """Pause a shop (until ``until``, ISO UTC, or until reopened) or reopen it, as the
    counter's own pause button does; KeyError for an unknown shop."""
    with write_tx(db) as tx:
        if not set_paused(tx, shop_id, paused, until):
            raise KeyError(f"unknown shop {shop_id!r}")
        audit.record(tx, actor, "shop.pause" if paused else "shop.resume", shop_id,
                     **({"until": until} if paused and until else {}))


def add_products(db: Database, shop_id: str, products: Iterable[Mapping[str, Any]]) -> None:
    with write_tx(db) as tx:
        if tx.row("SELECT 1 AS x FROM shops WHERE id = ?", (shop_id,)) is None:
            raise KeyError(f"unknown shop {shop_id!r}")
        for product in products:
            add_product(tx, shop_id, product)


def set_opening_hours(db: Database, shop_id: str, hours: Mapping[str, Any] | None, *,
                      actor: str | None = None) -> None:
    """Set (None: clear) a shop's opening hours (opening_hours.py); KeyError for no shop,
    ValueError (French) for hours that do not parse."""
    text = "" if hours is None else dump_hours(hours)
    with write_tx(db) as tx:
        if tx.row("UPDATE shops SET opening_hours = ? WHERE id = ? RETURNING id",
                  (text, shop_id)) is None:
            raise KeyError(f"unknown shop {shop_id!r}")
        audit.record(tx, actor, "shop.hours", shop_id, hours=text or None)


def seed_demo(db: Database) -> tuple[str, str]:
    """The demo shop (created once, then reused with today's stock) and a fresh pairing code."""
    with write_tx(db) as tx:
        if tx.row("SELECT 1 AS x FROM shops WHERE id = ?", (DEMO_SHOP_ID,)) is None:
            insert_shop(tx, DEMO_SHOP["name"], DEMO_SHOP["address"], shop_id=DEMO_SHOP_ID,
                        time_zone="Europe/Paris")
            tx.execute("UPDATE shops SET opening_hours = ? WHERE id = ?",
                       (dump_hours(DEMO_HOURS), DEMO_SHOP_ID))
        for product in DEMO_PRODUCTS:
            add_product(tx, DEMO_SHOP_ID, product, replace=False)
        return DEMO_SHOP_ID, issue_pairing_code(tx, DEMO_SHOP_ID)


def list_shops(db: Database) -> list[dict[str, Any]]:
    with read_tx(db) as tx:
        return tx.rows("SELECT id, name, address, paused, paused_until, time_zone, created_at"
                       " FROM shops ORDER BY created_at, id")
