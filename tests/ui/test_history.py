from __future__ import annotations

from tests.ui.conftest import make_order, make_pull


def test_search_by_name_number_phone_and_reprint(window, shop_app):
    shop_app.pull(make_pull([
        make_order("o1", 12, status="completed"),
        make_order("o2", 13, customer_name="Marc Dupont", customer_phone="0699887766"),
    ], cursor=2))
    window.tabs.setCurrentWidget(window.history_page)
    page = window.history_page
    page.search.setText("Dupont")
    assert [o["id"] for o in page.results] == ["o2"]
    page.search.setText("12")
    assert [o["id"] for o in page.results] == ["o1"]
    page.search.setText("99887")
    assert [o["id"] for o in page.results] == ["o2"]
    page.open_row(0)
    assert page.detail.order["id"] == "o2"
    page.reprint.click()
    assert shop_app.printing.reprinted == ["o2"]
