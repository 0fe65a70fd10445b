"""The status bar tells the truth: live counts, pairing, the file printer, printer faults."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from posapp.ui.core_messages import printer_state_text
from printing import journal
from printing.printer_status import PrinterState, PrinterStatus
from sync.engine import SyncStatus
from tests.ui.conftest import make_order, make_pull


def _queue_tickets(shop_app, *keys: str) -> None:
    with shop_app.store.transaction() as conn:
        for key in keys:
            journal.insert_job(conn, key, "order", "{}")


def test_unsent_count_follows_the_outbox_even_when_pushes_fail(window, shop_app, qtbot):
    for _ in range(3):
        shop_app.stock.adjust("A", -1, "counter_sale")
    # A failed push: the engine reports offline with the count it had before (none).
    shop_app.sync_status.emit(SyncStatus(online=False, pending=0, last_error="injoignable"))
    assert "3" in window.status.pending.text()
    assert "Tout est envoyé" not in window.status.pending.text()
    shop_app.stock.adjust("B", 2, "restock")  # no signal at all: the bar still sees it
    qtbot.waitUntil(lambda: "4" in window.status.pending.text(), timeout=3000)
    with shop_app.store.transaction() as conn:  # the marketplace confirmed them all
        conn.execute("DELETE FROM outbox")
    qtbot.waitUntil(lambda: window.status.pending.text() == "Tout est envoyé", timeout=3000)


def test_decisions_at_the_counter_count_at_once(window, shop_app):
    shop_app.pull(make_pull([make_order("o1", 12)], cursor=2))
    window.accept_order("o1", 10)
    assert "1" in window.status.pending.text()


def test_print_queue_count_is_live(window, shop_app, qtbot):
    shop_app.printer_status.emit(PrinterStatus(PrinterState.OFFLINE, "", queued_jobs=0))
    _queue_tickets(shop_app, "k1", "k2")  # the queue reports nothing new: same state
    qtbot.waitUntil(lambda: "2 ticket" in window.status.printer.text(), timeout=3000)
    with shop_app.store.transaction() as conn:
        journal.mark_printing(conn, 1)
        journal.mark_printed(conn, 1)
    qtbot.waitUntil(lambda: "1 ticket" in window.status.printer.text(), timeout=3000)


def test_a_stale_queue_report_is_not_shown(window, shop_app):
    shop_app.printer_status.emit(PrinterStatus(PrinterState.PAPER_OUT, "", queued_jobs=7))
    assert "7" not in window.status.printer.text()  # nothing is queued in the journal


def test_not_paired_before_pairing(qtbot, shop_app):
    from posapp.ui.main_window import MainWindow

    with shop_app.store.transaction() as conn:
        conn.execute("DELETE FROM settings WHERE key = 'shop_id'")
    win = MainWindow(shop_app)  # the app's last status is the default: offline, no error
    qtbot.addWidget(win)
    assert "Non appairé" in win.status.online.text()
    shop_app.set_setting("shop_id", "s")
    win.refresh_orders()
    assert "Non appairé" not in win.status.online.text()


def test_an_unpaired_counter_claims_no_sync(qtbot, shop_app):
    """Nothing was ever sent: no "Tout est envoyé", no "Dernière synchro : —"."""
    from posapp.ui.main_window import MainWindow

    with shop_app.store.transaction() as conn:
        conn.execute("DELETE FROM settings WHERE key = 'shop_id'")
    win = MainWindow(shop_app)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    bar = win.status
    qtbot.waitUntil(lambda: not bar.pending.isVisible() and not bar.last_sync.isVisible(),
                    timeout=3000)
    shop_app.stock.adjust("A", -1, "counter_sale")  # typed here: it waits for the pairing
    qtbot.waitUntil(lambda: bar.pending.isVisible() and "1" in bar.pending.text(),
                    timeout=3000)
    assert not bar.last_sync.isVisible()
    with shop_app.store.transaction() as conn:
        conn.execute("DELETE FROM outbox")
    qtbot.waitUntil(lambda: not bar.pending.isVisible(), timeout=3000)
    shop_app.set_setting("shop_id", "s")  # paired: as before
    win.refresh_orders()
    qtbot.waitUntil(lambda: bar.pending.isVisible() and bar.last_sync.isVisible(), timeout=3000)
    assert bar.pending.text() == "Tout est envoyé"
    assert bar.last_sync.text().startswith("Dernière synchro")


def test_window_starts_from_the_engine_status(qtbot, shop_app):
    from posapp.ui.main_window import MainWindow

    class Engine:  # what the window reads of sync.engine.SyncEngine
        status = SyncStatus(online=True, last_sync_at=None)

    shop_app.engine = Engine()
    win = MainWindow(shop_app)
    qtbot.addWidget(win)
    assert "En ligne" in win.status.online.text()


def test_file_printer_is_labelled_as_a_file(window, shop_app):
    shop_app.printer_status.emit(PrinterStatus(PrinterState.READY))
    text = window.status.printer.text()
    assert "fichier" in text and "prête" not in text
    assert str(shop_app.printing.printer_file) in window.status.printer_file.text()


@pytest.mark.parametrize("state", [PrinterState.PAPER_OUT, PrinterState.OFFLINE,
                                   PrinterState.COVER_OPEN])
def test_printer_fault_is_a_banner_saying_what_to_do(window, shop_app, state):
    shop_app.printer_status.emit(PrinterStatus(state, "errno 111"))
    texts = window.banners.texts("error")
    assert len(texts) == 1
    assert printer_state_text(state) in texts[0] and "Réglages" in texts[0]
    assert "errno" not in texts[0]  # the technical detail stays in the tooltip / log
    shop_app.printer_status.emit(PrinterStatus(state, "errno 111"))
    assert len(window.banners.texts("error")) == 1  # one banner, not one per report
    shop_app.printer_status.emit(PrinterStatus(PrinterState.READY))
    assert window.banners.texts("error") == []


def test_long_error_never_widens_the_window(window, shop_app, qtbot):
    window.setWindowState(Qt.WindowState.WindowNoState)  # it opens maximised
    window.resize(1280, 690)
    qtbot.waitUntil(lambda: window.width() == 1280)
    error = "Impossible de joindre la place de marché : délai dépassé. " * 12
    shop_app.sync_status.emit(SyncStatus(online=False, last_error=error))
    qtbot.wait(50)
    assert window.width() == 1280
    assert window.minimumSizeHint().width() <= 1280
    assert window.status.error.is_elided() and window.status.error.toolTip() == error
    assert window.status.online.toolTip() == error  # were the error squeezed to "…"


def test_stock_change_counts_even_before_the_stock_tab_is_built(window, shop_app):
    shop_app.stock.adjust("A", -1, "counter_sale")
    window.refresh_stock()  # what a stock change triggers
    assert "1" in window.status.pending.text()  # at once, not at the next tick
    assert "stock" not in window._pages  # and the lazy tab stays unbuilt


@pytest.mark.parametrize("key", ["stock", "history", "report", "data"])
def test_a_lazy_page_never_sets_the_window_minimum(window, key):
    page = getattr(window, f"{key}_page")  # built now, on first use
    assert (page.minimumWidth(), page.minimumHeight()) == (320, 200)
