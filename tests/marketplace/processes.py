"""Real ``comptoir-marketplace serve`` processes over one database, for the scale-out tests."""

from __future__ import annotations

import contextlib
import queue
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

from tests.marketplace.conftest import ShopSession

__all__ = ["ServerProcess", "server_processes", "pair_device", "ROOT"]

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 30.0


class ServerProcess:
    """``python -m marketplace serve --database-url URL --port 0`` and the URL it printed."""

    def __init__(self, database_url: str, log: Path, *options: str):
        self.log = log
        self._log_file = log.open("w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "marketplace", "serve", "--database-url", database_url,
             "--host", "127.0.0.1", "--port", "0", "--log-level", "warning",
             # Every client of these tests is this machine: not customers to rate limit.
             "--rate-limit-exempt", "127.0.0.1", *options],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=self._log_file, text=True)
        lines: queue.SimpleQueue[str] = queue.SimpleQueue()
        stdout = self.proc.stdout
        assert stdout is not None

        def drain() -> None:  # a full pipe would block the server
            for text in stdout:
                lines.put(text)
            lines.put("")

        threading.Thread(target=drain, daemon=True).start()
        try:
            line = lines.get(timeout=START_TIMEOUT_S)
        except queue.Empty:
            line = ""
        if "listening on " not in line:
            self.stop()
            raise RuntimeError(f"server did not start: {line!r}\n{log.read_text()}")
        self.url = line.rsplit("listening on ", 1)[1].strip()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self._log_file.close()

    def errors(self) -> str:
        """What the process logged as an error (tracebacks included)."""
        text = self.log.read_text(errors="replace")
        return text if ("ERROR" in text or "Traceback" in text) else ""


@contextlib.contextmanager
def server_processes(database_url: str, tmp: Path, count: int = 2,
                     *options: str) -> Iterator[list[ServerProcess]]:
    servers: list[ServerProcess] = []
    try:
        for i in range(count):
            servers.append(ServerProcess(database_url, tmp / f"server{i}.log", *options))
        yield servers
    finally:
        for server in servers:
            server.stop()


def pair_device(url: str, shop_id: str, code: str, **session: Any) -> ShopSession:
    response = httpx.post(f"{url}/v1/pair", json={"pairing_code": code,
                                                  "device_name": "Comptoir test"})
    assert response.status_code == 200, response.text
    return ShopSession(url, shop_id, response.json()["device_token"], **session)
