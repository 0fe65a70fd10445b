from __future__ import annotations

import json

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from posapp.ui.stock_model import COLUMNS


def _page(window):
    window.tabs.setCurrentWidget(window.stock_page)
    return window.stock_page


def test_scan_barcode_then_enter_selects_product(window, qtbot):
    page = _page(window)
    qtbot.keyClicks(page.search, "3760000000029")
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    assert page.selected_sku() == "B"
    assert "Baguette" in page.name.text()
    assert page.search.selectedText() == "3760000000029"  # the next scan replaces it


def test_unknown_barcode_says_so(window, qtbot):
    page = _page(window)
    qtbot.keyClicks(page.search, "999")
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    assert page.selected_sku() is None
    assert "999" in page.hint.text()


def test_minus_one_creates_pending_delta(window, shop_app, qtbot):
    page = _page(window)
    assert page.select_sku("A")
    page.minus.click()
    product = shop_app.stock.product("A")
    assert product["pending_delta"] == -1 and product["quantity"] == 9
    outbox = shop_app.outbox()
    assert outbox[-1]["name"] == "stock.adjust"
    assert json.loads(outbox[-1]["args"]) == {"sku": "A", "delta": -1, "reason": "counter_sale"}
    assert shop_app.local_changes == 1
    row = page.model.row_of("A")
    shown = page.model.data(page.model.index(row, COLUMNS.index("quantity")))
    assert shown.startswith("9") and "attente" in shown
    assert page.selected_sku() == "A"  # selection survives the refresh


def test_plus_one_and_toggle_available(window, shop_app, monkeypatch):
    page = _page(window)
    page.select_sku("C")
    monkeypatch.setattr(page, "ask_quantity", lambda name, reason: 1)
    page.plus.click()
    assert shop_app.stock.product("C")["quantity"] == 1
    page.toggle.click()
    assert shop_app.stock.product("C")["available"] == 1
    assert [m["name"] for m in shop_app.outbox()] == ["stock.adjust", "product.set_available"]


def test_physical_count_uses_quantity_seen(window, shop_app, monkeypatch):
    page = _page(window)
    page.select_sku("A")
    monkeypatch.setattr(page, "ask_count", lambda name, seen: 7)
    assert page.count()
    args = json.loads(shop_app.outbox()[-1]["args"])
    assert args == {"sku": "A", "delta": -3, "reason": "count"}


def test_low_stock_is_highlighted(window):
    page = _page(window)
    model = page.model
    low = model.data(model.index(model.row_of("B"), 0), Qt.ItemDataRole.BackgroundRole)
    fine = model.data(model.index(model.row_of("A"), 0), Qt.ItemDataRole.BackgroundRole)
    assert low is not None and fine is None


def _colours(button) -> tuple[QColor, QColor]:
    """(background, text) as drawn: the fill beside the left edge, the pixel farthest from it."""
    image = button.grab().toImage()
    scale = image.devicePixelRatio()
    fill = image.pixelColor(int(6 * scale), image.height() // 2)
    ink = max((image.pixelColor(x, y) for x in range(0, image.width(), 2)
               for y in range(int(4 * scale), image.height() - int(4 * scale), 2)),
              key=lambda c: sum(abs(a - b) for a, b in zip(c.getRgb()[:3], fill.getRgb()[:3], strict=True)))
    return fill, ink


def _contrast(a: QColor, b: QColor) -> float:
    def luminance(c: QColor) -> float:
        lin = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
               for v in (c.redF(), c.greenF(), c.blueF())]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_stock_buttons_look_disabled_with_no_product(window, qtbot):
    """Blue −1, green Réassort, red Perte kept their colours when disabled: they looked live."""
    page = _page(window)
    page.table.clearSelection()
    buttons = (page.minus, page.plus, page.waste)
    qtbot.waitUntil(lambda: not any(b.isEnabled() for b in buttons), timeout=3000)
    qtbot.waitUntil(lambda: all(b.isVisible() and b.width() > 100 for b in buttons))
    for button in buttons:
        fill, ink = _colours(button)
        assert fill.hsvSaturationF() < 0.25 and ink.hsvSaturationF() < 0.25, button.objectName()
        assert 3 <= _contrast(fill, ink) < 7, button.objectName()  # muted, still readable
    assert page.select_sku("A")
    fill, ink = _colours(page.minus)
    assert fill.hsvSaturationF() > 0.3 and _contrast(fill, ink) >= 7  # live: its own colours
