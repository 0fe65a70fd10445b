"""HTTP calls of the sync protocol, with every failure sorted into what to do next.

Exception tree::

    SyncError                 base; ``str()`` is a plain-French explanation
    ├── TransientError        network down, timeout, 5xx, malformed answer: retry with backoff
    ├── AuthError             401: token unknown or revoked, pair again (outbox kept)
    └── RequestRefused        other 4xx: show it, do not retry blindly
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from typing import Any

import httpcore
import httpx

from sync.protocol import API_PREFIX, Mutation
from sync.wire import ProtocolError, parse_pull, parse_push_response

__all__ = [
    "SyncError",
    "TransientError",
    "AuthError",
    "RequestRefused",
    "MarketplaceClient",
    "pair_device",
]


class SyncError(Exception):
    pass


class TransientError(SyncError):
    pass


class AuthError(SyncError):
    pass


class RequestRefused(SyncError):
    pass


def _error_message(response: httpx.Response) -> str:
    try:
        body = response.json()
        return str(body["error"]["message"])
    except (ValueError, KeyError, TypeError):
        return response.text[:200]


def _check(response: httpx.Response) -> Any:
    if response.status_code == 401:
        raise AuthError(
            "La place de marché ne reconnaît plus ce comptoir (jeton révoqué ou invalide) : "
            "associez-le de nouveau. Les changements en attente sont conservés."
        )
    if 400 <= response.status_code < 500:
        raise RequestRefused(
            f"Requête refusée par la place de marché ({response.status_code}) : "
            f"{_error_message(response)}"
        )
    if response.status_code >= 500:
        raise TransientError(
            f"La place de marché a une panne ({response.status_code}), nouvel essai bientôt."
        )
    try:
        return response.json()
    except (ValueError, json.JSONDecodeError) as exc:
        raise TransientError("Réponse illisible de la place de marché, nouvel essai bientôt.") from exc


def _call(client: httpx.Client, method: str, url: str, **kw: Any) -> Any:
    try:
        response = client.request(method, url, **kw)
    except httpx.TimeoutException as exc:
        raise TransientError("La place de marché ne répond pas (délai dépassé).") from exc
    except httpx.TransportError as exc:
        raise TransientError(
            f"Pas de connexion à la place de marché ({type(exc).__name__})."
        ) from exc
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
            raise TransientError(f"Réponse invalide de la place de marché : {exc}") from exc

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
            raise TransientError(f"Réponse invalide de la place de marché : {exc}") from exc

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
        raise TransientError("Réponse d'association invalide de la place de marché.")
    return {k: raw[k] for k in ("shop_id", "shop_name", "device_token")}
