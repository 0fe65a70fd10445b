"""Several server processes on one port: ``comptoir-marketplace serve --workers N``.

The supervisor (this process) binds the port once and starts N worker processes
(multiprocessing's *spawn*: each a fresh interpreter with its own event loop,
database pool, and on PostgreSQL its own LISTEN connection); the kernel hands
each new connection to one of the workers accepting on the shared socket. The
workers get the command's options through multiprocessing's pipe, never on a
command line (the payment secret is among them).

A worker that dies (a crash, ``kill -9``) is started again at once; its clients
see their connections cut and reconnect, to another worker or the new one. A
worker that keeps dying (an unreachable database) stops the whole server
instead of looping. SIGTERM or SIGINT to the supervisor stops the workers
gracefully (each answers its long-polls first) and then the supervisor.

Workers sit in their own process group, so a terminal's Ctrl+C reaches only the
supervisor, which passes one SIGTERM on (a second signal would make uvicorn
skip its graceful shutdown); a worker whose supervisor is gone stops by itself.
"""

from __future__ import annotations

import importlib
import logging
import multiprocessing
import os
import signal
import socket
import threading
import time
from multiprocessing.process import BaseProcess
from typing import Any

__all__ = ["Supervisor", "run_worker"]

log = logging.getLogger(__name__)

# Past this many exits of their own within RESTART_WINDOW_S, workers are failing at start
# (database unreachable, port trouble): stop with an error rather than loop.
MAX_RESTARTS = 5
RESTART_WINDOW_S = 60.0
CHECK_INTERVAL_S = 0.2
ORPHAN_CHECK_S = 1.0


class Supervisor:
    """Starts ``count`` workers running ``target(options, sock)`` and keeps them running.

    ``target`` is an import string, "package.module:function": spawn pickles functions by
    name, and one defined in a ``python -m`` main module has no name a worker can import."""

    def __init__(self, count: int, target: str, options: Any, sock: socket.socket,
                 *, stop_timeout_s: float = 10.0):
        self.count = count
        self.target = target
        self.options = options
        self.sock = sock
        self.stop_timeout_s = stop_timeout_s
        self.context = multiprocessing.get_context("spawn")
        self.workers: list[BaseProcess] = []
        self.stopping = threading.Event()
        self._restarts: list[float] = []

    def _spawn(self, index: int) -> BaseProcess:
        worker = self.context.Process(target=run_worker, name=f"comptoir-worker-{index}",
                                      args=(self.target, self.options, self.sock, os.getpid()))
        worker.start()
        log.info("worker %d started (pid %s)", index, worker.pid)
        return worker

    def _on_signal(self, signum: int, frame: object) -> None:
        self.stopping.set()

    def run(self) -> int:
        """Serve until SIGTERM/SIGINT; 0 on a requested stop, 1 if workers keep dying."""
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, self._on_signal)
        self.workers = [self._spawn(i) for i in range(self.count)]
        code = 0
        while not self.stopping.wait(CHECK_INTERVAL_S):
            if not self._replace_dead():
                code = 1
                break
        self._stop_all()
        return code

    def _replace_dead(self) -> bool:
        for index, worker in enumerate(self.workers):
            if worker.is_alive() or self.stopping.is_set():
                continue
            now = time.monotonic()
            self._restarts = [t for t in self._restarts if now - t < RESTART_WINDOW_S]
            # Killed by a signal (kill -9, the OOM killer): the worker was not failing by
            # itself, so it is always started again. Only workers that exit on their own
            # (an unreachable database at start) count towards giving up.
            killed = worker.exitcode is not None and worker.exitcode < 0
            if not killed and len(self._restarts) >= MAX_RESTARTS:
                log.error("le processus serveur %d s’arrête sans cesse (code %s) : arrêt du"
                          " serveur / worker %d keeps dying (exit code %s): stopping",
                          index, worker.exitcode, index, worker.exitcode)
                return False
            if not killed:
                self._restarts.append(now)
            log.warning("worker %d (pid %s) ended with code %s: starting it again", index,
                        worker.pid, worker.exitcode)
            self.workers[index] = self._spawn(index)
        return True

    def _stop_all(self) -> None:
        for worker in self.workers:
            if worker.is_alive():
                worker.terminate()  # SIGTERM: uvicorn's graceful shutdown
        deadline = time.monotonic() + self.stop_timeout_s
        for worker in self.workers:
            worker.join(max(0.0, deadline - time.monotonic()))
            if worker.is_alive():
                log.warning("worker pid %s did not stop in time: killed", worker.pid)
                worker.kill()
                worker.join(5)


def _watch_parent(parent_pid: int) -> None:
    """Stop this worker (gracefully) when its supervisor is gone (killed with -9)."""
    while os.getppid() == parent_pid:
        time.sleep(ORPHAN_CHECK_S)
    os.kill(os.getpid(), signal.SIGTERM)


def run_worker(target: str, options: Any, sock: socket.socket, parent_pid: int) -> None:
    """A worker process's entry point (module level: spawn imports it by name)."""
    os.setpgrp()  # out of the terminal's process group: Ctrl+C goes to the supervisor only
    threading.Thread(target=_watch_parent, args=(parent_pid,), daemon=True,
                     name="parent-watch").start()
    module, _, name = target.partition(":")
    raise SystemExit(getattr(importlib.import_module(module), name)(options, sock))
