"""Payment is not the customer's word: only a signed notification marks an order paid.

The anonymous order request cannot say ``paid`` (validation refuses it): the
ticket would print "PAYÉ" and the shop would hand the goods over on the
customer's say-so. Instead the operator's payment service posts a notification
signed with a secret it shares with the marketplace, the way payment
providers sign their webhooks (Stripe's scheme):

    POST /v1/payments/notify
    X-Comptoir-Timestamp: 1795776000                       (Unix seconds)
    X-Comptoir-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>." + raw body)>
    {"shop_id": "shop_…", "order_id": "ord_…", "amount_cents": 630, "reference": "pi_…"}

The timestamp, inside the signature, bounds replays to ``TOLERANCE_S``; the
amount must be the order's total; a second notification for a paid order
changes nothing. Without a configured secret the endpoint does not exist.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

from starlette.requests import Request

from marketplace.errors import ApiError
from marketplace.orders import find_order, orders_to_wire
from marketplace.security import require_json
from marketplace.storage import Database, write_tx
from marketplace.validation import as_int

__all__ = ["TOLERANCE_S", "SIGNATURE_HEADER", "TIMESTAMP_HEADER", "sign", "verify",
           "read_notification", "mark_paid"]

TOLERANCE_S = 300
SIGNATURE_HEADER = "X-Comptoir-Signature"
TIMESTAMP_HEADER = "X-Comptoir-Timestamp"
_MAX_BYTES = 16 * 1024  # three 200-character strings, even \u-escaped, and a number


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The header value a payment service sends (also what tests and the demo use)."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret: str, timestamp_header: str, signature: str, body: bytes,
           now: float | None = None) -> None:
    bad = ApiError(401, "bad_signature", "Notification de paiement non signée ou mal signée.")
    if not timestamp_header.isdigit() or len(timestamp_header) > 12:
        raise bad
    if not hmac.compare_digest(sign(secret, int(timestamp_header), body), signature):
        raise bad
    if abs((now if now is not None else time.time()) - int(timestamp_header)) > TOLERANCE_S:
        raise ApiError(401, "stale_notification",
                       "Notification de paiement trop ancienne (rejouée ?).")


async def read_notification(request: Request, secret: str | None) -> dict[str, Any]:
    """The checked body of a signed notification; 404 when payments are not configured."""
    if not secret:
        raise ApiError(404, "not_found", "Pas de notification de paiement sur ce serveur.")
    require_json(request)
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > _MAX_BYTES:
            raise ApiError(413, "payload_too_large", "Notification trop grosse.")
    verify(secret, request.headers.get(TIMESTAMP_HEADER, ""),
           request.headers.get(SIGNATURE_HEADER, ""), body)
    try:
        value = json.loads(body)
    except ValueError as exc:
        raise ApiError(400, "invalid_json", "Le corps de la requête n’est pas du JSON valide.") \
            from exc
    if not isinstance(value, dict):
        raise ApiError.invalid("body must be a JSON object")
    extra = set(value) - {"shop_id", "order_id", "amount_cents", "reference"}
    if extra:
        raise ApiError.invalid(f"unknown field {sorted(extra)[0]}", field=sorted(extra)[0])
    for key in ("shop_id", "order_id", "reference"):
        if not isinstance(value.get(key), str) or not 0 < len(value[key]) <= 200:
            raise ApiError.invalid(f"{key} must be a short string", field=key)
    amount = as_int(value.get("amount_cents"))
    if amount is None or amount < 0:
        raise ApiError.invalid("amount_cents must be a non-negative integer",
                               field="amount_cents")
    value["amount_cents"] = amount
    return value


def mark_paid(db: Database, shop_id: str, order_id: str, amount_cents: int,
              reference: str) -> tuple[dict[str, Any], bool]:
    """Record a confirmed payment; returns the ORDER and whether it changed."""
    with write_tx(db) as tx:
        tx.lock_shop(shop_id)  # the "already paid" check holds until the change is committed
        order = find_order(tx, shop_id, order_id)
        if order is None:
            raise ApiError(404, "unknown_order", f"Commande inconnue : {order_id}")
        if order["total_cents"] != amount_cents:
            raise ApiError(409, "amount_mismatch",
                           f"Montant payé {amount_cents} ≠ total de la commande "
                           f"{order['total_cents']} (centimes).")
        changed = not order["paid"]
        if changed:
            tx.execute("UPDATE orders SET paid = 1, payment_ref = ?, updated_at = ?, version = ?"
                       " WHERE id = ?", (reference, tx.now, tx.version(shop_id), order_id))
            order = find_order(tx, shop_id, order_id)
            assert order is not None
        return orders_to_wire(tx, [order])[0], changed
