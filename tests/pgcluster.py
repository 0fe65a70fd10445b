"""A private, throwaway PostgreSQL cluster on a free loopback port (standard library only).

    cluster = PgCluster().start()       # initdb into a temp dir, pg_ctl start, trust auth
    cluster.url                         # postgresql://postgres@127.0.0.1:PORT/postgres
    cluster.restart()                   # same port, same data: what a fault test needs
    cluster.stop(); cluster.remove()    # or: with PgCluster() as cluster: ...

Tests that restart or kill PostgreSQL use one of these, never the machine's shared server.
``./dev test`` also starts one when nothing answers on the admin URL (a machine without
PostgreSQL), through the command line below:

    python -m tests.pgcluster probe URL     # exit 0 if a PostgreSQL server answers there
    python -m tests.pgcluster start DIR     # prints the admin URL; the server keeps running
    python -m tests.pgcluster stop DIR      # stops it and removes DIR

The binaries are Debian's (``/usr/lib/postgresql/<version>/bin``, package ``postgresql``).
initdb refuses to run as root: as root, the cluster belongs to the ``postgres`` OS user.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import urllib.parse
from pathlib import Path

__all__ = ["PgCluster", "find_bin_dir", "answers"]

START_TIMEOUT_S = 60
# Settings of a cluster whose data is thrown away: no fsync (a crash of the *server* loses
# nothing anyway, the OS keeps the pages), room for several server processes' pools.
SETTINGS = {"fsync": "off", "full_page_writes": "off", "max_connections": "300",
            "shared_buffers": "64MB", "listen_addresses": "127.0.0.1"}


def find_bin_dir() -> Path:
    """The newest installed PostgreSQL's binaries (initdb, pg_ctl)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parent.parent.name)
                   if Path(p).parent.parent.name.isdigit() else 0)
    if not found:
        raise RuntimeError("PostgreSQL n'est pas installé (paquet Debian « postgresql ») /"
                           " PostgreSQL is not installed (Debian package postgresql)")
    return Path(found[-1]).parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answers(url: str, timeout: float = 2.0) -> bool:
    """True if a PostgreSQL server accepts a session at ``url`` (psycopg when installed,
    else a TCP connection to its host and port: enough to tell "nothing runs there")."""
    try:
        import psycopg
    except ImportError:
        parts = urllib.parse.urlsplit(url)
        try:
            with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 5432),
                                          timeout=timeout):
                return True
        except OSError:
            return False
    try:
        with psycopg.connect(url, connect_timeout=max(1, round(timeout))) as conn:
            conn.execute("SELECT 1")
        return True
    except psycopg.Error:
        return False


class PgCluster:
    """One throwaway cluster: its own data directory, port and socket directory."""

    def __init__(self, directory: str | Path | None = None, port: int = 0):
        self.bin = find_bin_dir()
        self.dir = Path(directory) if directory else Path(tempfile.mkdtemp(prefix="comptoir-pg-"))
        self.data = self.dir / "data"
        self.log = self.dir / "server.log"
        self.port = port or _free_port()
        # As root, everything runs as (and belongs to) the postgres OS user.
        self.user = "postgres" if os.geteuid() == 0 else None

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def __enter__(self) -> PgCluster:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
        self.remove()

    def _run(self, *args: str, check: bool = True, timeout: float = START_TIMEOUT_S
             ) -> subprocess.CompletedProcess[str]:
        result = subprocess.run([str(self.bin / args[0]), *args[1:]], user=self.user,
                                capture_output=True, text=True, timeout=timeout,
                                cwd=self.dir, check=False)
        if check and result.returncode != 0:
            raise RuntimeError(f"{args[0]} failed ({result.returncode}): "
                               f"{result.stderr.strip() or result.stdout.strip()}\n"
                               f"{self._log_tail()}")
        return result

    def _log_tail(self) -> str:
        with contextlib.suppress(OSError):
            return "server log: " + self.log.read_text(errors="replace")[-2000:]
        return ""

    def start(self) -> PgCluster:
        """initdb (the first time), then start and wait until it accepts connections."""
        self.dir.mkdir(parents=True, exist_ok=True)
        if self.user:
            shutil.chown(self.dir, self.user, self.user)
        if not (self.data / "PG_VERSION").exists():
            self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust",
                      "-E", "UTF8", "--locale=C", "--no-sync")
        options = " ".join([f"-p {self.port}", f"-k {self.dir}",
                            *(f"-c {k}={v}" for k, v in SETTINGS.items())])
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options,
                  "-w", "-t", str(START_TIMEOUT_S), "start")
        return self

    def stop(self, mode: str = "fast") -> None:
        """Stop the server: "fast" (clients cut, clean shutdown) or "immediate" (a crash:
        recovery at the next start). Nothing to do if it is not running."""
        if self.running:
            self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def restart(self, mode: str = "fast") -> None:
        """Stop then start on the same port, with the same data."""
        self.stop(mode)
        self.start()

    @property
    def running(self) -> bool:
        if not (self.data / "postmaster.pid").exists():
            return False
        return self._run("pg_ctl", "-D", str(self.data), "status", check=False).returncode == 0

    def remove(self) -> None:
        """Delete the cluster's directory (stop it first)."""
        shutil.rmtree(self.dir, ignore_errors=True)


def main(argv: list[str]) -> int:
    usage = "usage: python -m tests.pgcluster probe URL | start DIR | stop DIR"
    if len(argv) != 2:
        print(usage, file=sys.stderr)
        return 2
    command, arg = argv
    if command == "probe":
        return 0 if answers(arg) else 1
    if command == "start":
        cluster = PgCluster(arg).start()
        (cluster.dir / "port").write_text(str(cluster.port))
        print(cluster.url)
        return 0
    if command == "stop":
        port = Path(arg, "port")
        if port.exists():
            cluster = PgCluster(arg, int(port.read_text()))
            cluster.stop()
        shutil.rmtree(arg, ignore_errors=True)
        return 0
    print(usage, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
