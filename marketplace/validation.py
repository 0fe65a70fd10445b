"""Turning untrusted HTTP input into typed values, or a 400/422 in the error shape."""

from __future__ import annotations

import asyncio
import hashlib
import json
import math
import re
from collections.abc import Mapping
from typing import Any

from starlette.requests import Request

from marketplace.errors import ApiError
from marketplace.mutations import PushMutation
from marketplace.order_limits import (
    MAX_LINES_PER_ORDER,
    MAX_OPTIONS_PER_LINE,
    MAX_QTY_PER_LINE,
    NOT_BLANK,
    TEXT_LIMITS,
    rfc3339,
)
from marketplace.orders import OrderLineRequest, OrderRequest
from marketplace.security import require_json
from sync.protocol import CHANNELS, MAX_PUSH_BATCH, parse_iso, to_iso

__all__ = [
    "read_body",
    "read_json",
    "bearer_token",
    "parse_pair",
    "parse_push",
    "parse_pull_params",
    "parse_order_request",
]

MAX_ID = 2**63 - 1  # SQLite INTEGER
_SHORT = 200  # string length limit (names, ids) outside orders (order_limits.py for those)


async def read_body(request: Request, max_bytes: int, timeout_s: float | None = None) -> bytes:
    """The raw body: 413 past ``max_bytes``, 408 when it takes longer than ``timeout_s``."""
    close = {"Connection": "close"}
    too_big = ApiError(413, "payload_too_large", f"Requête trop grosse (max {max_bytes} octets).",
                       close)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise too_big
    chunks: list[bytes] = []
    size = 0
    try:
        async with asyncio.timeout(timeout_s):
            async for chunk in request.stream():
                size += len(chunk)
                if size > max_bytes:
                    raise too_big
                chunks.append(chunk)
    except TimeoutError as exc:
        raise ApiError(408, "body_timeout", "Requête trop lente : le corps n’est pas arrivé à "
                                            "temps.", close) from exc
    return b"".join(chunks)


async def read_json(request: Request, max_bytes: int, timeout_s: float | None = None) -> Any:
    """The JSON body: 415 unless declared JSON, 413 past ``max_bytes``, 408 when it takes
    longer than ``timeout_s`` (a client that declares 2 MB and sends 5 bytes). Both close
    the connection: the rest of such a body is not worth reading."""
    require_json(request)
    body = await read_body(request, max_bytes, timeout_s)
    try:
        value = json.loads(body, parse_constant=_no_constant)
        # Lone surrogates ("\ud800") parse but cannot be stored as UTF-8: refuse them here.
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except (ValueError, UnicodeError, RecursionError) as exc:
        raise ApiError(400, "invalid_json", "Le corps de la requête n’est pas du JSON valide.") from exc
    return value


def refuse_nul(value: str | None, field: str) -> None:
    """422 for a request string holding NUL (order_limits.NO_NUL says why)."""
    if value is not None and "\x00" in value:
        raise ApiError.invalid(f"{field} must not contain the NUL character (\\u0000)",
                               field=field)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def bearer_token(request: Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > 512:
        raise ApiError.unauthorized()
    return token


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ApiError.invalid(f"{where} must be a JSON object")
    return value


def only_fields(obj: Mapping[str, Any], allowed: set[str], where: str = "") -> None:
    """422 naming the first unknown field (anonymous bodies are strict: additionalProperties
    false in the schema), so a misspelt or smuggled field is never silently dropped."""
    for key in obj:
        if key not in allowed:
            field = f"{where}.{key}" if where else str(key)
            raise ApiError.invalid(f"unknown field {field}", field=field)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def as_int(value: Any) -> int | None:
    """An integer as JSON Schema counts them: 3 and 3.0 alike (a JS client may send either)."""
    if _is_int(value):
        return int(value)
    if isinstance(value, float) and value.is_integer() and abs(value) <= 2**63:
        return int(value)
    return None


_NOT_BLANK = re.compile(NOT_BLANK)  # the schema's pattern, same meaning in both dialects


def _text(obj: Mapping[str, Any], key: str, *, required: bool, limit: int = _SHORT,
          nonempty: bool = False) -> str | None:
    value = obj.get(key)
    if value is None:
        if required:
            raise ApiError.invalid(f"{key} is required")
        return None
    if not isinstance(value, str):
        raise ApiError.invalid(f"{key} must be a string")
    if len(value) > limit:
        raise ApiError.invalid(f"{key} is longer than {limit} characters")
    if nonempty and not _NOT_BLANK.search(value):
        raise ApiError.invalid(f"{key} must not be empty")
    return value


def parse_pair(body: Any) -> tuple[str, str, str | None]:
    """(code, device name, shop id or None): naming the shop ties the code to it."""
    body = _object(body, "body")
    only_fields(body, {"pairing_code", "device_name", "shop_id"})
    code = _text(body, "pairing_code", required=True, nonempty=True, limit=64)
    name = _text(body, "device_name", required=False) or "Comptoir"
    shop_id = _text(body, "shop_id", required=False, limit=100)
    refuse_nul(name, "device_name")
    refuse_nul(shop_id, "shop_id")
    assert code is not None
    return code, name.strip() or "Comptoir", shop_id


def parse_push(body: Any) -> tuple[str, list[PushMutation]]:
    body = _object(body, "body")
    client_id = _text(body, "client_id", required=True, nonempty=True)
    refuse_nul(client_id, "client_id")
    raw = body.get("mutations")
    if not isinstance(raw, list):
        raise ApiError.invalid("mutations must be a list")
    if len(raw) > MAX_PUSH_BATCH:
        raise ApiError.invalid(f"at most {MAX_PUSH_BATCH} mutations per push")
    mutations: list[PushMutation] = []
    for item in raw:
        item = _object(item, "each mutation")
        mutation_id = as_int(item.get("id"))
        if mutation_id is None or not 0 < mutation_id <= MAX_ID:
            raise ApiError.invalid("mutation id must be a positive integer")
        if mutations and mutation_id <= mutations[-1].id:
            # 409, not 422: the shape is right, the sequence is not (JSON Schema cannot say it).
            raise ApiError(409, "ids_not_increasing",
                           "mutation ids must be strictly increasing within a push")
        name = _text(item, "name", required=True, limit=100)
        at = _text(item, "at", required=False, limit=64)
        if at is not None and rfc3339(at) is None:
            raise ApiError.invalid("a mutation's at must be an ISO 8601 time with a time zone",
                                   field="mutations.at")
        assert name is not None
        mutations.append(PushMutation(mutation_id, name, item.get("args"), at))
    assert client_id is not None
    return client_id, mutations


def parse_pull_params(query: Mapping[str, str], max_wait: float) -> tuple[int, float, str | None]:
    try:
        cursor = int(query.get("cursor", "0"))
        wait = float(query.get("wait", "0"))
    except ValueError as exc:
        raise ApiError.invalid("cursor must be an integer and wait a number of seconds") from exc
    if not 0 <= cursor <= MAX_ID:
        raise ApiError.invalid("cursor must be a non-negative integer")
    if not math.isfinite(wait) or wait < 0:
        raise ApiError.invalid("wait must be a non-negative number of seconds")
    client_id = query.get("client_id") or None
    if client_id is not None and len(client_id) > _SHORT:
        raise ApiError.invalid(f"client_id is longer than {_SHORT} characters")
    refuse_nul(client_id, "client_id")
    return cursor, min(wait, max_wait), client_id


def _limited(obj: Mapping[str, Any], key: str, field: str, *,
             required: bool = False) -> str | None:
    """A free-text order field, checked against its limit (order_limits.TEXT_LIMITS)."""
    value = obj.get(key)
    if value is None:
        if required:
            raise ApiError.invalid(f"{field} is required", field=field)
        return None
    if not isinstance(value, str):
        raise ApiError.invalid(f"{field} must be a string", field=field)
    limit_name = field if field in TEXT_LIMITS else f"lines.{key}"
    return TEXT_LIMITS[limit_name].check(field, value)


def parse_order_request(body: Any) -> OrderRequest:
    body = _object(body, "body")
    only_fields(body, {"customer", "channel", "lines", "note", "allergens", "paid",
                       "pickup_slot", "idempotency_key"})
    customer = body.get("customer")
    if not isinstance(customer, dict):
        raise ApiError.invalid("customer must be a JSON object", field="customer")
    only_fields(customer, {"name", "phone", "address"}, "customer")
    name = _limited(customer, "name", "customer.name", required=True)
    phone = _limited(customer, "phone", "customer.phone", required=True)
    address = _limited(customer, "address", "customer.address")
    channel = body.get("channel")
    if channel not in CHANNELS:
        raise ApiError.invalid(f"channel must be one of {', '.join(CHANNELS)}", field="channel")
    if channel == "delivery" and not _NOT_BLANK.search(address or ""):
        raise ApiError.invalid("a delivery needs customer.address", field="customer.address")
    raw_lines = body.get("lines")
    if not isinstance(raw_lines, list) or not raw_lines or len(raw_lines) > MAX_LINES_PER_ORDER:
        raise ApiError.invalid(f"lines must be a list of 1 to {MAX_LINES_PER_ORDER} lines",
                               field="lines")
    lines = tuple(_order_line(line, f"lines[{n}]") for n, line in enumerate(raw_lines))
    # Only a signed payment notification marks an order paid (payments.py): a customer's
    # "paid": true is refused, not ignored, so a front-end that believes otherwise learns now.
    if body.get("paid", False) is not False:
        raise ApiError.invalid("paid is confirmed by the payment service, never by the order",
                               field="paid")
    paid = False
    slot = body.get("pickup_slot")
    if slot is not None and rfc3339(slot) is None:
        raise ApiError.invalid("pickup_slot must be an ISO 8601 time with a time zone",
                               field="pickup_slot")
    slot_time = parse_iso(slot)
    if slot is not None and slot_time is None:  # well formed, but no time to collect anything
        raise ApiError(409, "pickup_slot_unavailable",
                       "Ce créneau de retrait n’est pas possible.", field="pickup_slot")
    key = _limited(body, "idempotency_key", "idempotency_key")
    fields = {
        "customer_name": name.strip() if name else "",
        "customer_phone": phone.strip() if phone else "",
        "customer_address": address,
        "channel": channel,
        "lines": [[line.sku, line.qty, list(line.options)] for line in lines],
        "note": _limited(body, "note", "note") or "",
        "allergens": _limited(body, "allergens", "allergens") or "",
        "paid": paid,
        "pickup_slot": to_iso(slot_time) if slot_time else None,
    }
    # Same idempotency key + different order = a client bug worth refusing, not hiding.
    digest = hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()
    del fields["lines"]
    return OrderRequest(lines=lines, idempotency_key=key, request_hash=digest, **fields)


def _order_line(raw: Any, where: str) -> OrderLineRequest:
    if not isinstance(raw, dict):
        raise ApiError.invalid(f"{where} must be a JSON object", field=where)
    only_fields(raw, {"sku", "qty", "options"}, where)
    sku = _limited(raw, "sku", f"{where}.sku", required=True)
    qty = as_int(raw.get("qty"))
    if qty is None or not 1 <= qty <= MAX_QTY_PER_LINE:
        raise ApiError.invalid(f"qty must be an integer from 1 to {MAX_QTY_PER_LINE}",
                               field=f"{where}.qty")
    options = raw.get("options")
    if options is None:
        options = []
    if not isinstance(options, list) or len(options) > MAX_OPTIONS_PER_LINE:
        raise ApiError.invalid(f"options must be a list of at most {MAX_OPTIONS_PER_LINE}",
                               field=f"{where}.options")
    for n, option in enumerate(options):
        field = f"{where}.options[{n}]"
        if not isinstance(option, str):
            raise ApiError.invalid(f"{field} must be a string", field=field)
        TEXT_LIMITS["lines.options"].check(field, option)
    assert sku is not None
    return OrderLineRequest(sku, qty, tuple(o.removesuffix("\n") for o in options))
