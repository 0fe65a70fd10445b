"""What the marketplace does so it can face the internet: JSON only, explicit CORS.

A browser sends ``text/plain``, form-encoded or Content-Type-less POSTs from
any page without asking (CORS "simple requests"), so a page a customer visits
could place orders in their name. Requiring ``application/json`` forces a
CORS preflight, and the preflight is answered only for the origins the
operator allowed (none by default): Starlette's ``CORSMiddleware`` does the
CORS part, on the customer API only (the shop app is not a browser).
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from marketplace.errors import ApiError

__all__ = ["CUSTOMER_PREFIX", "ORDER_SECRET_HEADER", "CustomerCors", "check_origin",
           "require_json"]

CUSTOMER_PREFIX = "/v1/customer/"
ORDER_SECRET_HEADER = "X-Order-Secret"


def require_json(request: Request) -> None:
    """415 unless the body is declared as JSON (``application/json``, any charset)."""
    media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media_type != "application/json":
        raise ApiError(415, "unsupported_media_type",
                       "Le corps de la requête doit être du JSON (Content-Type: application/json).")


def check_origin(origin: str) -> str:
    """An allowed origin as the browser sends it (``https://shop.example``), or ValueError."""
    parts = urlsplit(origin)
    if (parts.scheme not in ("http", "https") or not parts.hostname or parts.path
            or parts.query or parts.fragment or parts.username):
        raise ValueError(f"not an origin (scheme://host[:port]): {origin!r}")
    return origin.rstrip("/")


class CustomerCors:
    """CORS for ``/v1/customer/…`` with the operator's allowed origins (empty = closed)."""

    def __init__(self, app: ASGIApp, origins: Iterable[str] = ()):
        self.app = app
        self.cors = CORSMiddleware(
            app, allow_origins=[check_origin(o) for o in origins],
            allow_methods=["GET", "POST"], allow_headers=["Content-Type", ORDER_SECRET_HEADER],
            expose_headers=["Idempotent-Replayed", "Retry-After"], max_age=600)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(CUSTOMER_PREFIX):
            await self.cors(scope, receive, send)
        else:
            await self.app(scope, receive, send)
