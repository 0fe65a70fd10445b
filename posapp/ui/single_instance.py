"""One Comptoir per data directory: a second launch brings the first window forward.

Two Comptoirs on one database would each sync and print: tickets twice, two
clients racing on one outbox. ``QLockFile`` decides who runs (a lock left by a
killed process is stale and taken over: Qt checks that its process is gone);
the winner listens on a ``QLocalServer`` whose name comes from the data
directory, and a later launch connects to it to say "show yourself", then exits.
"""

from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path

from PySide6.QtCore import QLockFile, QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket
from PySide6.QtWidgets import QApplication, QWidget

__all__ = ["SingleInstance", "bring_forward"]

log = logging.getLogger(__name__)

_HELLO = b"show\n"


class SingleInstance(QObject):
    activation_requested = Signal()

    def __init__(self, lock_path: Path, parent: QObject | None = None):
        super().__init__(parent)
        self.lock_path = Path(lock_path)
        self._lock = QLockFile(str(self.lock_path))
        self._lock.setStaleLockTime(0)  # never stale by age: only when its process is gone
        key = f"{os.getuid() if hasattr(os, 'getuid') else ''}:{self.lock_path.resolve()}"
        self.server_name = "comptoir-" + hashlib.sha256(key.encode()).hexdigest()[:20]
        self._server: QLocalServer | None = None

    def acquire(self) -> bool:
        """True: this process is the one (and listens for later launches)."""
        self.lock_path.parent.mkdir(parents=True, exist_ok=True)
        if not self._lock.tryLock(0):
            return False
        QLocalServer.removeServer(self.server_name)  # a socket left by a crash; the lock is ours
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(self.server_name):  # still the one; only raising will not work
            log.warning("single instance: cannot listen on %s: %s", self.server_name,
                        server.errorString())
        server.newConnection.connect(self._on_connection)
        self._server = server
        return True

    def _on_connection(self) -> None:
        assert self._server is not None
        while (socket := self._server.nextPendingConnection()) is not None:
            socket.disconnected.connect(socket.deleteLater)
            socket.disconnectFromServer()
            log.info("another launch asked for this window")
            self.activation_requested.emit()

    def ask_first_to_show(self, timeout_ms: int = 3000) -> bool:
        """From a later launch: ask the running one to come forward; False if it did not answer."""
        socket = QLocalSocket()
        socket.connectToServer(self.server_name)
        if not socket.waitForConnected(timeout_ms):
            return False
        socket.write(_HELLO)
        socket.waitForBytesWritten(timeout_ms)
        socket.disconnectFromServer()
        return True

    def release(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        self._lock.unlock()


def bring_forward(window: QWidget) -> None:
    """Show the window, and above it the question it waits on (a modal dialog), if any:
    raising only the window would hide the very thing the shopkeeper must answer."""
    if window.isMinimized():
        window.showNormal()
    window.show()
    window.raise_()
    window.activateWindow()
    modal = QApplication.activeModalWidget()
    if modal is not None and modal is not window:
        modal.raise_()
        modal.activateWindow()
