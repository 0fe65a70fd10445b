"""Rate limits, with the ``limits`` package (moving windows, in memory).

- ``PairingGuard``: wrong pairing codes per client address and per shop; past
  the limit, ``429`` with ``Retry-After`` and a WARNING for the operator
  (logger ``marketplace.limits``), once per lockout. The operator console's
  logins use the same ``FailureGuard`` (per address and per account).
- ``CustomerRateLimit``: requests to the customer API per client address (all
  requests, and order placements apart) and per shop.

The client address is the ASGI ``client``: behind a reverse proxy uvicorn puts
the forwarded address there (``--proxy-headers --forwarded-allow-ips``,
docs/DEPLOY.md), so the limits count customers, not the proxy. In-memory
windows are per process: several processes each count their own (a shared
``limits`` storage such as Redis is one line to change, see ``storage_uri``).
"""

from __future__ import annotations

import logging
import math
import time

from limits import RateLimitItem, parse, storage, strategies
from starlette.types import ASGIApp, Receive, Scope, Send

from marketplace.errors import ApiError, error_response
from marketplace.security import CUSTOMER_PREFIX
from marketplace.settings import Settings

__all__ = ["Limiter", "FailureGuard", "PairingGuard", "CustomerRateLimit", "client_address"]

log = logging.getLogger(__name__)


def client_address(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


class Limiter:
    """One ``limits`` moving-window limiter over one storage."""

    def __init__(self, storage_uri: str = "memory://"):
        self.storage = storage.storage_from_string(storage_uri)
        self.strategy = strategies.MovingWindowRateLimiter(self.storage)

    def retry_after(self, item: RateLimitItem, *keys: str) -> int:
        reset = self.strategy.get_window_stats(item, *keys).reset_time
        return max(1, math.ceil(reset - time.time()))

    def too_many(self, item: RateLimitItem, *keys: str, message: str) -> ApiError:
        return ApiError(429, "rate_limited", message,
                        {"Retry-After": str(self.retry_after(item, *keys))})


def _item(spec: str) -> RateLimitItem | None:
    return parse(spec) if spec else None  # "" = no limit


class FailureGuard:
    """Failed attempts (wrong codes, wrong passwords) per client address and per target (a
    shop, an account): past a rule's limit, 429 until its window moves on."""

    def __init__(self, limiter: Limiter, per_address: str, per_target: str, *, scope: str,
                 message: str, target_kind: str = "shop"):
        self.limiter = limiter
        self.scope = scope
        self.message = message
        self.target_kind = target_kind
        self.rules = [("address", _item(per_address)), (target_kind, _item(per_target))]

    def _keys(self, address: str, target: str | None) -> list[tuple[str, RateLimitItem, str]]:
        values = {"address": address, self.target_kind: target}
        return [(kind, item, values[kind]) for kind, item in self.rules
                if item is not None and values[kind]]  # type: ignore[misc]

    def check(self, address: str, target: str | None) -> None:
        """429 while this address (or the target) is locked out."""
        for kind, item, key in self._keys(address, target):
            if not self.limiter.strategy.test(item, self.scope, kind, key):
                raise self.limiter.too_many(item, self.scope, kind, key, message=self.message)

    def failed(self, address: str, target: str | None) -> None:
        """Count a failure; the attempt that starts a lockout is logged for the operator."""
        for kind, item, key in self._keys(address, target):
            self.limiter.strategy.hit(item, self.scope, kind, key)
            if not self.limiter.strategy.test(item, self.scope, kind, key):
                log.warning("%s locked out for %s %s: %s failures; %d s to wait", self.scope,
                            kind, key, item.amount, self.limiter.retry_after(
                                item, self.scope, kind, key))


class PairingGuard(FailureGuard):
    """Wrong pairing codes, per address and per the code's shop."""

    def __init__(self, limiter: Limiter, per_address: str, per_shop: str):
        super().__init__(limiter, per_address, per_shop, scope="pair", message=(
            "Trop de codes d'association erronés : réessayez plus tard."))


class CustomerRateLimit:
    """ASGI middleware: 429 + Retry-After past the customer API's request limits."""

    def __init__(self, app: ASGIApp, limiter: Limiter, settings: Settings):
        self.app = app
        self.limiter = limiter
        self.per_address = _item(settings.customer_requests_per_address)
        self.orders_per_address = _item(settings.customer_orders_per_address)
        self.per_shop = _item(settings.customer_requests_per_shop)
        self.exempt = frozenset(settings.rate_limit_exempt)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith(CUSTOMER_PREFIX) \
                or scope["method"] == "OPTIONS":
            await self.app(scope, receive, send)
            return
        address = client_address(scope)
        if address in self.exempt:
            await self.app(scope, receive, send)
            return
        parts = path.removeprefix(CUSTOMER_PREFIX).split("/")
        shop_id = parts[1] if len(parts) > 1 and parts[0] == "shops" else ""
        placing = scope["method"] == "POST" and len(parts) == 3 and parts[2] == "orders"
        rules = [(self.per_address, ("customer", "address", address)),
                 (self.orders_per_address if placing else None, ("orders", "address", address)),
                 (self.per_shop, ("customer", "shop", shop_id[:100]))]
        for item, keys in rules:
            if item is not None and not self.limiter.strategy.hit(item, *keys):
                exc = self.limiter.too_many(item, *keys, message=(
                    "Trop de requêtes : réessayez dans quelques instants."))
                response = error_response(exc.status, exc.code, exc.message, exc.headers)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
