"""The marketplace in a background thread of this process, on 127.0.0.1 (demo mode, tests).

    market = EmbeddedMarketplace(path / "marketplace.db", settings={"auto_reject_after_s": 5})
    # or EmbeddedMarketplace("postgresql://user@127.0.0.1/market")
    market.start()                      # returns once the port accepts connections
    shop_id, code = market.seed_demo_shop()
    ...                                 # market.url is e.g. http://127.0.0.1:40123
    market.stop()                       # waiting long-polls are answered, port closed
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import uvicorn

from marketplace import admin
from marketplace.app import MarketState, create_app
from marketplace.serving import HttpName, uvicorn_config
from marketplace.settings import Settings
from marketplace.storage import database_url, is_postgresql_url, open_database, sqlite_path

__all__ = ["EmbeddedMarketplace", "bind_socket"]

START_TIMEOUT_S = 10.0


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening socket; SO_REUSEADDR lets a restarted server take the same port at once."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted connections inherit this. Without it, Nagle holds a long-poll's body (written
    # after its headers) until the client's delayed ACK: +40 ms per order on loopback.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((host, port))
        sock.listen(2048)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


class EmbeddedMarketplace:
    """A reference marketplace served by uvicorn in a daemon thread with its own event loop."""

    def __init__(self, database: str | Path, port: int = 0, *,
                 settings: Settings | Mapping[str, Any] | None = None, host: str = "127.0.0.1",
                 ssl_certfile: str | Path | None = None, ssl_keyfile: str | Path | None = None,
                 http: HttpName = "auto"):
        """``database``: a SQLite file or a database URL (``postgresql://…``); ``http``:
        uvicorn's HTTP protocol (marketplace/serving.py; the loop stays asyncio's: this
        process is the shop app's, its event loop policy is left alone)."""
        self.database_url = database_url(database)
        # The SQLite file (None on PostgreSQL).
        self.db_path = (None if is_postgresql_url(self.database_url)
                        else sqlite_path(self.database_url))
        self.host = host
        self.port = port  # 0 = a free port, chosen at the first start and kept for restarts
        self.settings = Settings.coerce(settings)
        self.ssl_certfile, self.ssl_keyfile = ssl_certfile, ssl_keyfile  # HTTPS when set
        self.http = http
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._server: uvicorn.Server | None = None
        self._state: MarketState | None = None
        self._error: BaseException | None = None

    @property
    def url(self) -> str:
        scheme = "https" if self.ssl_certfile else "http"
        return f"{scheme}://{self.host}:{self.port}"

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def __enter__(self) -> EmbeddedMarketplace:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> EmbeddedMarketplace:
        """Serve; returns once connections are accepted. Idempotent while running."""
        with self._lock:
            if self.running:
                return self
            app = create_app(self.database_url, settings=self.settings)
            sock = bind_socket(self.host, self.port)
            self.port = sock.getsockname()[1]
            # Timeouts, caps and logging as `serve` (log_config=None: the host's logging
            # is left alone).
            config = uvicorn_config(app, self.settings, http=self.http,
                                    timeout_graceful_shutdown=1, ssl_certfile=self.ssl_certfile,
                                    ssl_keyfile=self.ssl_keyfile)
            server = uvicorn.Server(config)
            self._server, self._state, self._error = server, app.state.market, None
            self._thread = threading.Thread(target=self._serve, args=(server, sock), daemon=True,
                                            name=f"marketplace:{self.port}")
            self._thread.start()
            deadline = time.monotonic() + START_TIMEOUT_S
            while not server.started:
                if not self._thread.is_alive() or time.monotonic() > deadline:
                    server.should_exit = True
                    self._thread.join(2)
                    self._thread = None
                    raise RuntimeError(f"the marketplace did not start on {self.url}: "
                                       f"{self._error!r}")
                time.sleep(0.002)
            return self

    def _serve(self, server: uvicorn.Server, sock: socket.socket) -> None:
        try:
            asyncio.run(server.serve(sockets=[sock]))
        except BaseException as exc:  # SystemExit from a failed lifespan included
            self._error = exc
        finally:
            sock.close()

    def stop(self, timeout: float = 5.0) -> None:
        """Answer waiting long-polls, close the port, join the thread. Safe to call twice."""
        with self._lock:
            thread, server, state = self._thread, self._server, self._state
            self._thread = None
            if thread is None or server is None:
                return
            if state is not None:
                state.close_waiters_threadsafe()
            server.should_exit = True
            thread.join(timeout)
            if thread.is_alive():  # a stuck request: give up on graceful
                server.force_exit = True
                thread.join(2.0)

    # -- operator helpers (direct database access, then wake the shop's long-polls) --------

    def create_shop(self, name: str, address: str = "",
                    products: Iterable[Mapping[str, Any]] = ()) -> tuple[str, str]:
        """A new shop (optionally with products: dicts like marketplace.catalogue.DEMO_PRODUCTS);
        returns (shop_id, pairing_code)."""
        with contextlib.closing(open_database(self.database_url)) as db:
            return admin.create_shop(db, name, address, products)

    def seed_demo_shop(self) -> tuple[str, str]:
        """The demo shop "Boulangerie Zoé" (created once) and a fresh pairing code."""
        with contextlib.closing(open_database(self.database_url)) as db:
            shop_id, code = admin.seed_demo(db)
        self._notify(shop_id)
        return shop_id, code

    def new_pairing_code(self, shop_id: str) -> str:
        with contextlib.closing(open_database(self.database_url)) as db:
            return admin.new_pairing_code(db, shop_id)

    def add_products(self, shop_id: str, products: Iterable[Mapping[str, Any]]) -> None:
        with contextlib.closing(open_database(self.database_url)) as db:
            admin.add_products(db, shop_id, products)
        self._notify(shop_id)

    def _notify(self, shop_id: str) -> None:
        if self._state is not None and self.running:
            self._state.notify_threadsafe(shop_id)
