"""A serial ESC/POS printer at the end of a real pseudo-terminal pair made by socat.

socat joins two ptys: the app opens `device` with pyserial exactly as it would
open /dev/ttyUSB0; this class reads the other end like the printer's UART,
records the bytes and answers DLE EOT status queries.
"""

from __future__ import annotations

import os
import select
import shutil
import subprocess
import termios
import threading
import time
import tty
from collections.abc import Callable
from pathlib import Path

import pytest

__all__ = ["PtyPrinter", "require_tool"]

_DLE_EOT = b"\x10\x04"
_READY = 0x12  # bits 1 and 4 are always set in a DLE EOT answer


def require_tool(name: str, package: str) -> str:
    """The tool's path; a missing one fails the test (never a silent skip): ./dev installs it."""
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is missing: install the Debian package {package} (./dev test does)")
    return path


class PtyPrinter:
    def __init__(self, folder: Path) -> None:
        self.device = folder / "ttyPRINTER"  # what the printer settings name
        self._peer = folder / "ttyPEER"
        self.answers_status = True
        self.paper_out = False
        self.data = bytearray()
        self._lock = threading.Condition()
        self._running = False
        self._socat: subprocess.Popen[bytes] | None = None
        self._fds: list[int] = []
        self._thread: threading.Thread | None = None

    def __enter__(self) -> PtyPrinter:
        socat = require_tool("socat", "socat")
        self._socat = subprocess.Popen(
            [socat, f"PTY,raw,echo=0,link={self._peer}", f"PTY,raw,echo=0,link={self.device}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 5
        while not (self._peer.exists() and self.device.exists()):
            if time.monotonic() > deadline or self._socat.poll() is not None:
                raise RuntimeError("socat did not create the pseudo-terminal pair")
            time.sleep(0.01)
        peer = os.open(self._peer, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        tty.setraw(peer, termios.TCSANOW)
        # Held open so socat keeps the app's side alive between jobs: a real port does
        # not vanish when the app closes it, a pty's master sees EOF and socat would quit.
        keep = os.open(self.device, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        self._fds = [peer, keep]
        self._running = True
        self._thread = threading.Thread(target=self._serve, args=(peer,), daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._running = False
        if self._thread is not None:
            self._thread.join(2)
        for fd in self._fds:
            os.close(fd)
        if self._socat is not None:
            self._socat.terminate()
            self._socat.wait(5)

    @property
    def payload(self) -> bytes:
        """What reached the paper: the bytes without the status queries."""
        with self._lock:
            data = bytes(self.data)
        out, i = bytearray(), 0
        while i < len(data):
            if data[i : i + 2] == _DLE_EOT:
                i += 3
                continue
            out.append(data[i])
            i += 1
        return bytes(out)

    def wait_until(self, predicate: Callable[[PtyPrinter], bool], timeout: float = 5.0) -> bool:
        deadline = time.monotonic() + timeout
        with self._lock:
            while not predicate(self):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._lock.wait(min(remaining, 0.05))
        return True

    def _serve(self, fd: int) -> None:
        pending = b""
        while self._running:
            ready, _, _ = select.select([fd], [], [], 0.05)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 65536)
            except BlockingIOError:
                continue
            except OSError:
                return
            with self._lock:
                self.data.extend(chunk)
                self._lock.notify_all()
            pending = self._answer(fd, pending + chunk)

    def _status_byte(self, n: int) -> int:
        if not self.paper_out:
            return _READY
        return _READY | {1: 0x08, 2: 0x20, 4: 0x60}.get(n, 0)  # as printing/virtual_printer.py

    def _answer(self, fd: int, data: bytes) -> bytes:
        start = 0
        while (i := data.find(_DLE_EOT, start)) >= 0:
            if i + 2 >= len(data):
                return data[i:]
            if self.answers_status:
                os.write(fd, bytes([self._status_byte(data[i + 2])]))
            start = i + 3
        return data[-1:] if data.endswith(b"\x10") else b""
