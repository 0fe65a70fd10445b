"""Checking what comes off the wire before anything of it touches the shop's store.

A pull is all-or-nothing: one malformed order makes the whole answer
invalid (``ProtocolError``), the cursor does not move and the engine retries
later, so nothing is skipped silently.
"""

from __future__ import annotations

from typing import Any

from sync.protocol import CHANNELS, ORDER_STATUSES, parse_iso

__all__ = ["ProtocolError", "parse_pull", "parse_push_response", "parse_order", "parse_product"]


class ProtocolError(ValueError):
    """The server answered something that does not follow docs/PROTOCOL.md."""


_INT64 = 2**63 - 1


def _req(obj: dict, key: str, kind: type | tuple[type, ...], where: str) -> Any:
    if not isinstance(obj, dict) or key not in obj:
        raise ProtocolError(f"{where}: missing {key!r}")
    value = obj[key]
    if isinstance(value, bool) and kind is int:
        raise ProtocolError(f"{where}: {key!r} must be an integer")
    if not isinstance(value, kind):
        raise ProtocolError(f"{where}: {key!r} has the wrong type")
    if kind is int and not -_INT64 <= value <= _INT64:  # SQLite stores 64-bit integers
        raise ProtocolError(f"{where}: {key!r} is out of range")
    return value


def _opt_str(obj: dict, key: str, where: str) -> str | None:
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ProtocolError(f"{where}: {key!r} must be a string")
    return value


def _opt_time(obj: dict, key: str, where: str) -> str | None:
    value = _opt_str(obj, key, where)
    if value is not None and parse_iso(value) is None:
        raise ProtocolError(f"{where}: {key!r} is not an ISO time")
    return value


def _lenient_time(value: Any) -> str | None:
    return value if isinstance(value, str) and parse_iso(value) is not None else None


def parse_order(raw: Any) -> dict[str, Any]:
    where = "order"
    if not isinstance(raw, dict):
        raise ProtocolError("order must be an object")
    order_id = _req(raw, "id", str, where)
    where = f"order {order_id}"
    status = _req(raw, "status", str, where)
    if status not in ORDER_STATUSES:
        raise ProtocolError(f"{where}: unknown status {status!r}")
    channel = _req(raw, "channel", str, where)
    if channel not in CHANNELS:
        raise ProtocolError(f"{where}: unknown channel {channel!r}")
    customer = raw.get("customer") or {}
    if not isinstance(customer, dict):
        raise ProtocolError(f"{where}: customer must be an object")
    lines = []
    raw_lines = _req(raw, "lines", list, where)
    for i, line in enumerate(raw_lines):
        lw = f"{where} line {i}"
        options = line.get("options") or [] if isinstance(line, dict) else []
        if not isinstance(options, list) or not all(isinstance(o, str) for o in options):
            raise ProtocolError(f"{lw}: options must be a list of strings")
        lines.append(
            {
                "sku": _req(line, "sku", str, lw),
                "name": _req(line, "name", str, lw),
                "qty": _req(line, "qty", int, lw),
                "unit_price_cents": _req(line, "unit_price_cents", int, lw),
                "options": options,
            }
        )
    history = []
    for entry in raw.get("history") or []:
        if not isinstance(entry, dict):
            raise ProtocolError(f"{where}: history entries must be objects")
        history.append(
            {
                "status": _req(entry, "status", str, where),
                "at": _opt_time(entry, "at", where) or "",
                "by": _opt_str(entry, "by", where) or "",
            }
        )
    return {
        "id": order_id,
        "number": _req(raw, "number", int, where),
        "status": status,
        "channel": channel,
        "customer_name": _opt_str(customer, "name", where) or "",
        "customer_phone": _opt_str(customer, "phone", where) or "",
        "customer_address": _opt_str(customer, "address", where),
        "lines": lines,
        "total_cents": _req(raw, "total_cents", int, where),
        "note": _opt_str(raw, "note", where) or "",
        "allergens": _opt_str(raw, "allergens", where) or "",
        "paid": bool(raw.get("paid", False)),
        "pickup_slot": _opt_time(raw, "pickup_slot", where),
        "ready_by": _opt_time(raw, "ready_by", where),
        "respond_by": _opt_time(raw, "respond_by", where),  # absent from older servers
        "reject_reason": _opt_str(raw, "reject_reason", where),
        "created_at": _opt_time(raw, "created_at", where) or "",
        "updated_at": _opt_time(raw, "updated_at", where) or "",
        "history": history,
    }


def parse_product(raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise ProtocolError("product must be an object")
    sku = _req(raw, "sku", str, "product")
    where = f"product {sku}"
    threshold = raw.get("low_stock_threshold", 0)
    if not isinstance(threshold, int) or isinstance(threshold, bool):
        raise ProtocolError(f"{where}: low_stock_threshold must be an integer")
    return {
        "sku": sku,
        "name": _req(raw, "name", str, where),
        "price_cents": _req(raw, "price_cents", int, where),
        "barcode": _opt_str(raw, "barcode", where),
        "category": _opt_str(raw, "category", where),
        "active": bool(raw.get("active", True)),
        "available": bool(raw.get("available", True)),
        "low_stock_threshold": threshold,
        "stock": _req(raw, "stock", int, where),
    }


def parse_pull(raw: Any, asked_cursor: int | None = None,
               after_reset: bool = False) -> dict[str, Any]:
    """The whole answer checked, or ProtocolError (whatever else the shape breaks).

    With ``asked_cursor``, a cursor that goes backwards is refused unless the server
    says it ignored ours (``reset``: it never issued it, e.g. a new database), and so is
    ``more`` with a cursor that did not move (the client would pull the same page
    forever). ``after_reset``: the last page applied was a reset; the server issued
    the cursor asked, so another reset at once is refused too.
    """
    try:
        pull = _parse_pull(raw)
    except ProtocolError:
        raise
    except (TypeError, ValueError, AttributeError, KeyError, OverflowError) as exc:
        raise ProtocolError(f"pull: malformed answer ({type(exc).__name__})") from exc
    if pull["cursor"] < 0 or pull["last_mutation_id"] < 0:
        raise ProtocolError("pull: negative cursor or last_mutation_id")
    if asked_cursor is not None and pull["cursor"] < asked_cursor and not pull["reset"]:
        raise ProtocolError(f"pull: cursor went back from {asked_cursor} to {pull['cursor']}")
    if after_reset and pull["reset"]:
        raise ProtocolError("pull: reset again right after a reset")
    if (asked_cursor is not None and pull["more"] and pull["cursor"] <= asked_cursor
            and not pull["reset"]):
        raise ProtocolError(f"pull: more pages, but the cursor stayed at {asked_cursor}")
    return pull


def _flag(raw: dict, key: str, where: str) -> bool:
    value = raw.get(key, False)
    if not isinstance(value, bool):
        raise ProtocolError(f"{where}: {key!r} must be a boolean")
    return value


def _parse_pull(raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise ProtocolError("pull answer must be a JSON object")
    shop = _req(raw, "shop", dict, "pull")
    return {
        "cursor": _req(raw, "cursor", int, "pull"),
        "last_mutation_id": _req(raw, "last_mutation_id", int, "pull"),
        "more": _flag(raw, "more", "pull"),  # another page follows at once
        "reset": _flag(raw, "reset", "pull"),  # the server ignored our cursor
        "shop": {
            "id": _req(shop, "id", str, "shop"),
            "name": _req(shop, "name", str, "shop"),
            "paused": bool(shop.get("paused", False)),
            # Informative only: an odd value is dropped rather than blocking the orders.
            "paused_until": _lenient_time(shop.get("paused_until")),
            "address": _opt_str(shop, "address", "shop") or "",
            "time_zone": shop["time_zone"] if isinstance(shop.get("time_zone"), str) else None,
        },
        "orders": [parse_order(o) for o in _req(raw, "orders", list, "pull")],
        "products": [parse_product(p) for p in _req(raw, "products", list, "pull")],
    }


def parse_push_response(raw: Any) -> dict[str, Any]:
    try:
        return _parse_push_response(raw)
    except ProtocolError:
        raise
    except (TypeError, ValueError, AttributeError, KeyError) as exc:
        raise ProtocolError(f"push: malformed answer ({type(exc).__name__})") from exc


def _parse_push_response(raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise ProtocolError("push answer must be a JSON object")
    results = []
    for item in _req(raw, "results", list, "push"):
        status = _req(item, "status", str, "push result")
        if status not in ("applied", "refused"):
            raise ProtocolError(f"push result: unknown status {status!r}")
        error = item.get("error") or {}
        if not isinstance(error, dict):
            raise ProtocolError("push result: error must be an object")
        results.append(
            {
                "id": _req(item, "id", int, "push result"),
                "status": status,
                "code": str(error.get("code", "")),
                "message": str(error.get("message", "")),
            }
        )
    return {"last_mutation_id": _req(raw, "last_mutation_id", int, "push"), "results": results}
