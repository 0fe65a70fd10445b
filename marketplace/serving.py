"""How uvicorn serves the marketplace so slow and greedy clients are cut.

uvicorn's own mechanisms, set from the settings: ``timeout_keep_alive`` (an
idle connection between requests), ``limit_concurrency`` (a global cap: 503
past it), ``h11_max_incomplete_event_size`` (request line + headers size, h11
only), ``proxy_headers`` / ``forwarded_allow_ips`` (the client's real address
behind a reverse proxy, which the rate limits count by).

What uvicorn does not have, ``ConnectionGuard`` adds on either of its HTTP/1.1
protocols (h11, pure Python; httptools, a C parser at a fraction of the CPU
per request): a deadline for a request's headers (uvicorn starts no timer on a
new connection, and each byte of a header drip cancels its keep-alive timer),
a cap on open connections per client address, and a cap on the bytes a
request's line and headers may take (httptools has none: it buffers a header
as long as it keeps coming). The body deadline is the app's
(``validation.read_json``: 408 and the connection closed).

The standalone server runs on httptools and uvloop when they are installed
(``serve``: ``http="auto"``, ``loop="auto"``); the embedded one (a thread of
the shop app) keeps the stock asyncio loop of its thread.
"""

from __future__ import annotations

import asyncio
import functools
import importlib.util
import logging
from collections import Counter
from typing import TYPE_CHECKING, Any, Literal

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from marketplace.settings import Settings

__all__ = ["MAX_HEAD_BYTES", "ConnectionGuard", "GuardedH11Protocol", "guarded_protocol",
           "http_implementation", "loop_implementation", "uvicorn_config"]

log = logging.getLogger(__name__)

HttpName = Literal["auto", "h11", "httptools"]
LoopName = Literal["auto", "asyncio", "uvloop"]

MAX_HEAD_BYTES = 16 * 1024  # request line + headers (h11's limit too, as set below)
_TOO_LARGE_BODY = b"Request headers are too large.\n"
TOO_LARGE = (b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
             b"content-type: text/plain; charset=utf-8\r\n"
             b"content-length: %d\r\nconnection: close\r\n\r\n%s"
             % (len(_TOO_LARGE_BODY), _TOO_LARGE_BODY))


class ConnectionGuard:
    """Mixed in before uvicorn's H11Protocol or HttpToolsProtocol (same hooks in both).

    Both create ``self.cycle`` inside ``data_received`` once a request's headers are
    complete (h11: its Request event; httptools: ``on_headers_complete``), so a new cycle
    after feeding the parser is what ends a request's head: the header timer stops then,
    never on a byte of a drip."""

    header_timeout_s: float = 10.0
    max_per_address: int = 0  # 0 = no cap
    max_head_bytes: int = MAX_HEAD_BYTES
    exempt: frozenset[str] = frozenset()
    open_by_address: Counter[str]

    if TYPE_CHECKING:  # from the uvicorn protocol this is mixed into
        client: tuple[str, int] | None
        cycle: Any
        loop: asyncio.AbstractEventLoop
        transport: asyncio.Transport

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)  # type: ignore[misc]
        self._header_timer: asyncio.TimerHandle | None = None
        self._head_bytes = 0
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
        super().connection_lost(exc)  # type: ignore[misc]

    def data_received(self, data: bytes) -> None:
        cycle = self.cycle
        # Bytes that can only be a next request's head: none read yet, or the current
        # request fully read (a pipelined head behind a long-poll), or already answered (the
        # rest of a body the app did not read: at most this much more is drained).
        heading = cycle is None or not cycle.more_body or cycle.response_complete
        if heading:
            self._head_bytes += len(data)
        super().data_received(data)  # type: ignore[misc]
        if self.cycle is not cycle:  # a request's headers are complete: its app runs now
            self._cancel_header_timer()
            self._head_bytes = 0
        elif heading and self._head_bytes > self.max_head_bytes:
            self._head_too_large()

    def on_response_complete(self) -> None:
        super().on_response_complete()  # type: ignore[misc]
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

    def _head_too_large(self) -> None:
        if self.transport.is_closing():
            return  # the parser refused it already (h11: 400)
        address = self.client[0] if self.client else ""
        log.warning("connection cut: %s sent more than %d bytes of request headers", address,
                    self.max_head_bytes)
        cycle = self.cycle
        if cycle is None or (cycle.response_complete and not cycle.more_body):
            self.transport.write(TOO_LARGE)  # nothing else on the wire: the client can read why
        self.transport.close()


class GuardedH11Protocol(ConnectionGuard, H11Protocol):
    pass


def _importable(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


@functools.cache
def _guarded_httptools() -> type[ConnectionGuard]:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol  # needs httptools

    class GuardedHttpToolsProtocol(ConnectionGuard, HttpToolsProtocol):
        pass

    return GuardedHttpToolsProtocol


def http_implementation(name: HttpName = "auto") -> type[ConnectionGuard]:
    """The guarded protocol class for ``name``; "auto": httptools when installed, else h11."""
    if name == "h11" or (name == "auto" and not _importable("httptools")):
        return GuardedH11Protocol
    return _guarded_httptools()


def loop_implementation(name: LoopName = "auto") -> str:
    """uvicorn's ``loop`` option; "auto": uvloop when installed (not on Windows), else asyncio."""
    if name == "auto":
        return "uvloop" if _importable("uvloop") else "asyncio"
    return name


def guarded_protocol(settings: Settings, exempt: frozenset[str],
                     http: HttpName = "auto") -> type[ConnectionGuard]:
    """A protocol class with this server's limits (one per server: its own counters)."""
    base = http_implementation(http)
    return type(base.__name__.replace("Guarded", "Marketplace"), (base,), {
        "header_timeout_s": settings.header_timeout_s,
        "max_per_address": settings.max_connections_per_address,
        "exempt": exempt,
        "open_by_address": Counter(),
    })


def uvicorn_config(app: Any, settings: Settings, *, forwarded_allow_ips: str | None = None,
                   http: HttpName = "auto", loop: LoopName = "asyncio",
                   **options: Any) -> uvicorn.Config:
    """The uvicorn Config of the marketplace: its protocol, timeouts and caps, proxy headers.

    ``loop`` defaults to asyncio: only ``serve`` (a process of its own) asks for uvloop."""
    proxies = [ip.strip() for ip in (forwarded_allow_ips or "").split(",") if ip.strip()]
    # The proxy's own connections carry many customers: the proxy caps those (limit_conn).
    exempt = frozenset(settings.rate_limit_exempt) | frozenset(proxies)
    return uvicorn.Config(
        app, lifespan="on", loop=loop_implementation(loop),
        http=guarded_protocol(settings, exempt, http), ws="none",  # type: ignore[arg-type]
        log_config=None, access_log=False,
        timeout_keep_alive=max(1, round(settings.keep_alive_s)),
        limit_concurrency=settings.limit_concurrency or None,
        h11_max_incomplete_event_size=MAX_HEAD_BYTES,  # ConnectionGuard's check on httptools
        proxy_headers=bool(proxies), forwarded_allow_ips=",".join(proxies) or None,
        **options)
