"""What the customer API adds for the storefront (routes in marketplace/app.py, OpenAPI too).

- Whether a shop takes orders right now ("open", "paused", "unattended"), in the
  catalogue and the shop list, so a customer sees it before filling a basket
  (the same rules as the order POST: a timed pause over counts as open).
- ``GET /v1/customer/shops``: the shops to pick from.
- ``GET …/orders/{id}?wait=&since=``: a long-poll on the order, woken by the shop's
  ChangeHub event like a counter's pull, so the status page follows the counter live.
- ``GET …/orders/{id}/qr.svg``: the ticket's QR code, for the order's secret holder.
- Pickup slots are checked against the shop's opening hours.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import unicodedata
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from marketplace import customer_access, orders
from marketplace.catalogue import customer_catalogue
from marketplace.errors import ApiError
from marketplace.presence import Presence
from marketplace.security import ORDER_SECRET_HEADER
from marketplace.shops import order_gate
from marketplace.storage import Database, read_tx
from marketplace.storefront.qr import qr_svg
from sync.protocol import parse_iso

if TYPE_CHECKING:  # app.py imports this module for its routes
    from marketplace.app import MarketState

__all__ = ["ORDERING_STATES", "MAX_SHOPS_LISTED", "ordering_state", "catalogue", "list_shops",
           "order_qr", "parse_wait", "read_order"]

ORDERING_STATES = ("open", "paused", "unattended")
MAX_SHOPS_LISTED = 50
_MAX_QUERY = 100
_MAX_SINCE = 64


def ordering_state(presence: Presence, shop_id: str, gate: Mapping[str, Any],
                   now: dt.datetime) -> str:
    """What an order placed now would meet (app._check_open's rules, read-only)."""
    until = parse_iso(gate["paused_until"])
    if gate["paused"] and (until is None or until > now):
        return "paused"
    return "open" if presence.attended(shop_id, dict(gate), now) else "unattended"


def _gate_and_catalogue(db: Database, shop_id: str) -> tuple[dict[str, Any] | None,
                                                             dict[str, Any]]:
    return order_gate(db, shop_id), customer_catalogue(db, shop_id)


async def catalogue(st: MarketState, shop_id: str) -> dict[str, Any]:
    """The customer catalogue with the shop's ordering state."""
    gate, body = await st.db(_gate_and_catalogue, shop_id)
    assert gate is not None  # the catalogue raised 404 for an unknown shop
    body["shop"]["ordering"] = ordering_state(st.presence, shop_id, gate,
                                              dt.datetime.now(dt.UTC))
    return body


def _folded(text: str) -> str:
    """For matching a search: no case, no accents ("etoile" finds "Étoile")."""
    return "".join(c for c in unicodedata.normalize("NFKD", text.casefold())
                   if not unicodedata.combining(c))


def _shops(db: Database, query: str) -> list[dict[str, Any]]:
    """Up to MAX_SHOPS_LISTED shops matching ``query`` (name or address), by name, each with
    its order gate. Matched in Python: SQLite's LOWER() knows no accents, and the same
    answer is wanted on both databases."""
    wanted = _folded(query)
    with read_tx(db) as tx:
        ids = [r["id"] for r in tx.rows("SELECT id, name, address FROM shops ORDER BY name, id")
               if wanted in _folded(r["name"]) or wanted in _folded(r["address"])]
        ids = ids[:MAX_SHOPS_LISTED]
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        return tx.rows(
            "SELECT s.id, s.name, s.address, s.paused, s.paused_until,"
            " MAX(d.last_seen_at) AS last_seen FROM shops s LEFT JOIN devices d"
            " ON d.shop_id = s.id AND d.revoked_at IS NULL"
            f" WHERE s.id IN ({marks}) GROUP BY s.id, s.name, s.address, s.paused, s.paused_until"
            " ORDER BY s.name, s.id", ids)


async def list_shops(request: Request) -> Response:
    st = request.app.state.market
    query = request.query_params.get("q", "")
    if len(query) > _MAX_QUERY:  # before stripping: the schema's maxLength counts it all
        raise ApiError.invalid(f"q is longer than {_MAX_QUERY} characters", field="q")
    query = query.strip()
    now = dt.datetime.now(dt.UTC)
    rows = await st.search_db(_shops, query)
    return JSONResponse({"shops": [
        {"id": r["id"], "name": r["name"], "address": r["address"],
         "ordering": ordering_state(st.presence, r["id"], r, now)} for r in rows]})


async def order_qr(request: Request) -> Response:
    st = request.app.state.market
    p = request.path_params
    await st.db(customer_access.check_secret, p["shop_id"], p["order_id"],
                request.headers.get(ORDER_SECRET_HEADER, ""))
    return Response(qr_svg(p["order_id"]), media_type="image/svg+xml",
                    headers={"Cache-Control": "private, max-age=86400"})


def parse_wait(query: Mapping[str, str], max_wait: float) -> tuple[str | None, float]:
    """(since, wait) of a long-poll on an order: answer once its updated_at differs from
    ``since``, or after ``wait`` seconds (0: at once, like a plain read)."""
    since = query.get("since")
    try:
        wait = float(query.get("wait", "0"))
    except ValueError as exc:
        raise ApiError.invalid("wait must be a number of seconds", field="wait") from exc
    if not 0 <= wait < float("inf"):
        raise ApiError.invalid("wait must be a non-negative number of seconds", field="wait")
    if since is not None and len(since) > _MAX_SINCE:
        raise ApiError.invalid(f"since is longer than {_MAX_SINCE} characters", field="since")
    return since, min(wait, max_wait)


async def read_order(st: MarketState, shop_id: str, order_id: str, since: str | None,
                     wait: float) -> dict[str, Any]:
    """The order, once it changed from ``since`` or ``wait`` seconds passed.

    The shop's hub event is taken before each read (hub.py), so a status change committed
    after the read wakes this wait: nothing is missed, no thread is held while waiting."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    while True:
        event = st.hub.watch(shop_id)
        order = await st.db(orders.get_order, shop_id, order_id, st.settings.auto_reject_after_s)
        remaining = deadline - loop.time()
        if (since is None or order["updated_at"] != since or remaining <= 0 or st.hub.closing
                or not await st.hub.wait(event, remaining)):
            return order

