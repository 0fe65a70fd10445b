"""Touch-friendly and safe: 48-px controls, one confirming tap before the irreversible."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from PySide6.QtCore import QRect
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QDialog,
    QLineEdit,
    QSlider,
    QTabBar,
    QWidget,
)

from posapp.ui.dialogs import (
    TOUCH,
    ConfirmDialog,
    CountDialog,
    MinutesDialog,
    QuantityDialog,
    RejectDialog,
)
from posapp.ui.uncertain_jobs import uncertain_box
from tests.ui.conftest import make_order, make_pull

CONTROLS = (QAbstractButton, QAbstractSpinBox, QLineEdit, QComboBox, QSlider)


def small_controls(dialog: QWidget) -> list[str]:
    """Every visible control (and tab) under 48 px high, described."""
    found = []
    for widget in dialog.findChildren(QWidget):
        if not widget.isVisible():
            continue
        if isinstance(widget, CONTROLS) and widget.height() < TOUCH:
            text = getattr(widget, "text", lambda: "")()
            found.append(f"{type(widget).__name__} {widget.objectName()!r} {text!r}: "
                         f"{widget.height()} px")
        if isinstance(widget, QTabBar):
            for i in range(widget.count()):
                rect: QRect = widget.tabRect(i)
                if rect.height() < TOUCH:
                    found.append(f"tab {widget.tabText(i)!r}: {rect.height()} px")
    return found


def _shown(qtbot, dialog: QDialog) -> QDialog:
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_every_dialog_control_is_at_least_48_px(window, qtbot):
    order = make_order("o1", 12)
    reject = _shown(qtbot, RejectDialog(12, window, lines=order["lines"]))
    dialogs: list[tuple[str, QDialog]] = [("reject: reasons", reject)]
    problems = small_controls(reject)
    reject.choose("out_of_stock")
    problems += [f"reject: confirm: {p}" for p in small_controls(reject)]
    for name, dialog in [
        ("confirm", ConfirmDialog("t", "Hand over?", "Yes", window)),
        ("minutes", MinutesDialog(12, window)),
        ("count", CountDialog("Éclair café", 4, window)),
        ("restock", QuantityDialog("Éclair café", "restock", window)),
        ("waste", QuantityDialog("Éclair café", "waste", window)),
        ("uncertain ticket", uncertain_box([SimpleNamespace(kind="order", order_id="o1")],
                                           lambda _oid: 12, window)),
    ]:
        dialogs.append((name, _shown(qtbot, dialog)))
        problems += [f"{name}: {p}" for p in small_controls(dialog)]
    settings = _shown(qtbot, window.make_settings_dialog())
    for index in range(settings.tabs.count()):
        settings.tabs.setCurrentIndex(index)
        qtbot.wait(10)
        problems += [f"settings tab {index}: {p}" for p in small_controls(settings)]
    assert problems == []
    for _name, dialog in dialogs:
        dialog.close()
    settings.close()


def test_number_fields_are_not_clipped(window, qtbot):
    dialog = _shown(qtbot, CountDialog("Éclair café", 999_999, window))
    field = dialog.field
    assert field.width() >= field.fontMetrics().horizontalAdvance("1000000")
    assert field.height() >= TOUCH
    dialog.plus.click()
    assert dialog.value() == 1_000_000
    dialog.close()


def test_new_order_does_not_offer_hand_over(window, shop_app):
    shop_app.pull(make_pull([make_order("o1", 12)], cursor=2))
    window.select_order("o1")
    assert not window.detail.handover_button.isVisible()
    window.accept_order("o1", 10)
    assert window.detail.handover_button.isVisible()
    assert window.detail.handover_button.property("secondary") is True  # Ready is the main one


@pytest.mark.parametrize("status", ["new", "accepted"])
def test_handing_over_an_order_not_ready_takes_a_confirming_tap(window, shop_app, monkeypatch,
                                                                 status):
    shop_app.pull(make_pull([make_order("o1", 12)], cursor=2))
    if status == "accepted":
        window.accept_order("o1", 10)
    window.select_order("o1")
    asked: list[str] = []
    monkeypatch.setattr(window, "confirm", lambda title, text, yes: asked.append(text) or False)
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    QTest.keyClick(window, Qt.Key.Key_C)  # the key alone never hands it over
    assert window.orders.get("o1")["status"] == status
    assert asked and "12" in asked[0]
    monkeypatch.setattr(window, "confirm", lambda title, text, yes: True)
    assert window.hand_over("o1")
    assert window.orders.get("o1")["status"] == "completed"


def test_a_ready_order_is_handed_over_in_one_tap(window, shop_app, monkeypatch):
    shop_app.pull(make_pull([make_order("o1", 12)], cursor=2))
    window.accept_order("o1", 10)
    window.mark_ready("o1")
    monkeypatch.setattr(window, "confirm", lambda *a: pytest.fail("no question for a ready one"))
    assert window.hand_over("o1")


def test_refusing_takes_a_confirming_tap(window, qtbot):
    dialog = _shown(qtbot, RejectDialog(12, window, lines=make_order("o1", 12)["lines"]))
    dialog.buttons["too_busy"].click()
    assert dialog.isVisible() and dialog.result() == 0  # a reason alone refuses nothing
    assert dialog.pages.currentIndex() == 1
    dialog.back_button.click()
    assert dialog.pages.currentIndex() == 0 and dialog.isVisible()
    dialog.buttons["closing"].click()
    dialog.confirm_button.click()
    assert dialog.result() == QDialog.DialogCode.Accepted and dialog.reason == "closing"
    assert dialog.missing_skus() == []


def test_out_of_stock_refusal_marks_the_ticked_products_sold_out(window, shop_app, monkeypatch):
    order = make_order("o1", 12)
    order["lines"].append({"sku": "GONE", "name": "Hors catalogue", "qty": 1,
                           "unit_price_cents": 100, "options": []})
    shop_app.pull(make_pull([order], cursor=2))
    window.select_order("o1")

    def answer(dialog: RejectDialog) -> int:
        dialog.buttons["out_of_stock"].click()
        assert set(dialog.product_boxes) == {"A", "B"}  # not the one outside the catalogue
        assert all(box.isVisible() for box in dialog.product_boxes.values())
        dialog.product_boxes["B"].setChecked(True)
        dialog.confirm_button.click()
        return dialog.result()

    monkeypatch.setattr(RejectDialog, "exec", lambda self: (self.show(), answer(self))[1])
    window.detail.reject_button.click()
    assert window.orders.get("o1")["status"] == "rejected"
    outbox = [(m["name"], json.loads(m["args"])) for m in shop_app.outbox()]
    assert outbox == [("order.reject", {"order_id": "o1", "reason": "out_of_stock"}),
                      ("product.set_available", {"sku": "B", "available": False})]
    assert shop_app.stock.product("B")["available"] == 0
    assert shop_app.stock.product("A")["available"] == 1


def test_backing_out_of_a_refusal_changes_nothing(window, shop_app, monkeypatch):
    shop_app.pull(make_pull([make_order("o1", 12)], cursor=2))
    window.select_order("o1")
    monkeypatch.setattr(RejectDialog, "exec", lambda self: QDialog.DialogCode.Rejected)
    window.detail.reject_button.click()
    assert window.orders.get("o1")["status"] == "new" and shop_app.outbox() == []


@pytest.mark.parametrize(("button", "reason", "delta"), [("plus", "restock", 12),
                                                          ("waste", "waste", -12)])
def test_restock_and_waste_take_a_quantity(window, shop_app, monkeypatch, button, reason, delta):
    page = window.stock_page
    window.tabs.setCurrentWidget(page)
    page.select_sku("A")
    asked = []
    monkeypatch.setattr(page, "ask_quantity", lambda name, why: asked.append(why) or 12)
    getattr(page, button).click()
    assert asked == [reason]
    assert json.loads(shop_app.outbox()[-1]["args"]) == {"sku": "A", "delta": delta,
                                                         "reason": reason}
    assert shop_app.stock.product("A")["quantity"] == 10 + delta


def test_quantity_dialog_counts_with_big_buttons(window, qtbot):
    dialog = _shown(qtbot, QuantityDialog("Éclair café", "restock", window))
    assert dialog.value() == 1
    for _ in range(4):
        dialog.plus.click()
    dialog.minus.click()
    assert dialog.value() == 4
    dialog.field.setText("24")
    assert dialog.value() == 24  # typed, not yet committed, still counts
    dialog.close()
