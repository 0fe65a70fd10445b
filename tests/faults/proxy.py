"""A loopback TCP proxy that cuts connections at random: the network between shop and market."""

from __future__ import annotations

import contextlib
import random
import socket
import threading

__all__ = ["FlakyProxy"]


class FlakyProxy:
    """Forwards 127.0.0.1:port → target; each chunk may cut the connection (``cut_probability``)."""

    def __init__(self, target_port: int, *, cut_probability: float = 0.0, seed: int = 0):
        self.target_port = target_port
        self.cut_probability = cut_probability
        self.rng = random.Random(seed)
        self.rng_lock = threading.Lock()
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(256)
        self.port = self.listener.getsockname()[1]
        self.cuts = 0
        self._stop = threading.Event()
        self._conns: set[socket.socket] = set()
        self._thread = threading.Thread(target=self._accept_loop, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FlakyProxy:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        with contextlib.suppress(OSError):
            self.listener.close()
        for conn in list(self._conns):
            with contextlib.suppress(OSError):
                conn.close()

    def _cut_now(self) -> bool:
        with self.rng_lock:
            return self.rng.random() < self.cut_probability

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=2)
                upstream.settimeout(None)
            except OSError:
                client.close()  # server down: the shop sees a refused/reset connection
                continue
            self._conns.update((client, upstream))
            for src, dst in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(src, dst), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while not self._stop.is_set():
                data = src.recv(65536)
                if not data:
                    break
                if self._cut_now():
                    self.cuts += 1
                    # Deliver part of the chunk, then cut both ways: a torn request or answer.
                    with contextlib.suppress(OSError):
                        dst.sendall(data[: len(data) // 2])
                    break
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                with contextlib.suppress(OSError):
                    sock.close()
                self._conns.discard(sock)
