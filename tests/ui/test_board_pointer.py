"""The board never moves a card under a moving pointer (a click meant for No. 4 opened No. 5)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QCursor

from posapp.ui import board as board_module
from tests.ui.conftest import make_order, make_pull


def _orders(*statuses: str) -> list[dict]:
    return [make_order(f"o{n}", n, status=s,
                       **({"ready_by": "2099-01-01T00:00:00.000Z"} if s == "accepted" else {}))
            for n, s in enumerate(statuses, start=3)]


@pytest.fixture(autouse=True)
def pointer_away(window):
    """The pointer is global: start each test with it off the board."""
    QCursor.setPos(window.mapToGlobal(QPoint(window.width() - 5, 5)))


def _aim_at(card) -> QPoint:
    point = card.mapToGlobal(card.rect().center())
    QCursor.setPos(point)
    return point


def test_cards_stay_put_while_the_pointer_moves_over_the_board(window, shop_app, qtbot,
                                                              monkeypatch):
    monkeypatch.setattr(board_module, "HOLD_MS", 300)
    shop_app.pull(make_pull(_orders("new", "new", "new"), cursor=2))
    board = window.board
    qtbot.waitUntil(lambda: board.card("o5") is not None and board.card("o5").isVisible())
    target = board.card("o5")
    before = target.mapTo(board, QPoint(0, 0))
    _aim_at(target)
    assert board.pointer_over()
    # No. 4 (above No. 5) is accepted elsewhere while the pointer heads for No. 5.
    shop_app.pull(make_pull([make_order("o4", 4, status="accepted",
                                        ready_by="2099-01-01T00:00:00.000Z")], cursor=3))
    assert board.deferred()
    assert target.mapTo(board, QPoint(0, 0)) == before  # did not move up under the pointer
    clicked = []
    board.order_clicked.connect(clicked.append)
    qtbot.mouseClick(target, Qt.MouseButton.LeftButton)
    assert clicked == ["o5"]
    # Once the pointer rests, the board catches up (a finger leaves it where it tapped).
    qtbot.waitUntil(lambda: board.column_of("o4") == "preparing", timeout=3000)
    assert not board.deferred()


def test_a_moving_pointer_delays_but_never_hides_a_new_order(window, shop_app, qtbot,
                                                             monkeypatch):
    monkeypatch.setattr(board_module, "HOLD_MS", 100)
    monkeypatch.setattr(board_module, "MAX_HOLD_MS", 600)
    shop_app.pull(make_pull(_orders("new"), cursor=2))
    board = window.board
    card = board.card("o3")
    qtbot.waitUntil(card.isVisible)
    point = _aim_at(card)
    shop_app.pull(make_pull([make_order("o9", 9)], cursor=3))
    assert board.card("o9") is None  # held for now
    for step in range(40):  # keeps moving: still shown within MAX_HOLD_MS
        QCursor.setPos(point + QPoint(step % 2, 0))
        qtbot.wait(25)
        if board.card("o9") is not None:
            break
    assert board.card("o9") is not None


def test_refresh_applies_at_once_when_the_pointer_is_elsewhere(window, shop_app, qtbot):
    shop_app.pull(make_pull(_orders("new", "new"), cursor=2))
    QCursor.setPos(window.detail.mapToGlobal(window.detail.rect().center()))
    assert not window.board.pointer_over()
    shop_app.pull(make_pull([make_order("o3", 3, status="accepted",
                                        ready_by="2099-01-01T00:00:00.000Z")], cursor=3))
    assert window.board.column_of("o3") == "preparing" and not window.board.deferred()
