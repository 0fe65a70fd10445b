"""The "Data" tab: CSV import with its report, export, backup and restore, in French."""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path

import pytest

from posapp.app import AppConfig, ShopApp
from posapp.domain.ledger import LedgerService
from posapp.store import backup as backup_mod
from posapp.ui.data_page import DataPage
from posapp.ui.i18n import install_translator
from sync.credentials import MemoryVault
from tests.ui.conftest import qapp_instance


@pytest.fixture
def page(qtbot, shop_app):
    install_translator(qapp_instance(), "fr")
    widget = DataPage(shop_app)
    qtbot.addWidget(widget)
    widget.show()
    yield widget
    install_translator(qapp_instance(), "en")


def write(tmp_path: Path, text: str, name: str = "stock.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8-sig")
    return path


def outbox(shop_app) -> list[tuple[str, dict]]:
    return [(r["name"], json.loads(r["args"])) for r in shop_app.outbox()]


def test_import_shows_the_report_then_applies_on_confirmation(page, shop_app, tmp_path):
    path = write(tmp_path, "référence;nom;prix;stock;disponible\n"
                           "A;Éclair café;2,80 €;8;oui\n"
                           "C;Croissant;1,20;12;oui\n")
    dialog = page.import_csv(path)
    assert dialog is page.report_dialog and dialog.isVisible()
    assert outbox(shop_app) == []  # the dry run changed nothing
    assert "2 comptages de stock" in dialog.summary.text()
    changes = dialog.changes_table
    assert changes.rowCount() == 2
    assert changes.item(0, 3).text() == "stock 10 → 8 (-2)"
    assert "remis en vente" in changes.item(1, 3).text()
    not_applied = dialog.not_applied_table
    assert not_applied.item(0, 2).text() == "Prix"
    assert (not_applied.item(0, 3).text(), not_applied.item(0, 4).text()) == (
        "2,50\u00a0€", "2,80\u00a0€")
    dialog.apply_button.click()
    assert outbox(shop_app) == [
        ("stock.adjust", {"sku": "A", "delta": -2, "reason": "count"}),
        ("stock.adjust", {"sku": "C", "delta": 12, "reason": "count"}),
        ("product.set_available", {"sku": "C", "available": True}),
    ]
    assert shop_app.local_changes == 1  # pushed and views refreshed
    assert shop_app.stock.product("A")["quantity"] == 8
    assert [r["reason"] for r in LedgerService(shop_app.store).movements("A")][0] == "count"
    assert "Importé : 2 comptages" in page.message.text()


def test_rejected_rows_block_the_import_unless_left_out_explicitly(page, shop_app, tmp_path):
    path = write(tmp_path, "sku;stock\nA;7\nZZZ;4\nB;beaucoup\n")
    dialog = page.import_csv(path)
    table = dialog.rejected_table
    assert [(table.item(r, 0).text(), table.item(r, 1).text(), table.item(r, 2).text())
            for r in range(table.rowCount())] == [
        ("3", "ZZZ", "produit inconnu de la place de marché"),
        ("4", "B", "quantité illisible « beaucoup » (nombre entier attendu)")]
    assert not dialog.apply_button.isEnabled()
    dialog.skip_rejected.setChecked(True)
    assert dialog.apply_button.isEnabled()
    dialog.cancel_button.click()
    assert outbox(shop_app) == [] and shop_app.local_changes == 0
    dialog = page.import_csv(path)
    dialog.skip_rejected.setChecked(True)
    dialog.apply_button.click()
    assert outbox(shop_app) == [("stock.adjust", {"sku": "A", "delta": -3, "reason": "count"})]


def test_unusable_file_is_explained_without_a_report(page, shop_app, tmp_path):
    path = write(tmp_path, "nom;stock\nÉclair;3\n")
    assert page.import_csv(path) is None
    assert "aucune colonne « référence »" in page.message.text()
    assert outbox(shop_app) == []


def test_export_writes_a_french_csv(page, shop_app, qtbot, tmp_path):
    target = tmp_path / "export.csv"
    with qtbot.waitSignal(page.exported, timeout=2000):
        assert page.export_csv(target) == target
    text = target.read_bytes().decode("utf-8-sig")
    assert text.splitlines()[0].startswith("référence;nom;catégorie;prix")
    assert "A;Éclair café;Pâtisserie;2,50;" in text
    assert "3 produits exportés" in page.message.text()


def test_backup_runs_off_the_gui_thread_and_restore_asks_first(page, shop_app, qtbot, tmp_path):
    target = tmp_path / "saves" / "comptoir.db"
    with qtbot.waitSignal(page.backed_up, timeout=5000) as signal:
        assert page.backup_now(target)
    assert signal.args[0].products == 3 and page.backup_button.isEnabled()
    assert sqlite3.connect(target).execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    shop_app.stock.adjust("A", -4, "waste")
    shop_app.restore_backup = lambda path: backup_mod.restore(shop_app.store.path, path,
                                                              aside_dir=tmp_path / "aside")
    box = page.restore(target)
    assert box is page.restore_box and "Remplacer les données" in box.text()
    assert "3 produits" in box.informativeText()
    assert "1 changement fait ici n’est pas encore confirmé" in box.informativeText()
    assert shop_app.stock.product("A")["quantity"] == 6  # nothing yet: only asked
    with qtbot.waitSignal(page.restored, timeout=5000):
        box.restore_button.click()
    assert shop_app.stock.product("A")["quantity"] == 10
    assert "Sauvegarde restaurée" in page.message.text()


def test_a_file_that_is_no_backup_is_refused_before_asking(page, shop_app, tmp_path):
    bogus = write(tmp_path, "pas une base", "bogus.db")
    assert page.restore(bogus) is None
    assert "ne peut pas être restaurée" in page.message.text()


def test_a_damaged_backup_is_worded_by_us_in_each_language_never_by_sqlite(page, tmp_path):
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"SQLite format 3\x00" + b"\x07" * 5000)  # SQLite's magic, then noise
    assert page.restore(bad) is None
    shown = page.message.text()
    assert "bad.db est illisible ou endommagé : choisissez une autre sauvegarde" in shown
    assert "database" not in shown and "malformed" not in shown
    install_translator(qapp_instance(), "en")
    try:
        page.restore(bad)
        assert "bad.db is unreadable or damaged: choose another backup" in page.message.text()
    finally:
        install_translator(qapp_instance(), "fr")


def test_a_backup_folder_that_cannot_be_written_says_why(page, tmp_path, qtbot):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    page.backup_now(blocker / "comptoir.db")  # its folder is a file
    qtbot.waitUntil(page.backup_button.isEnabled, timeout=5000)
    shown = page.message.text()
    assert "La sauvegarde n’a pas pu être écrite dans" in shown and " : " in shown
    assert "Errno" not in shown


def test_shop_app_restore_pauses_and_restarts_sync_and_printing(qapp, tmp_path):
    app = ShopApp(AppConfig(data_dir=tmp_path / "data", vault=MemoryVault()))
    app.start()
    try:
        saved = backup_mod.backup(app.store.path, tmp_path / "save.db")
        app.set_setting("shop_name", "après la sauvegarde")
        result = app.restore_backup(saved.path)
        assert app.setting("shop_name") is None
        assert result.previous is not None and result.previous.exists()
        assert app.engine.running
        assert {t.name for t in threading.enumerate()} >= {"comptoir-pull", "comptoir-push"}
        assert app.printing.queue._thread is not None and app.printing.queue._thread.is_alive()
    finally:
        app.stop()
