"""A private CUPS scheduler for the tests: own config folder, own port on 127.0.0.1.

Nothing system-wide is touched: cupsd runs in the foreground with a ServerRoot
of its own, and clients find it through CUPS_SERVER. It runs as root (CI) or as
the developer, with no screen and no system service. Run as root, cupsd starts
its backends as user `lp`, which cannot enter pytest's private tmp folders:
the ServerRoot is a world-searchable folder of its own, removed afterwards.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from .pty_printer import require_tool

__all__ = ["CupsServer", "free_port"]

_CUPSD_CONF = """\
Listen 127.0.0.1:{port}
LogLevel info
DefaultAuthType None
WebInterface No
Browsing No
ErrorPolicy retry-job
JobRetryInterval 1
<Location />
  Order allow,deny
  Allow 127.0.0.1
</Location>
<Policy default>
  JobPrivateAccess default
  JobPrivateValues default
  SubscriptionPrivateAccess default
  SubscriptionPrivateValues default
  <Limit All>
    Order allow,deny
    Allow 127.0.0.1
  </Limit>
</Policy>
"""

_FILES_CONF = """\
ServerRoot {root}
RequestRoot {root}/spool
CacheDir {root}/cache
StateDir {root}/state
TempDir {root}/tmp
AccessLog {root}/log/access_log
ErrorLog {root}/log/error_log
PageLog {root}/log/page_log
Printcap {root}/printcap
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class CupsServer:
    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="comptoir-cups-"))
        self.root.chmod(0o755)
        self.port = free_port()
        self.address = f"127.0.0.1:{self.port}"
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def env(self) -> dict[str, str]:
        return {**os.environ, "CUPS_SERVER": self.address}

    def __enter__(self) -> CupsServer:
        cupsd = require_tool("cupsd", "cups-daemon")
        require_tool("lpadmin", "cups-client")
        for sub in ("spool", "cache", "state", "tmp", "log"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        conf, files = self.root / "cupsd.conf", self.root / "cups-files.conf"
        conf.write_text(_CUPSD_CONF.format(port=self.port))
        files.write_text(_FILES_CONF.format(root=self.root))
        self._process = subprocess.Popen(
            [cupsd, "-f", "-c", str(conf), "-s", str(files)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 15
        while not self._running():
            if time.monotonic() > deadline or self._process.poll() is not None:
                self.__exit__()
                raise RuntimeError(f"private cupsd did not start: {self.log()[-2000:]}")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        shutil.rmtree(self.root, ignore_errors=True)

    def _running(self) -> bool:
        answer = self.run("lpstat", "-r", check=False)
        return answer.returncode == 0 and "not running" not in answer.stdout

    def run(self, *command: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(command, env=self.env, capture_output=True, text=True,
                              timeout=30, check=check)

    def add_raw_queue(self, name: str, device_uri: str) -> None:
        """A raw queue (no filter: the ESC/POS bytes go through untouched)."""
        self.run("lpadmin", "-p", name, "-E", "-v", device_uri)

    def log(self) -> str:
        path = self.root / "log" / "error_log"
        return path.read_text(errors="replace") if path.exists() else ""
