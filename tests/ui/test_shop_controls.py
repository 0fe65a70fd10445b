from __future__ import annotations

import json

import pytest

from posapp.ui.screenshots import take_screenshots
from posapp.ui.settings_dialog import SettingsDialog
from tests.ui.conftest import make_order, make_pull


def test_pause_and_resume(window, shop_app):
    assert "pause" in window.pause_button.text()
    window.ask_pause_duration = lambda: None  # "until I resume"
    window.pause_button.click()
    assert json.loads(shop_app.outbox()[-1]["args"]) == {"paused": True}
    assert window.pause_button.property("paused") is True
    assert "PAUSE" in window.pause_button.text()
    window.pause_button.click()
    assert json.loads(shop_app.outbox()[-1]["args"]) == {"paused": False}
    assert window.pause_button.property("paused") is False


def test_status_bar_shows_sync_and_printer_file(window, shop_app):
    from sync.engine import SyncStatus

    assert str(shop_app.printing.printer_file) in window.status.printer_file.text()
    for _ in range(3):  # three changes really waiting in the outbox
        shop_app.stock.adjust("A", -1, "counter_sale")
    shop_app.sync_status.emit(SyncStatus(online=False, pending=3,
                                         last_error="Place de marché injoignable"))
    assert "Hors ligne" in window.status.online.text()
    assert "3" in window.status.pending.text()
    assert window.status.error.text() == "Place de marché injoignable"


def test_pairing_reports_success_and_failure(qtbot, shop_app, market, demo_shop):
    """Against a real marketplace: the network part runs in the pool, the GUI stays free."""
    dialog = SettingsDialog(shop_app)
    qtbot.addWidget(dialog)
    dialog.url.setText(market.url)
    dialog.code.setText("BAD-CODE")
    dialog.start_pairing()
    qtbot.waitUntil(lambda: "Échec" in dialog.pair_status.text(), timeout=5000)
    assert shop_app.paired == []
    dialog.code.setText(demo_shop[1])
    with qtbot.waitSignal(dialog.paired, timeout=5000):
        dialog.start_pairing()
    assert shop_app.paired == [(market.url, demo_shop[0])]
    assert "Boulangerie Zoé" in dialog.pair_status.text()


def test_sound_settings_are_stored_and_applied(window, shop_app):
    dialog = window.make_settings_dialog()
    dialog.volume.setValue(30)
    dialog.sound.setCurrentIndex(dialog.sound.findData("bell.wav"))
    assert shop_app.setting("alert_volume") == "30"
    assert shop_app.setting("alert_sound") == "bell.wav"
    assert window.alert.sound == "bell.wav" and abs(window.alert.volume - 0.3) < 1e-6
    dialog.close()


def test_screenshots_are_written(window, shop_app, tmp_path):
    shop_app.pull(make_pull([make_order("o1", 12), make_order("o2", 13, status="accepted",
                                                              ready_by="2099-01-01T00:00:00.000Z")],
                            cursor=2))
    shots = take_screenshots(window, tmp_path / "shots")
    names = sorted(p.name for p in shots)
    assert names == ["board.png", "data.png", "detail.png", "history.png", "report.png",
                     "settings-printer.png", "settings.png", "stock.png"]
    assert all(p.stat().st_size > 5000 for p in shots)


def test_every_ui_string_is_translated_to_french():
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "resources" / "i18n"))
    import update_ts

    translated = update_ts.read_ts(update_ts.Path(__file__).resolve().parents[2]
                                   / "resources" / "i18n" / "comptoir_fr.ts")
    missing = [s for s in update_ts.extract() if s not in translated]
    assert missing == []


def test_printer_problem_is_shown(window, shop_app):
    status_mod = pytest.importorskip("printing.printer_status")
    PrinterState, PrinterStatus = status_mod.PrinterState, status_mod.PrinterStatus  # noqa: N806

    from printing import journal

    with shop_app.store.transaction() as conn:  # two tickets really waiting
        for key in ("k1", "k2"):
            journal.insert_job(conn, key, journal.JOB_KINDS[0], "{}")
    shop_app.printer_status.emit(PrinterStatus(PrinterState.PAPER_OUT, "", queued_jobs=2))
    assert "papier" in window.status.printer.text() and "2" in window.status.printer.text()
    assert window.status.printer.property("problem") is True
    shop_app.printer_status.emit(PrinterStatus(PrinterState.READY))
    assert window.status.printer.property("problem") is False


def test_english_can_be_chosen(qtbot, shop_app):
    from PySide6.QtWidgets import QApplication

    from posapp.ui.i18n import install_translator
    from posapp.ui.main_window import MainWindow

    install_translator(QApplication.instance(), "en")
    try:
        win = MainWindow(shop_app)
        qtbot.addWidget(win)
        assert [c.title for c in win.board.columns.values()][0] == "New orders"
    finally:
        install_translator(QApplication.instance(), "fr")


def test_revoked_token_asks_to_pair_again(window, shop_app):
    from sync.engine import SyncStatus

    shop_app.sync_status.emit(SyncStatus(auth_required=True))  # never paired: status bar only
    assert not window.banners.texts("refused")
    shop_app.sync_status.emit(SyncStatus(online=True))
    shop_app.sync_status.emit(SyncStatus(auth_required=True, pending=2,
                                         last_error="jeton révoqué"))
    texts = window.banners.texts("refused")
    assert len(texts) == 1 and "Réglages" in texts[0]


def test_money_and_dates_follow_the_interface_language(qapp):
    from posapp.ui import fmt
    from posapp.ui.i18n import install_translator

    try:
        install_translator(qapp, "en")
        assert fmt.euros(123450) == "€1,234.50"
        install_translator(qapp, "fr")
        assert fmt.euros(123450) == "1\u202f234,50\xa0€"
        assert fmt.local_time("2026-11-23T09:05:00.000Z", with_date=True).startswith("23/11 ")
    finally:
        install_translator(qapp, "fr")
