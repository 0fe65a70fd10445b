"""Work around PySide6 bugs that would otherwise take the counter down.

PySide6 6.12.0 on CPython < 3.12 returns ``None`` from void methods
(``QLabel.setText``, ``QTimer.start``, ``processEvents`` …) without taking a
reference: each call lowers ``None``'s reference count by one, and after some
thousands of calls CPython aborts with "none_dealloc: deallocating None".
(Since 3.12 ``None`` is immortal, which hides the bug there.) We detect the
leak and, when present, give ``None`` a reference count no run can exhaust —
what CPython 3.12 does for every build.
"""

from __future__ import annotations

import ctypes
import sys

__all__ = ["none_refcount_leaks", "protect_none_refcount"]

_BALLAST = 1 << 40  # ~10^12 leaked calls before trouble: never, in practice
_protected = False


def none_refcount_leaks() -> bool:
    from PySide6.QtCore import QObject

    probe = QObject()
    before = sys.getrefcount(None)
    for _ in range(20):
        probe.setObjectName("probe")  # a void method
    return sys.getrefcount(None) < before - 10


def protect_none_refcount() -> bool:
    """Call once at start-up (idempotent). Returns True when the workaround was applied."""
    global _protected
    if _protected or sys.version_info >= (3, 12) or not none_refcount_leaks():
        return False
    # ob_refcnt is the first field of every object in release builds of CPython 3.11.
    refcnt = ctypes.c_ssize_t.from_address(id(None))
    refcnt.value += _BALLAST
    _protected = True
    return True
