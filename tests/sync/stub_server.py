"""A scripted HTTP server on loopback, and a jitter that always takes the longest delay.

Used by the engine's timing tests: the server answers every request with whatever the
test's ``answer(query)`` returns and records each hit (query, method, monotonic time),
so request counts and spacing can be checked without a real marketplace.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

__all__ = ["Answer", "LongestJitter", "StubServer"]

# (status, JSON payload or None, extra headers)
Answer = Callable[[dict[str, str]], tuple[int, dict | None] | tuple[int, dict | None, dict]]


class StubServer:
    """Answers each request with ``answer(query)``; keeps every hit as a dict holding the
    query parameters plus ``method`` and ``at`` (time.monotonic())."""

    def __init__(self, answer: Answer):
        hits: list[dict] = []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's API
                query = {k: v[0] for k, v in parse_qs(urlparse(self.path).query).items()}
                hits.append({**query, "method": self.command, "at": time.monotonic()})
                status, payload, *rest = answer(query)
                headers = rest[0] if rest else {}
                body = json.dumps(payload).encode() if payload is not None else b""
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_POST = do_GET  # noqa: N815

            def log_message(self, *args):
                pass

        self.hits = hits
        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.http.server_address[1]}"
        threading.Thread(target=self.http.serve_forever, daemon=True).start()

    def methods(self) -> list[str]:
        return [hit["method"] for hit in self.hits]

    def close(self) -> None:
        self.http.shutdown()
        self.http.server_close()


class LongestJitter(random.Random):
    """Jitter that always picks the longest delay: waits and request counts become
    predictable. Counts its draws."""

    def __init__(self) -> None:
        super().__init__()
        self.draws = 0

    def uniform(self, a: float, b: float) -> float:
        self.draws += 1
        return b
