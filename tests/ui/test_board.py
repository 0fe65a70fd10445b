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
    assert card.summary.text() == "6,30\u00a0€ · 3 articles"
    assert card.channel.text() == "CLICK & COLLECT"


def test_columns_are_french_by_default(window):
    titles = [c.title for c in window.board.columns.values()]
    assert titles == ["Nouvelles", "En préparation", "Prêtes", "Terminées aujourd’hui"]


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
    assert any("ne peut pas devenir « Prête »" in t for t in window.banners.texts("error"))


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
    # Our sentence for the code, in the window's language (the server's text is logged).
    assert texts and "avait déjà changé" in texts[0] and "12" in texts[0]


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


# -- incremental refresh: cards are reused, not rebuilt ---------------------------------------

def test_refresh_with_unchanged_data_creates_no_card(window, shop_app, monkeypatch):
    from posapp.ui import board as board_module

    shop_app.pull(make_pull([make_order("o1", 12), make_order("o2", 13, status="accepted"),
                             make_order("o3", 14, status="completed")], cursor=2))
    before = {c.order_id: c for c in window.board.cards()}
    assert len(before) == 3
    created = []
    real_card = board_module.OrderCard
    monkeypatch.setattr(board_module, "OrderCard",
                        lambda order: created.append(order["id"]) or real_card(order))
    window.refresh_orders()
    window.refresh_orders()
    assert created == []
    after = {c.order_id: c for c in window.board.cards()}
    assert after.keys() == before.keys()
    assert all(after[oid] is before[oid] for oid in before)
    assert window.board.card("o1").summary.text() == "6,30\u00a0€ · 3 articles"


def test_status_change_moves_the_same_card(window, shop_app):
    shop_app.pull(make_pull([make_order("o1", 12), make_order("o2", 13)], cursor=2))
    card = window.board.card("o1")
    window.select_order("o1")
    window.accept_order("o1", 10)
    assert window.board.column_of("o1") == "preparing"
    assert window.board.card("o1") is card
    assert card.parentWidget() is not None and card.isVisibleTo(window.board)
    assert card in window.board.columns["preparing"].cards
    assert card not in window.board.columns["new"].cards
    assert window.board.columns["new"].cards_box.indexOf(card) == -1
    assert window.board.columns["preparing"].cards_box.indexOf(card) == 0
    assert card.property("status") == "accepted" and card.property("selected") is True
    assert "prête dans" in card.countdown.text() and card.countdown.isVisibleTo(card)
    assert "En préparation  (1)" == window.board.columns["preparing"].header.text()
    assert "Nouvelles  (1)" == window.board.columns["new"].header.text()


def test_changed_order_updates_its_card_in_place(window, shop_app):
    shop_app.pull(make_pull([make_order("o1", 12)], cursor=2))
    card = window.board.card("o1")
    assert card.property("unseen") is True and card.channel.isVisibleTo(card)
    window.select_order("o1")  # acknowledges
    assert window.board.card("o1") is card and card.property("unseen") is False
    shop_app.pull(make_pull([make_order("o1", 12, status="cancelled")], cursor=3))
    assert window.board.card("o1") is card
    assert window.board.column_of("o1") == "done"
    assert card.property("status") == "cancelled"
    assert not card.channel.isVisibleTo(card)
    badges = [w for w in card.findChildren(type(card.number)) if w.objectName() == "cancelledBadge"]
    assert len(badges) == 1 and badges[0].isVisibleTo(card) and badges[0].text() == "ANNULÉE"


def test_order_gone_from_board_loses_its_card(window, shop_app):
    from posapp.ui.board import BoardView

    board = BoardView()
    board.set_board({"new": [_row("o1", 1), _row("o2", 2)]})
    first = board.card("o1")
    board.set_board({"new": [_row("o2", 2)], "ready": [_row("o3", 3, "ready")]})
    assert board.card("o1") is None and first.parent() is None
    assert [c.order_id for c in board.cards()] == ["o2", "o3"]
    assert board.count() == 2
    # order within a column follows the board, with the same cards
    o2, o3 = board.card("o2"), board.card("o3")
    board.set_board({"new": [_row("o4", 4), _row("o2", 2)], "ready": [_row("o3", 3, "ready")]})
    assert [c.order_id for c in board.columns["new"].cards] == ["o4", "o2"]
    assert board.card("o2") is o2 and board.card("o3") is o3
    box = board.columns["new"].cards_box
    assert [box.itemAt(i).widget() for i in range(2)] == board.columns["new"].cards
    board.deleteLater()


def _row(oid: str, number: int, status: str = "new") -> dict:
    return {"id": oid, "number": number, "status": status, "pending": 0, "channel": "collect",
            "customer_name": "Zoé", "item_count": 1, "total_cents": 250, "allergens": "",
            "acknowledged_at": None, "created_at": None, "updated_at": None,
            "ready_by": None, "pickup_slot": None}


def test_selecting_a_reused_card_takes_the_wider_border_into_its_layout(window, shop_app):
    shop_app.pull(make_pull([make_order("o1", 12), make_order("o2", 13)], cursor=2))
    window.acknowledge_all()
    card = window.board.card("o2")
    plain = card.contentsMargins().left()
    window.select_order("o2")  # acknowledged already: no refresh, the same card restyled
    assert window.board.card("o2") is card
    assert card.contentsMargins().left() == plain + 1  # 3 px selected border, not 2
