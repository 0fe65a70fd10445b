"""The print side of the shop app without a window, for the print crash lab: it runs the
real PrintQueue on DB_PATH until it is killed (SIGKILL, like a crash) or terminated.

    python -m tests.faults.print_driver DB_PATH CONFIG_JSON

Prints READY once the crash policy (printing → uncertain) has run and the worker started.
"""

from __future__ import annotations

import json
import signal
import sys
import threading

from printing.backends import make_backend
from printing.config import PrinterConfig
from printing.queue import PrintQueue


def main(db_path: str, config_json: str) -> None:
    config = PrinterConfig.from_dict(json.loads(config_json))
    queue = PrintQueue(db_path, lambda: make_backend(config), retry_base_s=0.02,
                       retry_max_s=0.2, idle_poll_s=0.05)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    queue.start()
    print("READY", flush=True)
    done.wait(120)  # bounded: the lab kills or terminates us well before
    queue.stop()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
