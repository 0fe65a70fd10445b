"""HTTP calls of the sync protocol, bounded against any server, each failure sorted.

Exception tree::

    SyncError                 base; ``str()`` is a CoreMessage (sync/messages.py): French
                              text saying what to do, with a code the interface translates
    ├── TransientError        network down, timeout, 5xx, 429, a redirect, a malformed or
    │                         oversized answer: retry with backoff (``retry_after``: the
    │                         server's wish)
    ├── AuthError             401: token unknown or revoked, pair again (outbox kept)
    └── RequestRefused        other 4xx: show it, do not retry blindly

Bounds, whatever the server sends (hostile, broken or a captive portal):

- a body is streamed and refused past ``max_response_bytes`` (``Content-Length`` is
  checked first, then every chunk), gzip is decoded here with a bounded output, any
  other content coding is refused: a compression bomb never reaches memory;
- a request has an overall deadline (long-poll wait + ``timeout``): a server that
  drips a byte every two seconds is cut like a dead one;
- only a ``200`` is ever parsed as an answer (a redirect never is: no follow either).

Cutting a request from another thread (``interrupt``) uses httpx's public ``trace``
extension to learn every stream the client opened (TLS included) and shuts their
sockets down: a thread blocked in ``recv`` wakes at once.
"""

from __future__ import annotations

import contextlib
import email.utils
import json
import logging
import socket
import ssl
import threading
import time
import zlib
from typing import Any

import httpx

from sync.messages import REFUSAL_CODES, CoreMessage, sync_message
from sync.protocol import API_PREFIX, Mutation
from sync.url_check import insecure_url_message
from sync.wire import ProtocolError, parse_pull, parse_push_response

log = logging.getLogger(__name__)

__all__ = [
    "SyncError",
    "TransientError",
    "AuthError",
    "RequestRefused",
    "MarketplaceClient",
    "pair_device",
    "MAX_RESPONSE_BYTES",
]

MAX_RESPONSE_BYTES = 2 * 1024 * 1024  # a pull page is far below; parsed JSON can be 25x bigger
MAX_ERROR_BODY_BYTES = 64 * 1024
MAX_RETRY_AFTER_S = 60.0  # a shop offline for minutes on one header: no
CONNECT_TIMEOUT_S = 5.0

Verify = ssl.SSLContext | str | bool


class SyncError(Exception):
    """``str()`` is a CoreMessage: French text plus a code the interface translates."""

    def __init__(self, message: CoreMessage) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message  # the CoreMessage itself, so str(exc) keeps its code


class TransientError(SyncError):
    def __init__(self, message: CoreMessage, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class AuthError(SyncError):
    pass


class RequestRefused(SyncError):
    pass


class _TooLarge(Exception):
    pass


def _retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta or HTTP date), capped; None if absent/bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        seconds = float(value)
    else:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = when.timestamp() - time.time()
    return min(max(seconds, 0.0), MAX_RETRY_AFTER_S)


def _read_bounded(response: httpx.Response, limit: int) -> bytes:
    """The decoded body, or _TooLarge as soon as it would pass ``limit`` bytes."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _TooLarge
    coding = response.headers.get("content-encoding", "identity").strip().lower()
    if coding not in ("identity", "gzip"):
        log.warning("marketplace answer in an unknown content coding: %r", coding[:40])
        raise TransientError(sync_message("sync.bad_answer"))
    decoder = zlib.decompressobj(16 + zlib.MAX_WBITS) if coding == "gzip" else None
    body = bytearray()
    received = 0
    for chunk in response.iter_raw():
        received += len(chunk)
        if received > limit:
            raise _TooLarge
        if decoder is None:
            body += chunk
            continue
        data = chunk
        while data:
            try:
                body += decoder.decompress(data, limit + 1 - len(body))
            except zlib.error as exc:
                log.warning("unreadable gzip answer from the marketplace: %s", exc)
                raise TransientError(sync_message("sync.bad_answer")) from exc
            if len(body) > limit:
                raise _TooLarge
            data = decoder.unconsumed_tail
    return bytes(body)


def _error_code(body: bytes) -> str:
    try:
        return str(json.loads(body)["error"]["code"])
    except (ValueError, KeyError, TypeError, RecursionError):
        return ""


def _check(status: int, headers: httpx.Headers, body: bytes) -> Any:
    if status == 200:
        try:
            return json.loads(body)
        except (ValueError, RecursionError) as exc:
            log.warning("unreadable answer from the marketplace: %r", body[:300])
            raise TransientError(sync_message("sync.bad_answer")) from exc
    if status == 401:
        raise AuthError(sync_message("sync.unauthorized"))
    if status == 429 or status >= 500:
        raise TransientError(sync_message("sync.server_down", status=status),
                             retry_after=_retry_after(headers.get("retry-after")))
    if 300 <= status < 400:
        # A wrong address (http:// for https://) or a captive portal: never followed.
        log.warning("marketplace redirects (%s) to %r", status, headers.get("location", "")[:200])
        raise TransientError(sync_message("sync.offline"))
    if 400 <= status < 500:
        code = _error_code(body)
        log.warning("marketplace refused the request: %s %r", status, body[:300])
        raise RequestRefused(sync_message(REFUSAL_CODES[code]) if code in REFUSAL_CODES
                             else sync_message("sync.refused", status=status))
    log.warning("unexpected status from the marketplace: %s", status)
    raise TransientError(sync_message("sync.bad_answer"))


class MarketplaceClient:
    """One HTTP connection pool, used by one thread; ``interrupt`` may come from any thread."""

    def __init__(self, base_url: str, token: str | None, *, timeout: float = 10.0,
                 verify: Verify = True, max_response_bytes: int = MAX_RESPONSE_BYTES):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.max_response_bytes = max_response_bytes
        self._lock = threading.Lock()
        self._streams: list[Any] = []
        self._interrupted = False
        if isinstance(verify, str):  # a CA bundle: the marketplace's own CA, say
            verify = ssl.create_default_context(cafile=verify)
        headers = {"Accept-Encoding": "gzip"}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        self.http = httpx.Client(
            base_url=self.base_url,
            headers=headers,
            timeout=httpx.Timeout(timeout, connect=min(timeout, CONNECT_TIMEOUT_S)),
            verify=verify,
            follow_redirects=False,
        )

    # -- cutting a request short (any thread) -------------------------------------------
    def interrupt(self) -> None:
        """Cut any request in flight, and every later one: they fail as TransientError."""
        with self._lock:
            self._interrupted = True
        self._shut_streams()

    @property
    def interrupted(self) -> bool:
        with self._lock:
            return self._interrupted

    def _trace(self, event: str, info: dict[str, Any]) -> None:
        # httpx's public trace extension: every stream this client opens passes here.
        if event not in ("connection.connect_tcp.complete", "connection.start_tls.complete"):
            return
        with self._lock:
            self._streams = [s for s in self._streams if _socket_of(s) is not None]
            self._streams.append(info["return_value"])
            cut = self._interrupted
        if cut:
            self._shut_streams()

    def _shut_streams(self) -> None:
        with self._lock:
            streams = list(self._streams)
        for stream in streams:
            sock = _socket_of(stream)
            if sock is not None:
                # socket.socket's own shutdown, also on an SSLSocket: TLS state untouched,
                # and a closed socket has no fd left to hit (no risk of a reused one).
                with contextlib.suppress(OSError):
                    socket.socket.shutdown(sock, socket.SHUT_RDWR)

    # -- one bounded request ---------------------------------------------------------------
    def _request(self, method: str, path: str, *, deadline_s: float, **kw: Any) -> Any:
        with self._lock:
            if self._interrupted:
                raise TransientError(sync_message("sync.offline"))  # cut on purpose: never shown
        expired = threading.Event()

        def on_deadline() -> None:
            expired.set()
            self._shut_streams()

        timer = threading.Timer(deadline_s, on_deadline)
        timer.daemon = True
        timer.start()
        try:
            with self.http.stream(method, path, extensions={"trace": self._trace}, **kw) as r:
                limit = self.max_response_bytes if r.status_code == 200 else MAX_ERROR_BODY_BYTES
                body = _read_bounded(r, limit)
                status, headers = r.status_code, r.headers
        except _TooLarge as exc:
            log.warning("marketplace answer over %d bytes: refused", self.max_response_bytes)
            raise TransientError(sync_message("sync.bad_answer")) from exc
        except (httpx.TimeoutException, httpx.TransportError, httpx.DecodingError) as exc:
            if expired.is_set():
                log.info("marketplace answer not complete within %.0f s: cut", deadline_s)
                raise TransientError(sync_message("sync.timeout")) from exc
            if isinstance(exc, httpx.TimeoutException):
                log.info("marketplace timeout: %r", exc)
                raise TransientError(sync_message("sync.timeout")) from exc
            log.info("no connection to the marketplace: %r", exc)  # the library's text: log only
            raise TransientError(sync_message("sync.offline")) from exc
        finally:
            timer.cancel()
        # A cut can look like a clean end of a close-delimited body: never use what came.
        if expired.is_set():
            log.info("marketplace answer not complete within %.0f s: cut", deadline_s)
            raise TransientError(sync_message("sync.timeout"))
        with self._lock:
            if self._interrupted:
                raise TransientError(sync_message("sync.offline"))  # cut on purpose: never shown
        return _check(status, headers, body)

    # -- the protocol --------------------------------------------------------------------
    def push(self, client_id: str, mutations: list[Mutation]) -> dict[str, Any]:
        body = {"client_id": client_id, "mutations": [m.to_wire() for m in mutations]}
        raw = self._request("POST", f"{API_PREFIX}/push", json=body, deadline_s=2 * self.timeout)
        try:
            return parse_push_response(raw)
        except ProtocolError as exc:
            log.warning("invalid answer from the marketplace: %s", exc)
            raise TransientError(sync_message("sync.bad_answer")) from exc

    def pull(self, cursor: int, client_id: str, wait: float = 0.0,
             after_reset: bool = False) -> dict[str, Any]:
        params = {"cursor": cursor, "client_id": client_id, "wait": wait}
        raw = self._request(
            "GET",
            f"{API_PREFIX}/pull",
            params=params,
            timeout=httpx.Timeout(self.timeout + wait,
                                  connect=min(self.timeout, CONNECT_TIMEOUT_S)),
            deadline_s=wait + 2 * self.timeout,
        )
        try:
            return parse_pull(raw, asked_cursor=cursor, after_reset=after_reset)
        except ProtocolError as exc:
            log.warning("invalid answer from the marketplace: %s", exc)
            raise TransientError(sync_message("sync.bad_answer")) from exc

    def close(self) -> None:
        self.http.close()


def _socket_of(stream: Any) -> socket.socket | None:
    sock = stream.get_extra_info("socket")
    if sock is None or sock.fileno() == -1:
        return None
    return sock


def pair_device(base_url: str, pairing_code: str, device_name: str, *,
                verify: Verify = True) -> dict[str, str]:
    """Exchange a pairing code for a device token (the caller stores it in the keyring)."""
    refused = insecure_url_message(base_url)
    if refused:  # before anything is sent: the code is a secret too
        raise RequestRefused(refused)
    client = MarketplaceClient(base_url, None, timeout=10.0, verify=verify)
    try:
        raw = client._request(
            "POST",
            f"{API_PREFIX}/pair",
            json={"pairing_code": pairing_code.strip(), "device_name": device_name},
            deadline_s=20.0,
        )
    finally:
        client.close()
    if not isinstance(raw, dict) or not all(
        isinstance(raw.get(k), str) for k in ("shop_id", "shop_name", "device_token")
    ):
        log.warning("invalid pairing answer from the marketplace: %r", raw)
        raise TransientError(sync_message("sync.bad_answer"))
    return {k: raw[k] for k in ("shop_id", "shop_name", "device_token")}
