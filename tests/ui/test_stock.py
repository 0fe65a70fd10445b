from __future__ import annotations

import json

from PySide6.QtCore import Qt

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
