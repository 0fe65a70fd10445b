"""Slow and abusive clients are cut (issue 12, point 4): raw sockets, real timings."""

from __future__ import annotations

import socket
import time
from urllib.parse import urlsplit

import httpx

SETTINGS = {"header_timeout_s": 1.0, "body_timeout_s": 1.0, "max_connections_per_address": 4,
            "customer_orders_per_address": "3/minute", "customer_requests_per_shop": "12/minute",
            "customer_requests_per_address": "30/minute"}
CUT_WITHIN_S = 4.0  # the 1 s deadlines above, plus scheduling slack on a busy machine


def _connect(url: str, source: str = "127.0.0.1") -> socket.socket:
    parts = urlsplit(url)
    sock = socket.create_connection((parts.hostname, parts.port), timeout=10,
                                    source_address=(source, 0))
    return sock


def _closed_within(sock: socket.socket, seconds: float, drip: bytes = b"") -> tuple[bool, bytes]:
    """Read until the server closes (True) or ``seconds`` pass (False); drip a byte meanwhile."""
    received = b""
    deadline = time.monotonic() + seconds
    sock.settimeout(0.25)
    while time.monotonic() < deadline:
        try:
            data = sock.recv(65536)
        except TimeoutError:
            if drip:
                try:
                    sock.sendall(drip)
                except OSError:
                    return True, received
            continue
        except ConnectionResetError:
            return True, received
        if not data:
            return True, received
        received += data
    return False, received


def test_an_idle_connection_is_cut(server):
    with _connect(server.url) as sock:
        closed, _ = _closed_within(sock, CUT_WITHIN_S)
    assert closed


def test_a_header_drip_is_cut(server):
    with _connect(server.url) as sock:
        sock.sendall(b"POST /v1/pair HTTP/1.1\r\nHost: x\r\n")
        started = time.monotonic()
        closed, _ = _closed_within(sock, CUT_WITHIN_S + 2, drip=b"X")
    assert closed and time.monotonic() - started < CUT_WITHIN_S + 1


def test_a_body_that_never_comes_is_cut_after_the_body_timeout(shop):
    with _connect(shop.url) as sock:  # the audit's: declares 2 MB, sends 5 bytes
        sock.sendall(b"POST /v1/push HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Authorization: Bearer " + shop.token.encode() + b"\r\n"
                     b"Content-Length: 2000000\r\n\r\n{\"cl")
        started = time.monotonic()
        closed, answer = _closed_within(sock, CUT_WITHIN_S)
    assert closed and time.monotonic() - started < CUT_WITHIN_S
    assert answer.startswith(b"HTTP/1.1 408") and b"body_timeout" in answer


def test_an_unauthenticated_big_body_is_refused_at_once(server):
    with _connect(server.url) as sock:
        sock.sendall(b"POST /v1/pair HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 2000000\r\n\r\n{\"pa")
        closed, answer = _closed_within(sock, CUT_WITHIN_S)
    assert closed and answer.startswith(b"HTTP/1.1 413")


def test_connections_per_address_are_capped(server):
    held = [_connect(server.url, "127.0.0.7") for _ in range(4)]
    try:
        time.sleep(0.2)  # let the server count them (no request yet to wait on)
        extra = _connect(server.url, "127.0.0.7")
        closed, _ = _closed_within(extra, 1.0)
        extra.close()
        assert closed
        other = httpx.Client(transport=httpx.HTTPTransport(local_address="127.0.0.8"))
        assert other.get(f"{server.url}/v1/health").status_code == 200
        other.close()
    finally:
        for sock in held:
            sock.close()


def _client(n: int) -> httpx.Client:
    return httpx.Client(transport=httpx.HTTPTransport(local_address=f"127.0.0.{n}"), timeout=10)


def test_orders_per_address_are_rate_limited(shop):
    url = f"{shop.url}/v1/customer/shops/{shop.shop_id}/orders"
    body = {"customer": {"name": "Zoé", "phone": "0601020304"}, "channel": "collect",
            "lines": [{"sku": "CROIS", "qty": 1}]}
    with _client(90) as http:
        codes = [http.post(url, json={**body, "customer": {"name": "Zoé",
                                                           "phone": f"06000000{n:02d}"}})
                 for n in range(4)]
        assert [r.status_code for r in codes] == [201, 201, 201, 429]
        assert codes[-1].json()["error"]["code"] == "rate_limited"
        assert 1 <= int(codes[-1].headers["retry-after"]) <= 60
    with _client(91) as http:
        assert http.post(url, json=body).status_code == 201


def test_requests_per_shop_are_rate_limited(server):
    from tests.marketplace.conftest import open_shop

    busy, calm = open_shop(server), open_shop(server)
    answers = []
    for n in range(13):
        with _client(100 + n) as http:
            answers.append(http.get(f"{server.url}/v1/customer/shops/{busy.shop_id}").status_code)
    assert answers[:12] == [200] * 12 and answers[12] == 429
    with _client(120) as http:
        assert http.get(f"{server.url}/v1/customer/shops/{calm.shop_id}").status_code == 200
