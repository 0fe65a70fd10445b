"""Rate limits, with the ``limits`` package (moving windows, in memory).

- ``PairingGuard``: wrong pairing codes per client address and per shop; past
  the limit, ``429`` with ``Retry-After`` and a WARNING for the operator
  (logger ``marketplace.limits``), once per lockout. The operator console's
  logins use the same ``FailureGuard`` (per address, per account and address,
  and per account with a higher limit, so that nobody locks an operator out
  from one address).
- ``CustomerRateLimit``: requests to the customer API per client address (all
  requests, and order placements apart) and per shop (only what costs the
  shop: its catalogue and its order placements; the shop list has no shop).

A guard counts an attempt *before* it is checked (``reserve``): attempts in
flight count, so parallel requests cannot all slip under the limit while the
first ones are still being checked.

The client address is the ASGI ``client``: behind a reverse proxy uvicorn puts
the forwarded address there (``--proxy-headers --forwarded-allow-ips``,
docs/DEPLOY.md), so the limits count customers, not the proxy.

Windows live in memory by default: each server process counts its own, so
with ``serve --workers N`` a client gets up to N times the limits. A shared
storage (``serve --limits-storage redis://…``, the ``limits`` package's Redis
storage) makes every process count together. If that storage stops answering,
requests are let through (logged, then not retried for ``STORAGE_RETRY_S``):
the limits protect the marketplace, they must not stop it.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time

from limits import RateLimitItem, parse, storage, strategies
from limits.errors import StorageError
from starlette.types import ASGIApp, Receive, Scope, Send

from marketplace.errors import ApiError, error_response
from marketplace.security import CUSTOMER_PREFIX
from marketplace.settings import Settings

__all__ = ["Limiter", "FailureGuard", "hidden", "PairingGuard", "CustomerRateLimit", "client_address"]

log = logging.getLogger(__name__)


def client_address(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


# A shared storage that does not answer within this long is skipped (the request goes on),
# and is not asked again for STORAGE_RETRY_S: a dead Redis must not hold every request.
STORAGE_TIMEOUT_S = 0.25
STORAGE_RETRY_S = 5.0
_REDIS_SCHEMES = ("redis", "rediss", "redis+unix", "valkey", "valkeys", "valkey+unix")


class Limiter:
    """One ``limits`` moving-window limiter over one storage (``memory://`` or shared)."""

    def __init__(self, storage_uri: str = "memory://"):
        options: dict[str, object] = {}
        if storage_uri.split("://", 1)[0] in _REDIS_SCHEMES:
            options = {"key_prefix": "comptoir-limits", "wrap_exceptions": True,
                       "socket_timeout": STORAGE_TIMEOUT_S,
                       "socket_connect_timeout": STORAGE_TIMEOUT_S}
        self.storage = storage.storage_from_string(storage_uri, **options)
        self.strategy = strategies.MovingWindowRateLimiter(self.storage)
        self._skip_until = 0.0

    def _guarded(self, call: str, item: RateLimitItem, keys: tuple[str, ...],
                 cost: int = 1) -> bool:
        if time.monotonic() < self._skip_until:
            return True
        try:
            return bool(getattr(self.strategy, call)(item, *keys, cost=cost))
        except (StorageError, OSError) as exc:
            self._skip_until = time.monotonic() + STORAGE_RETRY_S
            log.error("rate-limit storage unavailable (%s): requests let through for %.0f s",
                      exc, STORAGE_RETRY_S)
            return True

    def hit(self, item: RateLimitItem, *keys: str) -> bool:
        """Count one request; False when it is past the limit."""
        return self._guarded("hit", item, keys)

    def test(self, item: RateLimitItem, *keys: str, cost: int = 1) -> bool:
        """Would ``cost`` more requests pass? (counts nothing)"""
        return self._guarded("test", item, keys, cost)

    def retry_after(self, item: RateLimitItem, *keys: str) -> int:
        try:
            reset = self.strategy.get_window_stats(item, *keys).reset_time
        except (StorageError, OSError):
            return 1
        return max(1, math.ceil(reset - time.time()))

    def too_many(self, item: RateLimitItem, *keys: str, message: str) -> ApiError:
        return ApiError(429, "rate_limited", message,
                        {"Retry-After": str(self.retry_after(item, *keys))})


def _item(spec: str) -> RateLimitItem | None:
    return parse(spec) if spec else None  # "" = no limit


class FailureGuard:
    """Failed attempts (wrong codes, wrong passwords) per client address, per target (a
    shop, an account) and, optionally, per target from one address: past a rule's limit,
    429 until its window moves on.

    ``reserve`` before checking the attempt, then ``failed`` or ``succeeded``: an attempt
    in flight counts against every limit (in this process), so N parallel attempts run at
    most as many checks as the limits allow. The guard is used from the event loop only.
    """

    def __init__(self, limiter: Limiter, per_address: str, per_target: str, *, scope: str,
                 message: str, target_kind: str = "shop", per_target_and_address: str = "",
                 hide_targets: bool = False):
        self.limiter = limiter
        self.hide_targets = hide_targets  # typed names (maybe a password): logged hashed
        self.scope = scope
        self.message = message
        self.target_kind = target_kind
        self.rules = [("address", _item(per_address)), (target_kind, _item(per_target)),
                      (f"{target_kind}+address", _item(per_target_and_address))]
        self.in_flight: dict[tuple[str, str], int] = {}

    def _keys(self, address: str, target: str | None) -> list[tuple[str, RateLimitItem, str]]:
        values = {"address": address, self.target_kind: target or "",
                  f"{self.target_kind}+address": f"{target}|{address}" if target else ""}
        return [(kind, item, values[kind]) for kind, item in self.rules
                if item is not None and values[kind]]

    def check(self, address: str, target: str | None) -> None:
        """429 while this address (or the target) is locked out, attempts in flight
        included."""
        for kind, item, key in self._keys(address, target):
            pending = self.in_flight.get((kind, key), 0)
            if not self.limiter.test(item, self.scope, kind, key, cost=1 + pending):
                raise self.limiter.too_many(item, self.scope, kind, key, message=self.message)

    def reserve(self, address: str, target: str | None) -> None:
        """``check``, then count this attempt as in flight until ``failed``/``succeeded``."""
        self.check(address, target)
        for kind, _, key in self._keys(address, target):
            self.in_flight[kind, key] = self.in_flight.get((kind, key), 0) + 1

    def _release(self, address: str, target: str | None) -> None:
        for kind, _, key in self._keys(address, target):
            left = self.in_flight.get((kind, key), 0) - 1
            if left > 0:
                self.in_flight[kind, key] = left
            else:
                self.in_flight.pop((kind, key), None)

    def succeeded(self, address: str, target: str | None) -> None:
        """A reserved attempt was right: it counts no more."""
        self._release(address, target)

    def failed(self, address: str, target: str | None, *, reserved: bool = False) -> None:
        """Count a failure (``reserved``: one ``reserve`` announced); the attempt that
        starts a lockout is logged for the operator."""
        if reserved:
            self._release(address, target)
        for kind, item, key in self._keys(address, target):
            self.limiter.hit(item, self.scope, kind, key)
            if not self.limiter.test(item, self.scope, kind, key):
                log.warning("%s locked out for %s %s: %s failures; %d s to wait", self.scope,
                            kind, self.shown(kind, key), item.amount, self.limiter.retry_after(
                                item, self.scope, kind, key))


    def shown(self, kind: str, key: str) -> str:
        """A key for the log: a typed name only as a short hash when ``hide_targets`` (a
        password typed in the name field must not land in the logs)."""
        if kind == "address" or not self.hide_targets:
            return key
        target, sep, address = key.partition("|")
        return hidden(target) + (f" from {address}" if sep else "")


def hidden(text: str) -> str:
    """A short, stable stand-in for a typed text in the logs (same text, same stand-in)."""
    return "#" + hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()[:12]


class PairingGuard(FailureGuard):
    """Wrong pairing codes, per address and per the code's shop."""

    def __init__(self, limiter: Limiter, per_address: str, per_shop: str):
        super().__init__(limiter, per_address, per_shop, scope="pair", message=(
            "Trop de codes d’appairage erronés : réessayez plus tard."))


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
        shop_id = parts[1][:100] if len(parts) > 1 and parts[0] == "shops" else ""
        placing = scope["method"] == "POST" and len(parts) == 3 and parts[2] == "orders"
        catalogue = scope["method"] == "GET" and len(parts) == 2
        # A shop's budget is spent by what costs the shop (its catalogue, its order
        # placements), not by customers following their own orders (status long-polls, QR
        # codes); the shop list has no shop, so no shop's budget to share with everyone.
        per_shop = self.per_shop if shop_id and (placing or catalogue) else None
        rules = [(self.per_address, ("customer", "address", address)),
                 (self.orders_per_address if placing else None, ("orders", "address", address)),
                 (per_shop, ("customer", "shop", shop_id))]
        for item, keys in rules:
            if item is not None and not self.limiter.hit(item, *keys):
                exc = self.limiter.too_many(item, *keys, message=(
                    "Trop de requêtes : réessayez dans quelques instants."))
                response = error_response(exc.status, exc.code, exc.message, exc.headers)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
