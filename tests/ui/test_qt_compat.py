from __future__ import annotations

import sys

from PySide6.QtWidgets import QLabel

import posapp.ui  # noqa: F401  (applies the guard on import)


def test_many_void_calls_do_not_exhaust_none(qapp):
    # Without posapp.ui.qt_compat, PySide6 6.12 on CPython 3.11 aborts the process here.
    label = QLabel()
    before = sys.getrefcount(None)
    for i in range(60_000):
        label.setText("x" if i % 2 else "y")
    assert sys.getrefcount(None) > 0
    assert sys.getrefcount(None) >= before - 60_001
