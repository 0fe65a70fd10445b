"""Slow and abusive clients are cut (issue 12, point 4): raw sockets, real timings.

Every test runs on both of uvicorn's HTTP protocols the server may use (h11, httptools):
the guards of marketplace/serving.py are one mixin over either."""

from __future__ import annotations

import json
import select
import socket
import time
from urllib.parse import urlsplit

import httpx
import pytest

from marketplace.serving import MAX_HEAD_BYTES

pytestmark = pytest.mark.parametrize("server", ["h11", "httptools"], indirect=True)

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


def _get(path: str, token: str = "", extra: bytes = b"") -> bytes:
    auth = b"Authorization: Bearer " + token.encode() + b"\r\n" if token else b""
    return b"GET " + path.encode() + b" HTTP/1.1\r\nHost: x\r\n" + auth + extra + b"\r\n"


def _read_answer(sock: socket.socket) -> bytes:
    """The head of one whole answer with a Content-Length body (the JSON routes')."""
    return _read_whole(sock)[0]


def _read_whole(sock: socket.socket) -> tuple[bytes, bytes]:
    sock.settimeout(10)
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                  if line.lower().startswith(b"content-length:"))
    while len(body) < length:
        body += sock.recv(65536)
    return head, body


def test_a_header_drip_after_an_answer_is_cut(server):
    with _connect(server.url) as sock:  # each byte cancels uvicorn's keep-alive timer
        sock.sendall(_get("/v1/health"))
        assert _read_answer(sock).startswith(b"HTTP/1.1 200")
        sock.sendall(b"GET /v1/health HTTP/1.1\r\n")
        started = time.monotonic()
        closed, _ = _closed_within(sock, CUT_WITHIN_S + 2, drip=b"X")
    assert closed and time.monotonic() - started < CUT_WITHIN_S + 1


def test_a_long_poll_is_not_cut_by_the_header_deadline(shop):
    with _connect(shop.url) as sock:  # waits 3 s, three times the header deadline
        sock.sendall(_get("/v1/pull?cursor=0&client_id=c_test", shop.token))
        head, body = _read_whole(sock)
        assert head.startswith(b"HTTP/1.1 200")
        cursor = json.loads(body)["cursor"]
        sock.sendall(_get(f"/v1/pull?cursor={cursor}&wait=3&client_id=c_test", shop.token))
        started = time.monotonic()
        assert _read_answer(sock).startswith(b"HTTP/1.1 200")
        assert time.monotonic() - started > 2.5
        sock.sendall(_get("/v1/health"))  # still open, still served
        assert _read_answer(sock).startswith(b"HTTP/1.1 200")


def test_big_headers_within_the_cap_are_served(server):
    with _connect(server.url) as sock:
        sock.sendall(_get("/v1/health", extra=b"Cookie: " + b"c" * (MAX_HEAD_BYTES // 2)
                          + b"\r\n"))
        assert _read_answer(sock).startswith(b"HTTP/1.1 200")


def _send_endless_header(sock: socket.socket, head: bytes) -> tuple[int, bool, bytes]:
    """Send ``head`` then one header's value, 4 KiB at a time, until the server answers or
    cuts (at most 1 MiB): bytes of the value sent, whether it closed, what it answered."""
    sock.sendall(head + b"X-Big: ")
    sent, chunk = 0, b"a" * 4096
    while sent < 64 * MAX_HEAD_BYTES:
        try:
            sock.sendall(chunk)
        except OSError:  # reset, broken pipe: cut
            break
        sent += len(chunk)
        if select.select([sock], [], [], 0.02)[0]:  # an answer, or the end
            break
    closed, answer = _closed_within(sock, CUT_WITHIN_S)
    return sent, closed, answer


@pytest.mark.parametrize("answered_first", [False, True])
def test_endless_headers_are_cut(server, answered_first):
    with _connect(server.url) as sock:
        if answered_first:
            sock.sendall(_get("/v1/health"))
            assert _read_answer(sock).startswith(b"HTTP/1.1 200")
        sent, closed, answer = _send_endless_header(sock, b"GET /v1/health HTTP/1.1\r\n")
    # h11 answers 400, httptools 431 (unless the reset of unread bytes overtakes it).
    assert closed and (answer == b"" or answer.startswith(b"HTTP/1.1 4"))
    assert sent < 32 * MAX_HEAD_BYTES  # a few chunks past the cap, however busy the machine


def test_endless_headers_behind_a_long_poll_are_cut(server, shop):
    if server.http == "h11":
        pytest.skip("h11 reads no further while a request is answered (uvicorn pauses on"
                    " h11.PAUSED): the kernel's buffers bound it; httptools parses on")
    with _connect(shop.url) as sock:  # a pipelined head while the first request waits
        cursor = shop.pull()["cursor"]
        sent, closed, _ = _send_endless_header(
            sock, _get(f"/v1/pull?cursor={cursor}&wait=20&client_id=c_test", shop.token)
            + b"GET /v1/health HTTP/1.1\r\n")
    assert closed and sent < 32 * MAX_HEAD_BYTES


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
