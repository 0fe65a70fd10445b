from __future__ import annotations

import json

from tests.ui.conftest import make_order, make_pull


def test_new_order_appears_without_click(window, shop_app, qtbot):
    assert window.board_count() == 0
    shop_app.pull(make_pull([make_order("o1", 12)], cursor=2))
    assert window.board_count() == 1
    assert window.board.column_of("o1") == "new"
    card = window.board.card("o1")
    assert "12" in card.number.text()
    assert card.summary.text() == "3 articles · 6,30\u00a0€"
    assert card.channel.text() == "CLICK & COLLECT"


def test_columns_are_french_by_default(window):
    titles = [c.title for c in window.board.columns.values()]
    assert titles == ["Nouvelles", "En préparation", "Prêtes", "Terminées aujourd'hui"]


def test_accept_with_preset_moves_card_and_queues_mutation(window, shop_app, qtbot):
    shop_app.pull(make_pull([make_order("o1", 12)], cursor=2))
    window.select_order("o1")
    qtbot.mouseClick(window.detail.preset_buttons[20], qtbot_left())
    assert window.board.column_of("o1") == "preparing"
    outbox = shop_app.outbox()
    assert [m["name"] for m in outbox] == ["order.accept"]
    assert json.loads(outbox[0]["args"])["order_id"] == "o1"
    assert "prête dans" in window.board.card("o1").countdown.text()


def test_reject_with_reason(window, shop_app, monkeypatch):
    shop_app.pull(make_pull([make_order("o1", 12)], cursor=2))
    window.select_order("o1")
    monkeypatch.setattr(window, "ask_reject_reason", lambda oid: "too_busy")
    window.detail.reject_button.click()
    assert window.board.column_of("o1") == "done"
    args = json.loads(shop_app.outbox()[-1]["args"])
    assert args == {"order_id": "o1", "reason": "too_busy"}


def test_ready_then_handed_over(window, shop_app):
    shop_app.pull(make_pull([make_order("o1", 12)], cursor=2))
    window.select_order("o1")
    window.accept_order("o1", 10)
    window.detail.ready_button.click()
    assert window.board.column_of("o1") == "ready"
    window.detail.handover_button.click()
    assert window.board.column_of("o1") == "done"
    assert [m["name"] for m in shop_app.outbox()] == [
        "order.accept", "order.ready", "order.collected"]


def test_invalid_action_is_a_banner_not_a_crash(window, shop_app):
    shop_app.pull(make_pull([make_order("o1", 12)], cursor=2))
    assert window.mark_ready("o1") is False  # new → ready is not allowed
    assert any("Impossible" in t for t in window.banners.texts("error"))


def test_customer_cancellation_is_unmistakable(window, shop_app):
    shop_app.pull(make_pull([make_order("o1", 12)], cursor=2))
    cancelled = make_order("o1", 12, status="cancelled")
    shop_app.pull(make_pull([cancelled], cursor=3))
    assert any("ANNULÉE" in t and "12" in t for t in window.banners.texts("cancelled"))
    assert window.board.column_of("o1") == "done"
    assert window.board.card("o1").property("status") == "cancelled"


def test_refused_mutation_shows_server_message(window, shop_app):
    shop_app.pull(make_pull([make_order("o1", 12)], cursor=2))
    shop_app.refused.emit([{"id": 1, "name": "order.accept", "args": {"order_id": "o1"},
                            "code": "illegal_transition", "message": "Commande déjà annulée"}])
    texts = window.banners.texts("refused")
    assert texts and "Commande déjà annulée" in texts[0] and "12" in texts[0]


def test_late_order_turns_red(window, shop_app):
    from tests.ui.conftest import iso_ago

    order = make_order("o1", 12, status="accepted", ready_by=iso_ago(5))
    shop_app.pull(make_pull([order], cursor=2))
    card = window.board.card("o1")
    assert card.property("late") is True
    assert "RETARD" in card.countdown.text()


def test_detail_shows_lines_note_allergens(window, shop_app):
    shop_app.pull(make_pull([make_order("o1", 12)], cursor=2))
    window.select_order("o1")
    detail = window.detail
    assert "Éclair café" in detail.lines.text() and "sans sucre" in detail.lines.text()
    assert "5,00" in detail.lines.text()
    assert "arachides" in detail.allergens.text() and detail.allergens.isVisible()
    assert "Sonnez deux fois" in detail.note.text()


def test_keyboard_shortcut_accepts(window, shop_app, qtbot):
    from PySide6.QtCore import Qt

    shop_app.pull(make_pull([make_order("o1", 12)], cursor=2))
    window.select_order("o1")
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_2)
    assert window.board.column_of("o1") == "preparing"


def qtbot_left():
    from PySide6.QtCore import Qt

    return Qt.MouseButton.LeftButton
