"""Screenshots of every screen (README images, visual checks in CI with QT_QPA_PLATFORM=offscreen)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QApplication, QWidget

__all__ = ["take_screenshots", "grab"]


def grab(widget: QWidget, path: Path) -> Path:
    QApplication.processEvents()
    widget.grab().save(str(path))
    return path


def take_screenshots(window: Any, out_dir: Path | str) -> list[Path]:
    """Grab board, detail, stock, history and settings to PNGs in ``out_dir``; returns the paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    shots: list[Path] = []
    tabs = window.tabs
    start_tab = tabs.currentIndex()
    tabs.setCurrentWidget(window.orders_page)
    selected = window.board.selected_id
    window.board.select(None)
    window.detail.show_order(None)
    shots.append(grab(window, out / "board.png"))
    cards = window.board.cards()
    if cards:
        # Prefer an order still waiting for a decision: its detail shows every button.
        pick = next((c for c in cards if c.order["status"] == "new"), cards[0])
        window.board.select(pick.order_id)
        window.detail.show_order(window.orders.get(pick.order_id))
    shots.append(grab(window, out / "detail.png"))
    for name in ("stock", "history"):
        page = getattr(window, f"{name}_page", None)
        if page is not None:
            tabs.setCurrentWidget(page)
            shots.append(grab(window, out / f"{name}.png"))
    make_dialog = getattr(window, "make_settings_dialog", None)
    if make_dialog is not None:
        dialog = make_dialog()
        dialog.show()
        shots.append(grab(dialog, out / "settings.png"))
        dialog.close()
        dialog.deleteLater()
    tabs.setCurrentIndex(start_tab)
    window.board.select(selected)
    return shots
