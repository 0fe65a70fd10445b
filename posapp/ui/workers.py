"""Run a blocking call (network) in Qt's thread pool; the result comes back as a signal.

The signals object lives on the GUI thread, so its slots run there (queued
connection): widgets are never touched from the worker.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from posapp.ui.core_messages import user_text

__all__ = ["Call", "run_in_pool"]

log = logging.getLogger(__name__)


class Call(QObject):
    done = Signal(object)
    failed = Signal(str)


class _Runnable(QRunnable):
    def __init__(self, fn: Callable[[], Any], call: Call):
        super().__init__()
        self.fn = fn
        self.call = call

    def run(self) -> None:
        try:
            result = self.fn()
        except Exception as exc:  # reported to the user, whatever went wrong
            log.info("background call failed: %s", exc)
            self.call.failed.emit(user_text(exc))  # our sentence, never the library's
        else:
            self.call.done.emit(result)


def run_in_pool(
    fn: Callable[[], Any],
    parent: QObject | None = None,
    *,
    on_done: Callable[[Any], None] | None = None,
    on_failed: Callable[[str], None] | None = None,
) -> Call:
    """Start ``fn`` in the pool. Pass the slots here when ``fn`` may finish at once: a
    signal emitted before the caller connects to the returned Call is lost."""
    call = Call(parent)
    if on_done is not None:
        call.done.connect(on_done)
    if on_failed is not None:
        call.failed.connect(on_failed)
    QThreadPool.globalInstance().start(_Runnable(fn, call))
    return call
