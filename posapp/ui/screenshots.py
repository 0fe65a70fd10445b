"""Screenshots of every screen (README images, visual checks in CI with QT_QPA_PLATFORM=offscreen).

They are taken at 1366×768, the laptop screen most shops have, whatever the
screen the app runs on: what the README shows is what fits there.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QApplication, QWidget

__all__ = ["take_screenshots", "grab", "SCREENSHOT_SIZE"]

SCREENSHOT_SIZE = QSize(1366, 768)


def grab(widget: QWidget, path: Path) -> Path:
    for _ in range(3):  # shows, then the layouts they request, then the paint
        QApplication.processEvents()
    widget.grab().save(str(path))
    return path


def take_screenshots(window: Any, out_dir: Path | str,
                     size: QSize | None = SCREENSHOT_SIZE) -> list[Path]:
    """Grab board, detail, stock, history and settings to PNGs in ``out_dir``; returns the paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    shots: list[Path] = []
    state, old_size = window.windowState(), window.size()
    if size is not None:
        window.setWindowState(Qt.WindowState.WindowNoState)
        window.resize(size)
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
    for name in ("stock", "history", "report", "data"):
        page = getattr(window, f"{name}_page", None)
        if page is not None:
            tabs.setCurrentWidget(page)
            _show_something(page)
            shots.append(grab(window, out / f"{name}.png"))
    make_dialog = getattr(window, "make_settings_dialog", None)
    if make_dialog is not None:
        dialog = make_dialog()
        dialog.show()
        shots.append(grab(dialog, out / "settings.png"))
        dialog.tabs.setCurrentIndex(1)  # the printer: form, test print, ticket preview
        printer = getattr(dialog, "printer", None)
        if printer is not None and hasattr(printer, "preview_ready"):
            _wait_for(printer.preview_ready, printer.show_preview)
        shots.append(grab(dialog, out / "settings-printer.png"))
        dialog.close()
        dialog.deleteLater()
    tabs.setCurrentIndex(start_tab)
    window.board.select(selected)
    if size is not None:
        window.resize(old_size)
        window.setWindowState(state)
    return shots


def _wait_for(signal: Any, start: Any, timeout_ms: int = 5000) -> None:
    """Run ``start`` and spin the event loop until ``signal`` fires (work done in the pool)."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    signal.connect(loop.quit)
    QTimer.singleShot(timeout_ms, loop.quit)
    start()
    loop.exec()


def _show_something(page: Any) -> None:
    """An empty detail pane makes a poor picture: open the first row if nothing is open."""
    if hasattr(page, "selected_sku") and page.selected_sku() is None and page.model.products:
        page.select_sku(page.model.products[0]["sku"])
    if hasattr(page, "open_row") and page.detail.order is None and page.results:
        page.table.selectRow(0)
        page.open_row(0)
