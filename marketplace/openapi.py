"""The OpenAPI 3.1 description of the API, written by hand next to docs/PROTOCOL.md.

Served at ``GET /v1/openapi.json`` and kept in ``docs/openapi.json``
(``python -m marketplace openapi --out docs/openapi.json``; a test checks both agree).
"""

from __future__ import annotations

import json
from typing import Any

from marketplace.customer_access import AVAILABILITY
from marketplace.opening_hours import DAYS, MAX_INTERVALS_PER_DAY
from marketplace.order_limits import (
    MAX_LINES_PER_ORDER,
    MAX_OPTIONS_PER_LINE,
    MAX_QTY_PER_LINE,
    NO_NUL,
    NOT_BLANK,
    text_schema,
)
from marketplace.storefront.api import MAX_SHOPS_LISTED, ORDERING_STATES
from sync.protocol import (
    CHANNELS,
    MAX_PUSH_BATCH,
    MAX_WAIT_SECONDS,
    MUTATIONS,
    ORDER_STATUSES,
    REJECT_REASONS,
    SHOP_REJECT_REASONS,
    STOCK_REASONS,
)

__all__ = ["OPENAPI", "render_openapi"]

MAX_ID = 2**63 - 1  # SQLite INTEGER: ids and cursors above are refused


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _error(description: str, codes: list[str]) -> dict[str, Any]:
    return _json(_ref("Error"), f"{description} (`error.code`: {', '.join(codes)})")


_TIME = {"type": "string", "format": "date-time", "examples": ["2026-11-23T12:00:00.000Z"],
         "description": "ISO 8601 UTC time ending in Z"}
_NTIME = {**_TIME, "type": ["string", "null"]}
_CENTS = {"type": "integer", "minimum": 0, "description": "money in integer cents"}
_ERR_BAD = _error("Malformed JSON", ["invalid_json"])
_ERR_INVALID = _error("Wrong shape or types", ["invalid_request"])
_ERR_AUTH = _error("Missing, unknown or revoked device token: pair again", ["unauthorized"])
_ERR_LARGE = _error("Body too large", ["payload_too_large"])
_ERR_RATE = {**_error("Too many attempts or requests; wait Retry-After seconds",
                      ["rate_limited"]),
             "headers": {"Retry-After": {"schema": {"type": "integer", "minimum": 1}}}}
_ERR_MEDIA = _error("Body not sent as application/json", ["unsupported_media_type"])
_SHOP_PATH = {"name": "shop_id", "in": "path", "required": True,
              "schema": {"type": "string", "examples": ["shop_demo_zoe"]}}
_ORDER_PATH = {"name": "order_id", "in": "path", "required": True, "schema": {"type": "string"}}
_ORDER_SECRET = {"name": "X-Order-Secret", "in": "header", "required": True,
                 "schema": {"type": "string"},
                 "description": "the order_secret returned when the order was placed"}
_BEARER = [{"deviceToken": []}]

_SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {"error": {
            "type": "object", "required": ["code", "message"],
            "properties": {"code": {"type": "string", "description": "stable, for programs"},
                           "message": {"type": "string", "description": "for humans (French)"},
                           "field": {"type": "string", "description": "the offending request "
                                                                      "field, when one is"}},
        }},
    },
    "PairRequest": {
        "type": "object", "required": ["pairing_code"], "additionalProperties": False,
        "properties": {"pairing_code": {"type": "string", "examples": ["K7QM-ABCDE-FGHJK"],
                                        "minLength": 1, "maxLength": 64, "pattern": NOT_BLANK,
                                        "description": "the shop's tag, then the single-use "
                                                       "secret; case, spaces and dashes "
                                                       "optional"},
                       "device_name": {"type": "string", "maxLength": 200, "pattern": NO_NUL},
                       "shop_id": {"type": "string", "maxLength": 100, "pattern": NO_NUL,
                                   "description": "optional: must be the shop the code's "
                                                  "tag names"}},
    },
    "PairResponse": {
        "type": "object", "required": ["shop_id", "shop_name", "device_token"],
        "properties": {"shop_id": {"type": "string"}, "shop_name": {"type": "string"},
                       "device_token": {"type": "string",
                                        "description": "keep in the OS keyring; the server "
                                                       "stores only its SHA-256"}},
    },
    "RotateResponse": {
        "type": "object", "required": ["device_token", "expires_at"],
        "properties": {"device_token": {"type": "string"}, "expires_at": _NTIME},
    },
    "Mutation": {
        "type": "object", "required": ["id", "name"],  # no args: refused per mutation
        "properties": {
            "id": {"type": "integer", "minimum": 1, "maximum": MAX_ID,
                   "description": "strictly increasing per client (gaps allowed; 409 "
                                  "ids_not_increasing within one push otherwise)"},
            "name": {"type": "string", "maxLength": 100, "examples": list(MUTATIONS),
                     "description": "one of " + ", ".join(MUTATIONS) + "; another name is "
                                    "refused per mutation (unknown_mutation), not the push"},
            "args": {"description": (
                "any JSON value: the arguments object below; anything else is refused, "
                "per mutation, in the results (never the whole push). "
                +
                "stock.adjust {sku, delta (int != 0), reason ∈ " + ", ".join(STOCK_REASONS)
                + "}; product.set_available {sku, available}; order.accept {order_id, ready_by};"
                " order.reject {order_id, reason ∈ " + ", ".join(SHOP_REJECT_REASONS) + "};"
                " order.ready {order_id}; order.collected {order_id}; shop.pause {paused,"
                " paused_until? (time, with paused true: the marketplace reopens the shop"
                " then)}")},
            "at": {**_NTIME, "maxLength": 64, "description": "when it happened at the counter"},
        },
    },
    "PushRequest": {
        "type": "object", "required": ["client_id", "mutations"],
        "properties": {"client_id": {"type": "string", "minLength": 1, "maxLength": 200,
                                     "pattern": NOT_BLANK, "allOf": [{"pattern": NO_NUL}]},
                       "mutations": {"type": "array", "maxItems": MAX_PUSH_BATCH,
                                     "items": _ref("Mutation")}},
    },
    "MutationResult": {
        "type": "object", "required": ["id", "status"],
        "properties": {
            "id": {"type": "integer"},
            "status": {"type": "string", "enum": ["applied", "refused"]},
            "error": {"type": "object", "required": ["code", "message"], "properties": {
                "code": {"type": "string", "enum": [
                    "unknown_mutation", "bad_args", "unknown_order", "unknown_sku",
                    "illegal_transition", "mutation_id_reused"]},
                "message": {"type": "string"}}},
        },
    },
    "PushResponse": {
        "type": "object", "required": ["last_mutation_id", "results"],
        "properties": {"last_mutation_id": {"type": "integer"},
                       "results": {"type": "array", "items": _ref("MutationResult"),
                                   "description": "one per mutation of the request, replays "
                                                  "included (their stored result)"}},
    },
    "Shop": {
        "type": "object", "required": ["id", "name", "paused", "address"],
        "properties": {"id": {"type": "string"}, "name": {"type": "string"},
                       "paused": {"type": "boolean"},
                       "paused_until": {"type": ["string", "null"], "format": "date-time",
                                        "description": "a timed pause ends (the shop reopens"
                                                       " by itself) at this time"},
                       "address": {"type": "string"},
                       "time_zone": {"type": ["string", "null"],
                                     "description": "IANA zone suggested for the shop's "
                                                    "clocks, e.g. Europe/Paris"}},
    },
    "Product": {
        "type": "object",
        "required": ["sku", "name", "price_cents", "barcode", "category", "active", "available",
                     "low_stock_threshold", "stock"],
        "properties": {
            "sku": {"type": "string"}, "name": {"type": "string"}, "price_cents": _CENTS,
            "barcode": {"type": ["string", "null"]}, "category": {"type": ["string", "null"]},
            "active": {"type": "boolean"}, "available": {"type": "boolean"},
            "low_stock_threshold": {"type": "integer"},
            "stock": {"type": "integer", "description": "confirmed quantity, counter deltas "
                                                        "included; may be negative"},
        },
    },
    "Customer": {
        "type": "object", "required": ["name", "phone"],
        "properties": {"name": {"type": "string"}, "phone": {"type": "string"},
                       "address": {"type": ["string", "null"]}},
    },
    "CustomerRequest": {
        "type": "object", "required": ["name", "phone"], "additionalProperties": False,
        "properties": {"name": text_schema("customer.name"),
                       "phone": text_schema("customer.phone"),
                       "address": text_schema("customer.address", nullable=True)},
    },
    "PaymentNotification": {
        "type": "object", "required": ["shop_id", "order_id", "amount_cents", "reference"],
        "additionalProperties": False,
        "properties": {"shop_id": {"type": "string", "minLength": 1, "maxLength": 200},
                       "order_id": {"type": "string", "minLength": 1, "maxLength": 200},
                       "amount_cents": {**_CENTS, "description": "must equal the order's total"},
                       "reference": {"type": "string", "minLength": 1, "maxLength": 200,
                                     "description": "the payment service's own id"}},
    },
    "OrderLine": {
        "type": "object", "required": ["sku", "name", "qty", "unit_price_cents", "options"],
        "properties": {"sku": {"type": "string"}, "name": {"type": "string"},
                       "qty": {"type": "integer", "minimum": 1},
                       "unit_price_cents": _CENTS,
                       "options": {"type": "array", "items": {"type": "string"}}},
    },
    "HistoryEntry": {
        "type": "object", "required": ["status", "at", "by"],
        "properties": {"status": {"type": "string", "enum": list(ORDER_STATUSES)}, "at": _TIME,
                       "by": {"type": "string", "enum": ["customer", "shop", "marketplace"]}},
    },
    "Order": {
        "type": "object",
        "required": ["id", "number", "status", "channel", "customer", "lines", "total_cents",
                     "note", "allergens", "paid", "pickup_slot", "ready_by", "respond_by",
                     "created_at", "updated_at", "reject_reason", "history"],
        "properties": {
            "id": {"type": "string"},
            "number": {"type": "integer", "description": "per shop, 1, 2, 3…"},
            "status": {"type": "string", "enum": list(ORDER_STATUSES)},
            "channel": {"type": "string", "enum": list(CHANNELS)},
            "customer": _ref("Customer"),
            "lines": {"type": "array", "items": _ref("OrderLine")},
            "total_cents": _CENTS,
            "note": {"type": "string"}, "allergens": {"type": "string"},
            "paid": {"type": "boolean"},
            "pickup_slot": _NTIME, "ready_by": _NTIME,
            "respond_by": {**_TIME, "description": "created_at + the marketplace's auto-reject"
                           " delay: an order still new then is rejected with reason timeout"},
            "created_at": _TIME, "updated_at": _TIME,
            "reject_reason": {"type": ["string", "null"], "enum": [*REJECT_REASONS, None]},
            "history": {"type": "array", "items": _ref("HistoryEntry")},
        },
    },
    "PullResponse": {
        "type": "object",
        "required": ["cursor", "last_mutation_id", "shop", "orders", "products"],
        "properties": {
            "cursor": {"type": "integer", "minimum": 0,
                       "description": "pass it to the next pull; never below the one asked "
                                      "unless reset"},
            "more": {"type": "boolean", "default": False,
                     "description": "another page follows: pull again at once"},
            "reset": {"type": "boolean", "default": False,
                      "description": "the cursor asked was never issued here: everything "
                                     "is sent again, from a lower cursor"},
            "last_mutation_id": {"type": "integer",
                                 "description": "for the client_id asked, read in the same "
                                                "transaction as the entities (0 if none)"},
            "shop": _ref("Shop"),
            "orders": {"type": "array", "items": _ref("Order"),
                       "description": "full state of every order changed after the cursor"},
            "products": {"type": "array", "items": _ref("Product"),
                         "description": "full state of every product changed after the cursor"},
        },
    },
    "CustomerOrderLine": {
        "type": "object", "required": ["sku", "qty"], "additionalProperties": False,
        "properties": {"sku": text_schema("lines.sku"),
                       "qty": {"type": "integer", "minimum": 1, "maximum": MAX_QTY_PER_LINE},
                       "options": {"type": ["array", "null"], "items": text_schema("lines.options"),
                                   "maxItems": MAX_OPTIONS_PER_LINE}},
    },
    "CustomerOrderRequest": {
        "type": "object", "required": ["customer", "channel", "lines"],
        "additionalProperties": False,
        # A delivery needs an address that says something.
        "if": {"properties": {"channel": {"const": "delivery"}}, "required": ["channel"]},
        "then": {"properties": {"customer": {
            "required": ["address"],
            "properties": {"address": {"type": "string", "pattern": NOT_BLANK}}}}},
        "examples": [{"customer": {"name": "Zoé Lefèvre", "phone": "06 01 02 03 04"},
                      "channel": "collect", "lines": [{"sku": "CROIS", "qty": 2,
                                                       "options": ["bien cuit"]}],
                      "note": "Je passe vers 17 h"}],
        "properties": {
            "customer": _ref("CustomerRequest"),
            "channel": {"type": "string", "enum": list(CHANNELS),
                        "description": "a delivery needs customer.address"},
            "lines": {"type": "array", "minItems": 1, "maxItems": MAX_LINES_PER_ORDER,
                      "items": _ref("CustomerOrderLine")},
            "note": text_schema("note", nullable=True),
            "allergens": text_schema("allergens", nullable=True),
            "paid": {"const": False, "description": "only a signed payment notification "
                                                    "(POST /v1/payments/notify) marks an order "
                                                    "paid; true is refused"},
            "pickup_slot": {**_NTIME, "maxLength": 64},
            "idempotency_key": {**text_schema("idempotency_key", nullable=True),
                                "description": "same key (same shop, same order) → the same "
                                               "order again, never a second one"},
        },
    },
    "CatalogueProduct": {
        "type": "object", "required": ["sku", "name", "price_cents", "category", "availability"],
        "properties": {
            "sku": {"type": "string"}, "name": {"type": "string"}, "price_cents": _CENTS,
            "category": {"type": ["string", "null"]},
            "availability": {"type": "string", "enum": list(AVAILABILITY),
                             "description": "few_left: at or under the shop's alert threshold; "
                                            "never the exact quantity"},
        },
    },
    "Ordering": {
        "type": "string", "enum": list(ORDERING_STATES),
        "description": "what an order placed now meets: open; paused (409 shop_paused); "
                       "unattended: no counter of the shop connected (409 shop_unattended)",
    },
    "OpeningHours": {
        "type": "object", "additionalProperties": False,
        "description": "wall-clock ranges per day in the shop's time_zone; a day left out or "
                       "empty is closed",
        "properties": {day: {"type": "array", "maxItems": MAX_INTERVALS_PER_DAY, "items": {
            "type": "array", "minItems": 2, "maxItems": 2,
            "items": {"type": "string",
                      "pattern": "^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$"}}}
            for day in DAYS},
    },
    "CatalogueShop": {
        "type": "object",
        "required": ["id", "name", "address", "paused", "ordering", "time_zone",
                     "opening_hours", "open_now"],
        "properties": {
            "id": {"type": "string"}, "name": {"type": "string"},
            "address": {"type": "string"}, "paused": {"type": "boolean"},
            "ordering": _ref("Ordering"),
            "time_zone": {"type": "string", "description": "IANA zone of the hours and slots"},
            "opening_hours": {"anyOf": [_ref("OpeningHours"), {"type": "null"}],
                              "description": "null: none given (no pickup slots offered)"},
            "open_now": {"type": ["boolean", "null"]},
        },
    },
    "Catalogue": {
        "type": "object", "required": ["shop", "pickup_slots", "products"],
        "properties": {"shop": _ref("CatalogueShop"),
                       "pickup_slots": {"type": "array", "items": _TIME,
                                        "description": "the pickup times offered now: every "
                                                       "quarter hour of the opening hours, "
                                                       "15 min ahead at least, over the next "
                                                       "two opening days"},
                       "products": {"type": "array", "items": _ref("CatalogueProduct")}},
    },
    "ShopList": {
        "type": "object", "required": ["shops"],
        "properties": {"shops": {"type": "array", "maxItems": MAX_SHOPS_LISTED, "items": {
            "type": "object", "required": ["id", "name", "address", "ordering"],
            "properties": {"id": {"type": "string"}, "name": {"type": "string"},
                           "address": {"type": "string"}, "ordering": _ref("Ordering")}}}},
    },
    "PlacedOrder": {
        "allOf": [_ref("Order"), {
            "type": "object", "required": ["order_secret"],
            "properties": {"order_secret": {
                "type": "string", "description": "send it as X-Order-Secret to read or cancel "
                                                 "the order; the id alone does neither"}}}],
    },
    "Health": {
        "type": "object", "required": ["status", "protocol"],
        "properties": {"status": {"type": "string", "const": "ok"},
                       "protocol": {"type": "integer", "const": 1},
                       "worker": {"type": "integer",
                                  "description": "id (pid) of the server process that answered"}},
    },
}
_PATHS: dict[str, Any] = {
    "/v1/pair": {"post": {
        "operationId": "pair", "tags": ["shop"],
        "summary": "Exchange a single-use pairing code for a device token",
        "requestBody": {"required": True,
                        "content": {"application/json": {"schema": _ref("PairRequest")}}},
        "responses": {"200": _json(_ref("PairResponse"), "Paired"),
                      "400": _ERR_BAD,
                      "404": _error("Code unknown, expired, used, revoked or not this shop's",
                                    ["invalid_pairing_code"]),
                      "429": _ERR_RATE,
                      "413": _ERR_LARGE, "415": _ERR_MEDIA, "422": _ERR_INVALID},
    }},
    "/v1/devices/self/rotate": {"post": {
        "operationId": "rotateSelf", "tags": ["shop"], "security": _BEARER,
        "summary": "A new token for the caller's device; the old one works 120 s more",
        "description": "Same device, same client_id and outbox: only the secret changes.",
        "responses": {"200": _json(_ref("RotateResponse"), "Rotated"), "401": _ERR_AUTH,
                      "409": _error("This token was just rotated by another request (the"
                                    " old token still works during its grace period)",
                                    ["token_already_rotated"])},
    }},
    "/v1/devices/self": {"delete": {
        "operationId": "revokeSelf", "tags": ["shop"], "security": _BEARER,
        "summary": "Revoke the caller's own device token",
        "responses": {"204": {"description": "Revoked"}, "401": _ERR_AUTH},
    }},
    "/v1/push": {"post": {
        "operationId": "push", "tags": ["shop"], "security": _BEARER,
        "summary": "Apply the client's mutations in order, each once",
        "description": "Mutations whose id is <= the last id processed for (shop, client_id) "
                       "are replays: skipped, answered with their stored result. Each processed "
                       "mutation is applied or refused in one transaction with its result and "
                       "the new last id; a refusal never blocks the others.",
        "requestBody": {"required": True,
                        "content": {"application/json": {"schema": _ref("PushRequest")}}},
        "responses": {"200": _json(_ref("PushResponse"), "Processed"), "400": _ERR_BAD,
                      "401": _ERR_AUTH,
                      "409": _error("Ids not increasing within the push",
                                    ["ids_not_increasing"]), "413": _ERR_LARGE, "415": _ERR_MEDIA,
                      "422": _ERR_INVALID},
    }},
    "/v1/pull": {"get": {
        "operationId": "pull", "tags": ["shop"], "security": _BEARER,
        "summary": "Everything of the shop changed after a cursor (long-poll with wait)",
        "parameters": [
            {"name": "cursor", "in": "query", "schema": {"type": "integer", "minimum": 0,
                                                         "maximum": MAX_ID, "default": 0}},
            {"name": "wait", "in": "query",
             "description": f"seconds to hold the request while nothing changed (at most "
                            f"{MAX_WAIT_SECONDS:g})",
             "schema": {"type": "number", "minimum": 0, "default": 0}},
            {"name": "client_id", "in": "query", "schema": {"type": "string", "maxLength": 200,
                                                            "pattern": NO_NUL},
             "description": "whose last_mutation_id to report"},
        ],
        "responses": {"200": _json(_ref("PullResponse"), "Changes (possibly none after wait)"),
                      "401": _ERR_AUTH, "422": _ERR_INVALID},
    }},
    "/v1/customer/shops": {"get": {
        "operationId": "customerShops", "tags": ["customer"],
        "summary": f"The shops to order from, by name (at most {MAX_SHOPS_LISTED})",
        "parameters": [{"name": "q", "in": "query", "required": False,
                        "schema": {"type": "string", "maxLength": 100},
                        "description": "part of the shop's name or address"}],
        "responses": {"200": _json(_ref("ShopList"), "The shops"), "422": _ERR_INVALID},
    }},
    "/v1/customer/shops/{shop_id}": {"get": {
        "operationId": "customerCatalogue", "tags": ["customer"],
        "summary": "A shop and its active products (reference server only)",
        "parameters": [_SHOP_PATH],
        "responses": {"200": _json(_ref("Catalogue"), "The catalogue"),
                      "404": _error("No such shop", ["unknown_shop"])},
    }},
    "/v1/customer/shops/{shop_id}/orders": {"post": {
        "operationId": "placeOrder", "tags": ["customer"],
        "summary": "Place an order; its quantities leave the stock at once",
        "parameters": [_SHOP_PATH],
        "requestBody": {"required": True, "content": {
            "application/json": {"schema": _ref("CustomerOrderRequest")}}},
        "responses": {
            "201": _json(_ref("PlacedOrder"), "Order taken (or the earlier one for the same "
                                              "idempotency_key, with header "
                                              "Idempotent-Replayed)"),
            "400": _ERR_BAD,
            "404": _error("No such shop or product", ["unknown_shop", "unknown_sku"]),
            "409": _error("Cannot take it now: out of stock, paused, unattended (no counter of "
                          "the shop connected for unattended_after_s), over a cap, slot or key "
                          "conflict",
                          ["out_of_stock", "shop_paused", "shop_unattended", "customer_limit",
                           "order_too_large", "pickup_slot_unavailable", "idempotency_conflict"]),
            "413": _ERR_LARGE,
            "415": _ERR_MEDIA,
            "422": _ERR_INVALID,
        },
    }},
    "/v1/customer/shops/{shop_id}/orders/{order_id}": {"get": {
        "operationId": "getOrder", "tags": ["customer"],
        "summary": "Read an order (long-poll with since and wait)",
        "parameters": [_SHOP_PATH, _ORDER_PATH, _ORDER_SECRET,
                       {"name": "since", "in": "query", "required": False,
                        "schema": {"type": "string", "maxLength": 64},
                        "description": "the updated_at the caller has: answer once the order "
                                       "differs (or after wait)"},
                       {"name": "wait", "in": "query", "required": False,
                        "schema": {"type": "number", "minimum": 0, "default": 0},
                        "description": f"seconds to hold the request while the order is "
                                       f"still at since (at most {MAX_WAIT_SECONDS:g})"}],
        "responses": {"200": _json(_ref("Order"), "The order"),
                      "404": _error("No such shop or order, or not its secret",
                                    ["unknown_shop", "unknown_order"]),
                      "422": _ERR_INVALID},
    }},
    "/v1/customer/shops/{shop_id}/orders/{order_id}/qr.svg": {"get": {
        "operationId": "orderQrCode", "tags": ["customer"],
        "summary": "The order's QR code (its id, as on the printed ticket), as SVG",
        "parameters": [_SHOP_PATH, _ORDER_PATH, _ORDER_SECRET],
        "responses": {"200": {"description": "The QR code", "content": {
                          "image/svg+xml": {"schema": {"type": "string"}}}},
                      "404": _error("No such shop or order, or not its secret",
                                    ["unknown_shop", "unknown_order"])},
    }},
    "/v1/customer/shops/{shop_id}/orders/{order_id}/cancel": {"post": {
        "operationId": "cancelOrder", "tags": ["customer"],
        "summary": "The customer cancels; the order's quantities return to stock",
        "parameters": [_SHOP_PATH, _ORDER_PATH, _ORDER_SECRET],
        "responses": {"200": _json(_ref("Order"), "Cancelled (again: no-op)"),
                      "404": _error("No such shop or order, or not its secret",
                                    ["unknown_shop", "unknown_order"]),
                      "409": _error("Already completed or rejected", ["illegal_transition"])},
    }},
    "/v1/payments/notify": {"post": {
        "operationId": "notifyPayment", "tags": ["payment"],
        "summary": "The payment service confirms an order was paid (signed; docs/PROTOCOL.md)",
        "description": "Signature: X-Comptoir-Signature = 'sha256=' + hex HMAC-SHA256(shared "
                       "secret, X-Comptoir-Timestamp + '.' + raw body); the timestamp must be "
                       "within 300 s. Exists only when the server has a payment secret.",
        "parameters": [
            {"name": "X-Comptoir-Timestamp", "in": "header", "required": True,
             "schema": {"type": "string", "pattern": "^[0-9]{1,12}$"},
             "description": "Unix seconds, inside the signature"},
            {"name": "X-Comptoir-Signature", "in": "header", "required": True,
             "schema": {"type": "string"}, "description": "sha256=<hex>"},
        ],
        "requestBody": {"required": True, "content": {
            "application/json": {"schema": _ref("PaymentNotification")}}},
        "responses": {
            "200": _json(_ref("Order"), "Marked paid (already paid: unchanged)"),
            "400": _ERR_BAD,
            "401": _error("Bad signature or stale timestamp",
                          ["bad_signature", "stale_notification"]),
            "404": _error("No payment secret configured, or no such order",
                          ["not_found", "unknown_order"]),
            "409": _error("Amount is not the order's total", ["amount_mismatch"]),
            "413": _ERR_LARGE, "415": _ERR_MEDIA, "422": _ERR_INVALID,
        },
    }},
    "/v1/health": {"get": {
        "operationId": "health", "tags": ["service"], "summary": "Liveness, database included",
        "responses": {"200": _json(_ref("Health"), "Up")},
    }},
    "/v1/openapi.json": {"get": {
        "operationId": "openapi", "tags": ["service"], "summary": "This document",
        "responses": {"200": {"description": "OpenAPI 3.1",
                              "content": {"application/json": {"schema": {"type": "object"}}}}},
    }},
}

_ERR_SLOW = _error("The body did not arrive in time (the connection is closed)",
                   ["body_timeout"])
_ERR_DB = _error("The database is out of reach for now (restarting, failing over): retry",
                 ["database_unavailable"])
for _path, _item in _PATHS.items():
    for _operation in _item.values():
        if _path != "/v1/openapi.json":  # everything else reads or writes the database
            _operation["responses"].setdefault("503", _ERR_DB)
        if _path.startswith("/v1/customer/"):  # limits.CustomerRateLimit
            _operation["responses"].setdefault("429", _ERR_RATE)
        if "requestBody" in _operation:  # validation.read_json
            _operation["responses"].setdefault("408", _ERR_SLOW)
# A long-poll sent while the process shuts down is not started (app.pull): retry elsewhere.
_PATHS["/v1/pull"]["get"]["responses"]["503"] = _error(
    "The database is out of reach for now, or this server process is shutting down: retry",
    ["database_unavailable", "shutting_down"])


OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "Comptoir marketplace (reference server)",
        "version": "1",
        "description": "The marketplace end of Comptoir's sync protocol (docs/PROTOCOL.md) and "
                       "the customer endpoints of the reference server. Times are ISO 8601 UTC "
                       "strings ending in Z, money integer cents. Every error is "
                       '{"error": {"code", "message"}}; any status may also be 500 '
                       "internal_error or 503 database_unavailable (retry with backoff).",
    },
    "servers": [{"url": "http://127.0.0.1:8765"}],
    "tags": [{"name": "shop", "description": "The shop app (device token)"},
             {"name": "customer", "description": "Customers' phones (reference server only)"},
             {"name": "payment", "description": "The operator's payment service (signed)"},
             {"name": "service"}],
    "paths": _PATHS,
    "components": {
        "schemas": _SCHEMAS,
        "securitySchemes": {"deviceToken": {"type": "http", "scheme": "bearer",
                                            "description": "device token from POST /v1/pair"}},
    },
}


def render_openapi() -> str:
    """The exact text of docs/openapi.json."""
    return json.dumps(OPENAPI, indent=2, ensure_ascii=False) + "\n"
