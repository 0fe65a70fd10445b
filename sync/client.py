"""HTTP calls of the sync protocol, with every failure sorted into what to do next.

Exception tree::

    SyncError                 base; ``str()`` is a CoreMessage (sync/messages.py): French
                              text saying what to do, with a code the interface translates
    ├── TransientError        network down, timeout, 5xx, malformed answer: retry with backoff
    ├── AuthError             401: token unknown or revoked, pair again (outbox kept)
    └── RequestRefused        other 4xx: show it, do not retry blindly
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import threading
from typing import Any

import httpcore
import httpx

from sync.messages import REFUSAL_CODES, CoreMessage, sync_message
from sync.protocol import API_PREFIX, Mutation
from sync.wire import ProtocolError, parse_pull, parse_push_response

log = logging.getLogger(__name__)

__all__ = [
    "SyncError",
    "TransientError",
    "AuthError",
    "RequestRefused",
    "MarketplaceClient",
    "pair_device",
]


class SyncError(Exception):
    """``str()`` is a CoreMessage: French text plus a code the interface translates."""

    def __init__(self, message: CoreMessage) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message  # the CoreMessage itself, so str(exc) keeps its code


class TransientError(SyncError):
    pass


class AuthError(SyncError):
    pass


class RequestRefused(SyncError):
    pass


def _error_code(response: httpx.Response) -> str:
    try:
        return str(response.json()["error"]["code"])
    except (ValueError, KeyError, TypeError):
        return ""


def _check(response: httpx.Response) -> Any:
    if response.status_code == 401:
        raise AuthError(sync_message("sync.unauthorized"))
    if 400 <= response.status_code < 500:
        code = _error_code(response)
        log.warning("marketplace refused %s %s: %s %s", response.request.method,
                    response.request.url.path, response.status_code, response.text[:300])
        raise RequestRefused(sync_message(REFUSAL_CODES[code]) if code in REFUSAL_CODES
                             else sync_message("sync.refused", status=response.status_code))
    if response.status_code >= 500:
        raise TransientError(sync_message("sync.server_down", status=response.status_code))
    try:
        return response.json()
    except (ValueError, json.JSONDecodeError) as exc:
        log.warning("unreadable answer from the marketplace: %r", response.text[:300])
        raise TransientError(sync_message("sync.bad_answer")) from exc


def _call(client: httpx.Client, method: str, url: str, **kw: Any) -> Any:
    try:
        response = client.request(method, url, **kw)
    except httpx.TimeoutException as exc:
        log.info("marketplace timeout: %r", exc)
        raise TransientError(sync_message("sync.timeout")) from exc
    except httpx.TransportError as exc:
        log.info("no connection to the marketplace: %r", exc)  # the library's text: log only
        raise TransientError(sync_message("sync.offline")) from exc
    return _check(response)


class _InterruptibleBackend(httpcore.SyncBackend):
    """Remembers its sockets so another thread can cut a long-poll short.

    Closing an ``httpx.Client`` from another thread does not wake a thread
    blocked in ``recv``; shutting the socket down does, at once.
    """

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._streams: list[Any] = []

    def connect_tcp(self, *args: Any, **kwargs: Any) -> httpcore.NetworkStream:
        stream = super().connect_tcp(*args, **kwargs)
        with self._lock:
            self._streams = [s for s in self._streams if s.get_extra_info("socket").fileno() != -1]
            self._streams.append(stream)
        return stream

    def interrupt(self) -> None:
        with self._lock:
            streams, self._streams = self._streams, []
        for stream in streams:
            sock = stream.get_extra_info("socket")
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


class MarketplaceClient:
    """One HTTP connection pool per thread; only ``interrupt`` may be called from another."""

    def __init__(self, base_url: str, token: str, *, timeout: float = 10.0):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._backend = _InterruptibleBackend()
        transport = httpx.HTTPTransport()
        # httpx has no public hook for the network backend; its pool is built like this.
        transport._pool = httpcore.ConnectionPool(network_backend=self._backend)
        self.http = httpx.Client(
            base_url=self.base_url,
            headers={"Authorization": f"Bearer {token}"},
            timeout=httpx.Timeout(timeout),
            transport=transport,
        )

    def interrupt(self) -> None:
        """Cut any request in flight (from another thread): it fails as a TransientError."""
        self._backend.interrupt()

    def push(self, client_id: str, mutations: list[Mutation]) -> dict[str, Any]:
        body = {"client_id": client_id, "mutations": [m.to_wire() for m in mutations]}
        raw = _call(self.http, "POST", f"{API_PREFIX}/push", json=body)
        try:
            return parse_push_response(raw)
        except ProtocolError as exc:
            log.warning("invalid answer from the marketplace: %s", exc)
            raise TransientError(sync_message("sync.bad_answer")) from exc

    def pull(self, cursor: int, client_id: str, wait: float = 0.0) -> dict[str, Any]:
        params = {"cursor": cursor, "client_id": client_id, "wait": wait}
        raw = _call(
            self.http,
            "GET",
            f"{API_PREFIX}/pull",
            params=params,
            timeout=httpx.Timeout(self.timeout + wait),
        )
        try:
            return parse_pull(raw)
        except ProtocolError as exc:
            log.warning("invalid answer from the marketplace: %s", exc)
            raise TransientError(sync_message("sync.bad_answer")) from exc

    def close(self) -> None:
        self.http.close()


def pair_device(base_url: str, pairing_code: str, device_name: str) -> dict[str, str]:
    """Exchange a pairing code for a device token (the caller stores it in the keyring)."""
    with httpx.Client(base_url=base_url.rstrip("/"), timeout=10.0) as http:
        raw = _call(
            http,
            "POST",
            f"{API_PREFIX}/pair",
            json={"pairing_code": pairing_code.strip(), "device_name": device_name},
        )
    if not isinstance(raw, dict) or not all(
        isinstance(raw.get(k), str) for k in ("shop_id", "shop_name", "device_token")
    ):
        log.warning("invalid pairing answer from the marketplace: %r", raw)
        raise TransientError(sync_message("sync.bad_answer"))
    return {k: raw[k] for k in ("shop_id", "shop_name", "device_token")}
