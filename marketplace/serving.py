"""How uvicorn serves the marketplace so slow and greedy clients are cut.

uvicorn's own mechanisms, set from the settings: ``timeout_keep_alive`` (an
idle connection between requests), ``limit_concurrency`` (a global cap: 503
past it), ``h11_max_incomplete_event_size`` (request line + headers size),
``proxy_headers`` / ``forwarded_allow_ips`` (the client's real address behind
a reverse proxy, which the rate limits count by).

What uvicorn does not have, ``GuardedH11Protocol`` adds on its h11 protocol:
a deadline for a request's headers (uvicorn starts no timer on a new
connection, and each byte of a header drip cancels its keep-alive timer), and
a cap on open connections per client address. The body deadline is the
app's (``validation.read_json``: 408 and the connection closed).
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from typing import Any

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from marketplace.settings import Settings

__all__ = ["GuardedH11Protocol", "guarded_protocol", "uvicorn_config"]

log = logging.getLogger(__name__)


class GuardedH11Protocol(H11Protocol):
    header_timeout_s: float = 10.0
    max_per_address: int = 0  # 0 = no cap
    exempt: frozenset[str] = frozenset()
    open_by_address: Counter[str]

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._header_timer: asyncio.TimerHandle | None = None
        self._counted: str | None = None
        address = self.client[0] if self.client else ""
        if self.max_per_address and address not in self.exempt:
            if self.open_by_address[address] >= self.max_per_address:
                log.warning("connection refused: %s already has %d open", address,
                            self.max_per_address)
                transport.abort()
                return
            self.open_by_address[address] += 1
            self._counted = address
        self._arm_header_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_header_timer()
        if getattr(self, "_counted", None) is not None:
            self.open_by_address[self._counted] -= 1
            if self.open_by_address[self._counted] <= 0:
                del self.open_by_address[self._counted]
            self._counted = None
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        cycle = self.cycle
        super().data_received(data)
        if self.cycle is not cycle:  # a request's headers are complete: its app runs now
            self._cancel_header_timer()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm_header_timer()  # the next request's headers get the same deadline

    def _arm_header_timer(self) -> None:
        self._cancel_header_timer()
        self._header_timer = self.loop.call_later(self.header_timeout_s, self._headers_too_slow)

    def _cancel_header_timer(self) -> None:
        timer = getattr(self, "_header_timer", None)
        if timer is not None:
            timer.cancel()
            self._header_timer = None

    def _headers_too_slow(self) -> None:
        self._header_timer = None
        if self.transport.is_closing():
            return
        if self.cycle is not None and not self.cycle.response_complete:
            return  # a request is being answered (a long-poll): not ours to cut
        self.transport.close()


def guarded_protocol(settings: Settings, exempt: frozenset[str]) -> type[GuardedH11Protocol]:
    """A protocol class with this server's limits (one per server: its own counters)."""
    return type("MarketplaceH11Protocol", (GuardedH11Protocol,), {
        "header_timeout_s": settings.header_timeout_s,
        "max_per_address": settings.max_connections_per_address,
        "exempt": exempt,
        "open_by_address": Counter(),
    })


def uvicorn_config(app: Any, settings: Settings, *, forwarded_allow_ips: str | None = None,
                   **options: Any) -> uvicorn.Config:
    """The uvicorn Config of the marketplace: h11, its timeouts and caps, proxy headers."""
    proxies = [ip.strip() for ip in (forwarded_allow_ips or "").split(",") if ip.strip()]
    # The proxy's own connections carry many customers: the proxy caps those (limit_conn).
    exempt = frozenset(settings.rate_limit_exempt) | frozenset(proxies)
    return uvicorn.Config(
        app, lifespan="on", loop="asyncio", http=guarded_protocol(settings, exempt), ws="none",
        log_config=None, access_log=False,
        timeout_keep_alive=max(1, round(settings.keep_alive_s)),
        limit_concurrency=settings.limit_concurrency or None,
        h11_max_incomplete_event_size=16 * 1024,  # request line + headers
        proxy_headers=bool(proxies), forwarded_allow_ips=",".join(proxies) or None,
        **options)
