"""The customer storefront: a phone-first web page on the customer API, served at /boutique/.

Plain HTML, CSS and JavaScript files (``static/``), no framework and no build step: the
page builds its DOM with ``textContent`` only, talks to ``/v1/customer/…`` on the same
origin, and keeps the order secrets and the customer's remembered details in the
browser's localStorage (never on the server beyond the order itself). Every file is
served with a strict Content-Security-Policy: no inline script or style, nothing from
another origin.
"""

from __future__ import annotations

from pathlib import Path

from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["PATH", "STATIC_DIR", "CSP", "routes", "storefront_url"]

PATH = "/boutique"
STATIC_DIR = Path(__file__).parent / "static"
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob:;"
       " connect-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'none';"
       " frame-ancestors 'none'")
_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    # Revalidate each time (ETag): a fixed page after an upgrade, and 304s cost nothing.
    (b"cache-control", b"no-cache"),
]


class _Hardened:
    """Adds the security headers to every storefront response."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {name for name, _ in _HEADERS}
                message["headers"] = [(k, v) for k, v in message.get("headers", [])
                                      if k.lower() not in names] + _HEADERS
            await send(message)

        await self.app(scope, receive, with_headers)


def routes() -> list[BaseRoute]:
    """The storefront's files at /boutique/ (index.html for the directory)."""
    return [Mount(PATH, app=_Hardened(StaticFiles(directory=STATIC_DIR, html=True)),
                  name="storefront")]


def storefront_url(base_url: str) -> str:
    """The storefront's address on a server at ``base_url`` (http://127.0.0.1:8765)."""
    return base_url.rstrip("/") + PATH + "/"
