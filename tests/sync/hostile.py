"""A marketplace that attacks its clients: huge, endless, compressed or dripping answers.

The behaviour is chosen by the first path segment, so one server serves every kind:
``http://127.0.0.1:PORT/<kind>`` is a base URL for ``MarketplaceClient``.

    python -m tests.sync.hostile URL KIND...   pulls each KIND from a hostile server,
                                               prints the outcome and this process's peak RSS
"""

from __future__ import annotations

import json
import resource
import sys
import threading
import time
import zlib
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from tests.factories import pull

__all__ = ["HostileServer", "KINDS"]

MB = 1024 * 1024


@cache
def gzip_bomb(size: int = 512 * MB) -> bytes:
    """``size`` bytes of a JSON-looking body, gzipped to about a thousandth of that."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    parts = [packer.compress(b'{"cursor": 1, "pad": "')]
    block = b" " * MB
    parts.extend(packer.compress(block) for _ in range(size // MB))
    parts.append(packer.flush())
    return b"".join(parts)


def _amplifier(size: int) -> bytes:
    """Small JSON that becomes a big heap: ``[{}, {}, …]`` (~20x in Python objects)."""
    return b"[" + b",".join([b"{}"] * (size // 3)) + b"]"


KINDS = ("declared_huge", "endless", "endless_headers", "gzip_bomb", "json_amplifier",
         "deep_json", "drip", "redirect_pull", "created_pull", "negative_cursor", "slow_headers")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"  # close-delimited bodies: "endless" needs no length

    def do_GET(self):  # noqa: N802 - http.server's API
        kind = self.path.strip("/").split("/")[0]
        self.server.hits.append(kind)  # type: ignore[attr-defined]
        try:
            getattr(self, f"_{kind}")()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up on us: that is the point

    do_POST = do_GET  # noqa: N815

    def _head(self, status: int = 200, **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()

    def _declared_huge(self) -> None:
        self._head(Content_Length=str(10 * 1024 * MB))
        self._stream(b"0" * MB)

    def _endless(self) -> None:
        self._head()
        self.wfile.write(b'{"cursor": 1, "orders": [')
        self._stream(b'{"id": "x"},' * 50_000)

    def _stream(self, block: bytes) -> None:
        for _ in range(10_000):  # bounded: ~10 GB at most, the client leaves long before
            if self.server.closing.is_set():  # type: ignore[attr-defined]
                return
            self.wfile.write(block)

    def _endless_headers(self) -> None:
        self.send_response(200)
        for i in range(1_000_000):  # bounded; the client stops reading long before
            if self.server.closing.is_set():  # type: ignore[attr-defined]
                return
            self.send_header(f"X-Pad-{i}", "a" * 100)
            if i % 1000 == 0:
                self.flush_headers()

    def _deep_json(self) -> None:
        body = b"[" * (MB // 2) + b"]" * (MB // 2)  # recursion, not size
        self._head(Content_Length=str(len(body)))
        self.wfile.write(body)

    def _gzip_bomb(self) -> None:
        body = gzip_bomb()
        self._head(Content_Encoding="gzip", Content_Length=str(len(body)))
        self.wfile.write(body)

    def _json_amplifier(self) -> None:
        body = _amplifier(2 * MB - 1024)
        self._head(Content_Length=str(len(body)))
        self.wfile.write(body)

    def _drip(self) -> None:
        self._head()
        self._drip_bytes(b'{"cursor": 1, "last_mutation_id": 0, "pad": "' + b" " * 1000)

    def _slow_headers(self) -> None:
        self._drip_bytes(b"HTTP/1.0 200 OK\r\nX-Pad: " + b"a" * 1000)

    def _drip_bytes(self, data: bytes) -> None:
        for byte in data:
            if self.server.closing.wait(self.server.drip_interval):  # type: ignore[attr-defined]
                return
            self.wfile.write(bytes([byte]))
            self.wfile.flush()

    def _redirect_pull(self) -> None:
        body = json.dumps(pull(cursor=99)).encode()
        self._head(302, Location="http://127.0.0.1:9/", Content_Length=str(len(body)))
        self.wfile.write(body)

    def _created_pull(self) -> None:
        body = json.dumps(pull(cursor=99)).encode()
        self._head(201, Content_Length=str(len(body)))
        self.wfile.write(body)

    def _negative_cursor(self) -> None:
        body = json.dumps(pull(cursor=-5)).encode()
        self._head(Content_Length=str(len(body)))
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class HostileServer:
    def __init__(self, drip_interval: float = 0.5) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.daemon_threads = True
        self.server.hits = []  # type: ignore[attr-defined]
        self.server.closing = threading.Event()  # type: ignore[attr-defined]
        self.server.drip_interval = drip_interval  # type: ignore[attr-defined]
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def hits(self) -> list[str]:
        return self.server.hits  # type: ignore[attr-defined]

    def __enter__(self) -> HostileServer:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.closing.set()  # type: ignore[attr-defined]
        self.server.shutdown()
        self.server.server_close()


def _pull_each(url: str, kinds: list[str]) -> None:
    from sync.client import MarketplaceClient, SyncError

    for kind in kinds:
        client = MarketplaceClient(f"{url}/{kind}", "token", timeout=2.0)
        started = time.monotonic()
        try:
            client.pull(0, "c_1", wait=1.0)
            outcome = "ACCEPTED"
        except SyncError as exc:
            outcome = type(exc).__name__
        finally:
            client.close()
        print(f"{kind} {outcome} {time.monotonic() - started:.1f}s", flush=True)
    print(f"PEAK_RSS_MB {_peak_rss_mb():.0f}", flush=True)


def _peak_rss_mb() -> float:
    # VmHWM starts afresh at exec; ru_maxrss may carry the parent's peak over on Linux.
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    _pull_each(sys.argv[1], sys.argv[2:])
