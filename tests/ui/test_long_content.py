"""Long names, notes, lines and errors: cut with "…" and a tooltip, wrapped, scrolled down."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, Qt

from posapp.ui.elided import ElidedLabel
from tests.ui.conftest import make_order, make_pull
from tests.ui.fit_probe import LONG_NAME, LONG_WORD, PHONE, hostile_orders


def _size(window, width: int, height: int) -> None:
    window.setWindowState(Qt.WindowState.WindowNoState)  # it opens maximised
    window.resize(width, height)


def test_elided_label_cuts_with_an_ellipsis_and_a_tooltip(qtbot):
    label = ElidedLabel(LONG_NAME)
    qtbot.addWidget(label)
    label.resize(120, 30)
    label.show()
    assert label.text() == LONG_NAME
    assert label.shown_text().endswith("…") and label.toolTip() == LONG_NAME
    assert label.minimumSizeHint().width() < 120  # asks little: never widens its window
    label.resize(2000, 30)
    assert label.shown_text() == LONG_NAME and label.toolTip() == ""


def test_accepted_order_detail_scrolls_down_never_sideways(window, shop_app, qtbot):
    _size(window, 1366, 740)
    shop_app.pull(make_pull(hostile_orders(), cursor=2))
    window.select_order("a1")  # accepted, 30 long lines: the case that overflowed sideways
    qtbot.wait(50)
    detail = window.detail
    assert detail.scroll.horizontalScrollBar().maximum() == 0
    assert detail.scroll.verticalScrollBar().maximum() > 0
    viewport = detail.scroll.viewport()
    for price in detail.lines.prices:  # every price and the total can be seen whole
        detail.scroll.ensureWidgetVisible(price)
        rect = QRect(price.mapTo(viewport, QPoint(0, 0)), price.size())
        assert viewport.rect().contains(rect), price.text()
        assert price.width() >= price.sizeHint().width()
    assert window.width() == 1366


def test_phone_number_is_never_wrapped_mid_number(window, shop_app, qtbot):
    shop_app.pull(make_pull([make_order("o1", 12, customer_phone=PHONE,
                                        customer_name=LONG_NAME)], cursor=2))
    window.select_order("o1")
    text = window.detail.subtitle.text()
    assert PHONE.replace(" ", "\u00a0") in text


def test_a_long_unbroken_word_wraps_in_the_detail(window, shop_app, qtbot):
    shop_app.pull(make_pull([make_order("o1", 12, note=LONG_WORD)], cursor=2))
    window.select_order("o1")
    qtbot.wait(20)
    note = window.detail.note
    assert "\u200b" in note.text()  # a place to break
    assert note.width() <= window.detail.scroll.viewport().width()


def test_card_names_are_elided_with_a_tooltip(window, shop_app, qtbot):
    shop_app.pull(make_pull([make_order("o1", 12, customer_name=LONG_NAME)], cursor=2))
    card = window.board.card("o1")
    qtbot.waitUntil(card.isVisible)
    assert card.customer.is_elided() and card.customer.shown_text().endswith("…")
    assert card.customer.toolTip() == LONG_NAME
    assert card.customer.text() == LONG_NAME


def test_six_long_banners_do_not_push_the_board_off_screen(window, qtbot):
    _size(window, 1280, 690)
    for i in range(6):
        window.banners.show_banner(f"{i} " + "Commande refusée par la place de marché. " * 8,
                                   "refused")
    qtbot.wait(50)
    assert window.height() == 690 and window.minimumSizeHint().height() <= 690
    assert window.banner_scroll.height() <= 0.25 * 690
    assert window.orders_page.height() > 350
