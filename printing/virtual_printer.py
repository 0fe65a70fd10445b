"""A network ESC/POS printer on 127.0.0.1 for tests, the demo and the benchmark.

Records the bytes of every connection and answers DLE EOT status queries. It
can simulate paper out / cover open, a printer going away mid-job (hang up
after N bytes, or right after the paper cut), a printer whose firmware never
answers status queries or answers late, a printer that does not answer at all
(connections time out), a closed port (connections refused), then coming back.
"""

from __future__ import annotations

import contextlib
import select
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["ConnectionRecord", "VirtualPrinter"]

_DLE_EOT = b"\x10\x04"
_CUT = b"\x1dV"  # GS V m [n]
_CUT_WITH_FEED = {65, 66, 97, 98, 103, 104}  # these take a feed byte n
_FIXED_BITS = 0x12  # bits 1 and 4 are always set in a DLE EOT answer


@dataclass(slots=True)
class ConnectionRecord:
    data: bytearray = field(default_factory=bytearray)
    hung_up: bool = False  # the printer closed the connection (simulated power loss)
    paper_out: bool = False  # received while out of paper: a real printer holds it

    @property
    def payload(self) -> bytes:
        """What would reach the paper: the bytes without the status queries."""
        out, data, i = bytearray(), bytes(self.data), 0
        while i < len(data):
            if data[i : i + 2] == _DLE_EOT:
                i += 3
                continue
            out.append(data[i])
            i += 1
        return bytes(out)


class VirtualPrinter:
    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.paper_out = False
        self.cover_open = False
        self.answers_status = True
        # Hang up once a connection brought this many bytes, for the next N connections.
        self.hang_up_after: int | None = None
        self.hang_ups_left = 0
        self.cut_hang_ups_left = 0  # hang up right after the paper cut, N connections
        self.status_delay_s = 0.0  # answer status queries this late
        self.connections: list[ConnectionRecord] = []
        self._lock = threading.RLock()  # wait_until's predicate reads under it
        self._changed = threading.Condition(self._lock)
        self._server = self._listen(host, port)
        self.host, self.port = self._server.getsockname()[:2]
        self.refusing = False
        self._accepting = True
        self._accept_lock = threading.Lock()
        self._fillers: list[socket.socket] = []
        self._running = False
        self._threads: list[threading.Thread] = []

    @staticmethod
    def _listen(host: str, port: int) -> socket.socket:
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind((host, port))
        server.listen(16)
        return server

    # -- lifecycle -------------------------------------------------------
    def start(self) -> VirtualPrinter:
        self._running = True
        thread = threading.Thread(target=self._accept_loop, name="virtual-printer", daemon=True)
        thread.start()
        self._threads.append(thread)
        return self

    def stop(self) -> None:
        self._running = False
        for thread in self._threads:
            thread.join(2)
        for filler in self._fillers:
            filler.close()
        self._server.close()

    def __enter__(self) -> VirtualPrinter:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- simulations -----------------------------------------------------
    def hang_up_next(self, after_bytes: int, connections: int = 1) -> None:
        """Simulate a power loss mid-job on the next `connections` connections."""
        with self._lock:
            self.hang_up_after = after_bytes
            self.hang_ups_left = connections

    def hang_up_after_cut_next(self, connections: int = 1) -> None:
        """Take the whole ticket, cut included, then drop the connection (RST) before
        answering the status query that follows: the paper has the ticket, the app no proof."""
        with self._lock:
            self.cut_hang_ups_left = connections

    def refuse_connections(self) -> None:
        """Close the port: connection attempts are refused at once (printer rebooting)."""
        with self._accept_lock:
            self.refusing = True
            self._server.close()

    def go_silent(self) -> None:
        """Stop accepting: connection attempts hang until the client's timeout.

        With a zero backlog and the accept queue filled by our own idle
        connections, the kernel drops new SYNs, like a host that vanished.
        """
        with self._accept_lock:  # the accept loop must not take our fillers
            self._accepting = False
        self._server.listen(0)
        for _ in range(8):
            filler = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            filler.settimeout(0.2)
            try:
                filler.connect((self.host, self.port))
            except OSError:
                filler.close()
                break
            self._fillers.append(filler)

    def come_back(self) -> None:
        self.paper_out = self.cover_open = False
        with self._accept_lock:
            if self.refusing:
                self._server = self._listen(self.host, self.port)
                self.refusing = False
        for filler in self._fillers:
            filler.close()
        self._fillers.clear()
        self._server.listen(16)
        self._accepting = True

    # -- results ---------------------------------------------------------
    @property
    def jobs(self) -> list[bytes]:
        """Payload of each connection that carried more than status queries."""
        with self._lock:
            payloads = [c.payload for c in self.connections]
        return [p for p in payloads if p]

    def wait_until(self, predicate: Callable[[VirtualPrinter], bool], timeout: float = 5.0) -> bool:
        deadline = time.monotonic() + timeout
        with self._changed:
            while not predicate(self):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._changed.wait(min(remaining, 0.05))
        return True

    # -- internals -------------------------------------------------------
    def status_byte(self, n: int) -> int:
        offline = self.paper_out or self.cover_open
        if n == 1:
            return _FIXED_BITS | (0x08 if offline else 0)
        if n == 2:
            return _FIXED_BITS | (0x04 if self.cover_open else 0) | (0x20 if self.paper_out else 0)
        if n == 4:
            return _FIXED_BITS | (0x60 if self.paper_out else 0)
        return _FIXED_BITS

    def _accept_loop(self) -> None:
        while self._running:
            with self._accept_lock:
                client = self._accept_one() if self._accepting and not self.refusing else None
            if client is None:
                time.sleep(0 if self._accepting and not self.refusing else 0.02)
                continue
            thread = threading.Thread(target=self._serve, args=(client,), daemon=True)
            thread.start()
            self._threads.append(thread)

    def _accept_one(self) -> socket.socket | None:
        try:
            readable, _, _ = select.select([self._server], [], [], 0.05)
            return self._server.accept()[0] if readable else None
        except OSError:
            return None

    def _serve(self, client: socket.socket) -> None:
        record = ConnectionRecord()
        with self._lock:
            self.connections.append(record)
            limit = self.hang_up_after if self.hang_ups_left > 0 else None
            if limit is not None:
                self.hang_ups_left -= 1
            after_cut = limit is None and self.cut_hang_ups_left > 0
            if after_cut:
                self.cut_hang_ups_left -= 1
        client.settimeout(0.05)
        client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        pending = b""  # a status query split across two reads
        with client:
            while self._running:
                try:
                    chunk = client.recv(65536)
                except TimeoutError:
                    continue
                except OSError:
                    break
                if not chunk:
                    break
                if after_cut:
                    limit = _end_of_cut(bytes(record.data) + chunk)
                if limit is not None and len(record.data) + len(chunk) >= limit:
                    chunk = chunk[: limit - len(record.data)]
                    self._append(record, chunk)
                    record.hung_up = True
                    # RST rather than FIN: a printer losing power does not say goodbye.
                    client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    break
                self._append(record, chunk)
                pending = self._answer_status(client, pending + chunk)
        with self._changed:
            self._changed.notify_all()

    def _append(self, record: ConnectionRecord, chunk: bytes) -> None:
        with self._changed:
            record.data.extend(chunk)
            record.paper_out = record.paper_out or self.paper_out
            self._changed.notify_all()

    def _answer_status(self, client: socket.socket, data: bytes) -> bytes:
        start = 0
        while (i := data.find(_DLE_EOT, start)) >= 0:
            if i + 2 >= len(data):
                return data[i:]
            if self.answers_status:
                answer = bytes([self.status_byte(data[i + 2])])
                if self.status_delay_s:  # late, but still reading what comes meanwhile
                    timer = threading.Timer(self.status_delay_s, _send_quietly, (client, answer))
                    timer.daemon = True
                    timer.start()
                else:
                    _send_quietly(client, answer)
            start = i + 3
        return data[-1:] if data.endswith(b"\x10") else b""


def _send_quietly(client: socket.socket, data: bytes) -> None:
    with contextlib.suppress(OSError):
        client.sendall(data)


def _end_of_cut(data: bytes) -> int | None:
    """Where the first complete GS V cut command ends in `data`, if there is one."""
    i = data.find(_CUT)
    if i < 0 or i + 2 >= len(data):
        return None
    end = i + 3 + (data[i + 2] in _CUT_WITH_FEED)
    return end if end <= len(data) else None
