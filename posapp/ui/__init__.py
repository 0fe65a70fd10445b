"""The Qt user interface of Comptoir (widgets only; the core reaches them through ShopApp's signals)."""

from posapp.ui.qt_compat import protect_none_refcount

# Before any widget exists: see qt_compat (a PySide6 6.12 bug aborts CPython 3.11 otherwise).
protect_none_refcount()
