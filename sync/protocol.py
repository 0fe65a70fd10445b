"""The shop ⇄ marketplace sync protocol: names, shapes and rules both ends share.

The wire format is written down in ``docs/PROTOCOL.md``; this module is its
executable half. It has no I/O and imports neither Qt nor HTTP, so the
reference server (``marketplace/``) and the shop's sync engine (``sync/``)
validate against the very same rules.

Times on the wire are ISO 8601 UTC strings ending in ``Z``; money is integer
cents; quantities are integers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

__all__ = [
    "API_PREFIX",
    "MAX_PUSH_BATCH",
    "MAX_WAIT_SECONDS",
    "MUTATIONS",
    "ORDER_STATUSES",
    "OPEN_STATUSES",
    "TERMINAL_STATUSES",
    "REJECT_REASONS",
    "SHOP_REJECT_REASONS",
    "STOCK_REASONS",
    "MAX_STOCK_DELTA",
    "CHANNELS",
    "MutationError",
    "Mutation",
    "validate_mutation",
    "order_transition_allowed",
    "utcnow_iso",
    "to_iso",
    "parse_iso",
]

API_PREFIX = "/v1"
MAX_PUSH_BATCH = 500  # mutations per push request; the client sends the rest next round
MAX_WAIT_SECONDS = 30.0  # longest long-poll the server holds open

# Order statuses (close to HubRise's public model, see DESIGN.md).
ORDER_STATUSES = ("new", "accepted", "ready", "completed", "rejected", "cancelled")
OPEN_STATUSES = ("new", "accepted", "ready")
TERMINAL_STATUSES = ("completed", "rejected", "cancelled")
CHANNELS = ("collect", "delivery")

SHOP_REJECT_REASONS = ("out_of_stock", "closing", "too_busy", "other")  # what a shop may say
REJECT_REASONS = (*SHOP_REJECT_REASONS, "timeout")  # "timeout": the marketplace's auto-reject
STOCK_REASONS = ("counter_sale", "restock", "waste", "correction", "count")
MAX_STOCK_DELTA = 1_000_000  # one movement; keeps every stock sum far inside 64-bit integers

# Who may move an order from which status to which. The shop moves orders with
# mutations; the customer/marketplace may cancel; the marketplace times out.
_SHOP_TRANSITIONS: dict[str, set[str]] = {
    "new": {"accepted", "rejected", "completed"},
    "accepted": {"ready", "completed"},
    "ready": {"completed"},
}
_MARKETPLACE_TRANSITIONS: dict[str, set[str]] = {
    "new": {"cancelled", "rejected"},
    "accepted": {"cancelled"},
    "ready": {"cancelled"},
}

# Mutation name → (target status for order mutations, required args).
MUTATIONS: dict[str, tuple[str | None, tuple[str, ...]]] = {
    "stock.adjust": (None, ("sku", "delta", "reason")),
    "product.set_available": (None, ("sku", "available")),
    "order.accept": ("accepted", ("order_id", "ready_by")),
    "order.reject": ("rejected", ("order_id", "reason")),
    "order.ready": ("ready", ("order_id",)),
    "order.collected": ("completed", ("order_id",)),
    "shop.pause": (None, ("paused",)),  # optional paused_until: the shop reopens by itself
}


class MutationError(ValueError):
    """A mutation the server refuses: ``code`` is stable, ``message`` is for humans."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Mutation:
    id: int
    name: str
    args: dict[str, Any]
    at: str

    def to_wire(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "args": self.args, "at": self.at}


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def validate_mutation(name: str, args: Any) -> None:
    """Check a mutation's shape (not its meaning against data). Raises MutationError."""
    if name not in MUTATIONS:
        raise MutationError("unknown_mutation", f"unknown mutation {name!r}")
    if not isinstance(args, dict):
        raise MutationError("bad_args", "args must be an object")
    _, required = MUTATIONS[name]
    missing = [key for key in required if key not in args]
    if missing:
        raise MutationError("bad_args", f"{name}: missing {', '.join(missing)}")
    if "sku" in required and (not isinstance(args["sku"], str) or not args["sku"]):
        raise MutationError("bad_args", "sku must be a non-empty string")
    if "order_id" in required and (not isinstance(args["order_id"], str) or not args["order_id"]):
        raise MutationError("bad_args", "order_id must be a non-empty string")
    if name == "stock.adjust":
        if not _is_int(args["delta"]) or args["delta"] == 0:
            raise MutationError("bad_args", "delta must be a non-zero integer")
        if abs(args["delta"]) > MAX_STOCK_DELTA:
            raise MutationError("bad_args", f"a stock movement is at most {MAX_STOCK_DELTA:,}")
        if args["reason"] not in STOCK_REASONS:
            raise MutationError("bad_args", f"unknown stock reason {args['reason']!r}")
    elif name == "product.set_available":
        if not isinstance(args["available"], bool):
            raise MutationError("bad_args", "available must be true or false")
    elif name == "shop.pause":
        if not isinstance(args["paused"], bool):
            raise MutationError("bad_args", "paused must be true or false")
        until = args.get("paused_until")
        if until is not None and (not args["paused"] or parse_iso(until) is None):
            raise MutationError("bad_args", "paused_until must be an ISO 8601 UTC time,"
                                            " given only with paused true")
    elif name == "order.accept":
        if parse_iso(args["ready_by"]) is None:
            raise MutationError("bad_args", "ready_by must be an ISO 8601 UTC time")
    elif name == "order.reject":
        if args["reason"] not in SHOP_REJECT_REASONS:
            raise MutationError("bad_args", f"unknown reject reason {args['reason']!r}")


def order_transition_allowed(current: str, target: str, *, by_shop: bool = True) -> bool:
    table = _SHOP_TRANSITIONS if by_shop else _MARKETPLACE_TRANSITIONS
    return target in table.get(current, set())


def utcnow_iso() -> str:
    now = dt.datetime.now(dt.UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def to_iso(moment: dt.datetime) -> str:
    moment = moment.astimezone(dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_iso(value: Any) -> dt.datetime | None:
    """Parse a wire time; None when it is not one (never raises)."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        if moment.tzinfo is None:
            return None
        moment = moment.astimezone(dt.UTC)
    except (ValueError, OverflowError):  # e.g. year 1 at +01:00 falls off the calendar
        return None
    # Times a shop can act on; year 9999 would break every later date computation.
    return moment if 2000 <= moment.year <= 2999 else None
