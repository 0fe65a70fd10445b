"""Printer settings: the form saves a PrinterConfig, refuses bad input, tests and previews."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from posapp.ui.printer_settings import PrinterSettings
from posapp.ui.settings_dialog import SettingsDialog
from printing import PrinterConfig, PrinterKind
from printing.virtual_printer import VirtualPrinter


@pytest.fixture
def form(qtbot, printing, window_lang_fr) -> PrinterSettings:
    widget = PrinterSettings(printing, {"name": "Boulangerie Zoé"})
    qtbot.addWidget(widget)
    return widget


@pytest.fixture
def window_lang_fr(qapp):
    from posapp.ui.i18n import install_translator

    install_translator(qapp, "fr")


@pytest.fixture
def printer():
    with VirtualPrinter() as vp:
        yield vp


def fill_network(form: PrinterSettings, host: str, port: str) -> None:
    form.kind.setCurrentIndex(form.kind.findData("network"))
    form.host.setText(host)
    form.port.setText(port)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nobody listens once the socket is closed


def test_form_shows_the_saved_settings(form, printing):
    assert form.kind.currentData() == "file"
    assert form.pages.currentWidget().isAncestorOf(form.path)
    assert form.path.text() == str(printing.default_file)
    assert form.paper_width.currentData() == 80 and form.columns.currentData() == 48
    assert form.code_page.currentData() == "CP858"
    assert form.auto_print.isChecked() and form.copies.value() == 1


def test_save_writes_every_field(form, printing):
    fill_network(form, " 192.168.1.50 ", "9100")
    form.paper_width.setCurrentIndex(form.paper_width.findData(58))
    form.code_page.setCurrentIndex(form.code_page.findData("CP850"))
    form.copies.setValue(2)
    form.auto_print.setChecked(False)
    form.kitchen_copy.setChecked(True)
    assert form.save() is True
    saved = printing.config()
    assert saved.kind == PrinterKind.NETWORK
    assert (saved.address, saved.port) == ("192.168.1.50", 9100)
    assert (saved.paper_width_mm, saved.line_columns, saved.code_page) == (58, 32, "CP850")
    assert (saved.copies, saved.auto_print, saved.kitchen_copy) == (2, False, True)
    assert "enregistr" in form.message.text()


def test_80_mm_paper_offers_42_columns(form, printing):
    form.columns.setCurrentIndex(form.columns.findData(42))
    assert form.save()
    assert printing.config().columns == 42
    form.paper_width.setCurrentIndex(form.paper_width.findData(58))
    assert [form.columns.itemData(i) for i in range(form.columns.count())] == [32]


def test_usb_serial_spooler_fields(form, printing):
    form.kind.setCurrentIndex(form.kind.findData("usb"))
    form.vendor_id.setText("0x04B8")
    form.product_id.setText("0202")
    assert form.save()
    assert (printing.config().usb_vendor_id, printing.config().usb_product_id) == (0x04B8, 0x0202)
    form.kind.setCurrentIndex(form.kind.findData("serial"))
    form.device.setText("/dev/ttyUSB0")
    form.baudrate.setCurrentText("38400")
    assert form.save()
    assert (printing.config().address, printing.config().baudrate) == ("/dev/ttyUSB0", 38400)
    form.kind.setCurrentIndex(form.kind.findData("spooler"))
    form.queue_name.setText("TM-T20")
    assert form.save()
    assert printing.config().kind == PrinterKind.SPOOLER
    assert printing.config().address == "TM-T20"


@pytest.mark.parametrize(("host", "port", "expected"), [
    ("192.168.1.50", "neuf-cent", "port"),
    ("192.168.1.50", "70000", "port"),
    ("192.168.1.50", "", "port"),
    ("   ", "9100", "adresse IP"),
])
def test_invalid_network_input_saves_nothing(form, printing, host, port, expected):
    before = printing.config()
    fill_network(form, host, port)
    assert form.save() is False
    assert expected in form.message.text()
    assert form.message.property("problem") is True
    assert printing.config() == before


def test_invalid_usb_id_saves_nothing(form, printing):
    form.kind.setCurrentIndex(form.kind.findData("usb"))
    form.vendor_id.setText("04b8")
    form.product_id.setText("zz")
    assert form.save() is False
    assert "hexadécima" in form.message.text()
    assert printing.config().kind == PrinterKind.FILE


def test_fields_the_form_does_not_show_are_kept(form, printing):
    printing.save_config(PrinterConfig(kind="network", address="10.0.0.9", timeout_s=1.5,
                                       profile="TM-T88V"))
    form.load(printing.config())
    form.copies.setValue(3)
    assert form.save()
    assert (printing.config().timeout_s, printing.config().profile) == (1.5, "TM-T88V")


def test_test_print_runs_in_the_background_and_reports_in_french(qtbot, form, printer):
    fill_network(form, printer.host, str(printer.port))
    form.code_page.setCurrentIndex(form.code_page.findData("CP850"))
    with qtbot.waitSignal(form.test_finished, timeout=5000) as done:
        form.test_button.click()
        # The click returned before the printer answered: the GUI thread was not blocked.
        assert not form.test_button.isEnabled()
        assert "Impression de la page de test" in form.message.text()
    assert done.args[0].state.is_ready
    assert form.test_button.isEnabled()
    assert "Imprimante prête" in form.message.text()
    assert form.message.property("problem") is False
    job = printer.jobs[-1]
    assert b"\x1bt\x02" in job  # ESC t 2: the code page chosen in the form, not yet saved
    assert b"TEST D" in job


def test_test_print_problem_is_explained(qtbot, form, printer):
    printer.paper_out = True
    fill_network(form, printer.host, str(printer.port))
    with qtbot.waitSignal(form.test_finished, timeout=5000):
        form.start_test_print()
    assert "Plus de papier" in form.message.text()
    assert form.message.property("problem") is True


def test_test_print_to_a_dead_printer(qtbot, form):
    fill_network(form, "127.0.0.1", str(closed_port()))
    with qtbot.waitSignal(form.test_finished, timeout=8000) as done:
        form.start_test_print()
    assert "injoignable" in form.message.text() and "adresse IP" in form.message.text()
    assert done.args[0].detail and done.args[0].detail not in form.message.text()


def test_test_print_to_a_file(qtbot, form, tmp_path):
    target = tmp_path / "test.escpos"
    form.path.setText(str(target))
    with qtbot.waitSignal(form.test_finished, timeout=5000):
        form.start_test_print()
    assert target.stat().st_size > 200
    assert "Imprimante prête" in form.message.text()


def test_test_print_refuses_invalid_settings(qtbot, form):
    fill_network(form, "", "9100")
    with qtbot.assertNotEmitted(form.test_finished, wait=200):
        form.start_test_print()
    assert "adresse IP" in form.message.text()


def test_preview_shows_the_sample_ticket_at_the_paper_width(qtbot, form):
    with qtbot.waitSignal(form.preview_ready, timeout=5000):
        form.preview_button.click()
    wide = form.preview.pixmap()
    assert not wide.isNull()
    assert wide.width() == 576 and wide.height() > 600  # 80 mm: 576 dots
    form.paper_width.setCurrentIndex(form.paper_width.findData(58))
    with qtbot.waitSignal(form.preview_ready, timeout=5000):
        form.show_preview()
    assert form.preview.pixmap().width() == 384  # 58 mm


def test_settings_dialog_has_the_printer_tab(qtbot, shop_app, printing, window_lang_fr):
    dialog = SettingsDialog(shop_app)
    qtbot.addWidget(dialog)
    assert isinstance(dialog.printer, PrinterSettings)
    assert dialog.tabs.tabText(1) == "Imprimante"
    dialog.printer.path.setText("/tmp/ailleurs.escpos")
    with qtbot.waitSignal(dialog.printer_saved, timeout=1000) as saved:
        dialog.printer.save_button.click()
    assert saved.args[0].address == "/tmp/ailleurs.escpos"
    assert printing.printer_file == Path("/tmp/ailleurs.escpos")


def test_saving_updates_the_status_bar(qtbot, window, shop_app, printing, tmp_path):
    dialog = window.make_settings_dialog()
    target = tmp_path / "nouveau.escpos"
    dialog.printer.path.setText(str(target))
    dialog.printer.save_button.click()
    assert str(target) in window.status.printer_file.text()
    dialog.close()


def test_pool_answers_that_come_at_once_are_not_lost(qtbot):
    from PySide6.QtCore import QThreadPool

    from posapp.ui.workers import run_in_pool

    got: list[object] = []
    call = run_in_pool(lambda: 42, on_done=got.append)  # no parent: we keep it alive
    QThreadPool.globalInstance().waitForDone(2000)  # finished before anyone could connect
    qtbot.waitUntil(lambda: got == [42], timeout=1000)
    assert call is not None


# -- tickets a crash may have cut (printing/README.md, crash policy) ------------------------
def crashed_jobs(shop_app, printing) -> dict[str, int]:
    """An order ticket, its kitchen copy and a test page, all cut by a crash."""
    from printing import build_test_ticket
    from tests.ui.conftest import make_order, make_pull

    order = make_order("o12", 12)
    shop_app.pull(make_pull([order], cursor=2))
    config = PrinterConfig(kind="file", address=str(printing.default_file), kitchen_copy=True)
    ticket, kitchen = printing.queue.enqueue_order(order, shop_app.shop, config)
    test_page = printing.queue.submit(build_test_ticket(config))
    with shop_app.store.transaction() as conn:
        conn.execute("UPDATE print_jobs SET state = 'uncertain'")
    return {"ticket": ticket, "kitchen": kitchen, "test": test_page}


def job_state(shop_app, job_id: int) -> str:
    return shop_app.store.query_one("SELECT state FROM print_jobs WHERE id = ?", (job_id,))["state"]


def open_window(qtbot, shop_app):
    from posapp.ui.main_window import MainWindow

    win = MainWindow(shop_app)
    qtbot.addWidget(win)
    win.show()
    return win


def test_start_up_asks_about_each_cut_ticket(qtbot, monkeypatch, shop_app, printing,
                                            window_lang_fr):
    from posapp.ui.main_window import MainWindow

    jobs = crashed_jobs(shop_app, printing)
    answers = {jobs["ticket"]: True, jobs["kitchen"]: False, jobs["test"]: None}
    asked: list[int] = []

    def fake_ask(self, pending):
        asked.extend(j.id for j in pending)
        return answers[pending[0].id]

    monkeypatch.setattr(MainWindow, "ask_reprint_uncertain", fake_ask)
    open_window(qtbot, shop_app)
    assert asked == []  # not during construction: after the window is shown
    qtbot.waitUntil(lambda: len(asked) == 3, timeout=2000)
    assert sorted(asked) == sorted(jobs.values())
    assert job_state(shop_app, jobs["ticket"]) == "queued"  # printed again
    assert job_state(shop_app, jobs["kitchen"]) == "printed"  # it came out
    assert job_state(shop_app, jobs["test"]) == "uncertain"  # no answer: asked next time

    asked.clear()
    open_window(qtbot, shop_app)  # next start
    qtbot.waitUntil(lambda: asked == [jobs["test"]], timeout=2000)


def test_no_question_without_cut_tickets(qtbot, monkeypatch, shop_app, printing):
    from posapp.ui.main_window import MainWindow

    asked: list[object] = []
    monkeypatch.setattr(MainWindow, "ask_reprint_uncertain", lambda self, jobs: asked.append(jobs))
    win = open_window(qtbot, shop_app)
    qtbot.wait(50)
    assert asked == [] and win.check_uncertain_jobs() == 0


def test_question_names_the_ticket_in_french(shop_app, printing, window_lang_fr):
    from posapp.ui.uncertain_jobs import uncertain_box

    jobs = crashed_jobs(shop_app, printing)
    by_id = {job.id: job for job in printing.queue.uncertain_jobs()}
    numbers = {"o12": 12}.get
    box = uncertain_box([by_id[jobs["ticket"]]], numbers)
    assert box.text() == ("Le ticket de la commande N° 12 a peut-être été interrompu. "
                          "Le réimprimer ?")
    assert box.yes.text() == "Oui, le réimprimer" and box.no.text() == "Non, il est complet"
    assert "ticket cuisine" in uncertain_box([by_id[jobs["kitchen"]]], numbers).text()
    assert "Test d’impression" in uncertain_box([by_id[jobs["test"]]], numbers).text()


def test_question_names_a_cancellation_slip_as_such(shop_app, printing, window_lang_fr):
    from posapp.ui.uncertain_jobs import uncertain_box
    from printing import enqueue_for_change
    from printing import journal as print_journal
    from tests.ui.conftest import make_order, make_pull

    shop_app.pull(make_pull([make_order("o12", 12, "accepted")], cursor=2))
    config = printing.config()
    with shop_app.store.transaction() as conn:
        (ticket,) = enqueue_for_change(conn, make_order("o12", 12, "accepted"), "new",
                                       shop_app.shop, config)
        print_journal.mark_printing(conn, ticket)
        print_journal.mark_printed(conn, ticket)
        (slip,) = enqueue_for_change(conn, make_order("o12", 12, "cancelled"), "accepted",
                                     shop_app.shop, config)
        conn.execute("UPDATE print_jobs SET state = 'uncertain' WHERE id = ?", (slip,))
    [job] = printing.queue.uncertain_jobs()
    assert uncertain_box([job], {"o12": 12}.get).text() == (
        "Le bon d’annulation de la commande N° 12 a peut-être été interrompu. Le réimprimer ?")


@pytest.mark.parametrize(("key", "expected"), [("yes", True), ("no", False), ("escape", None)])
def test_dialog_answers(qtbot, shop_app, printing, window_lang_fr, key, expected):
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from posapp.ui.uncertain_jobs import ask_reprint

    crashed_jobs(shop_app, printing)
    job = printing.queue.uncertain_jobs()[0]

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if key == "escape":
            QTest.keyClick(box, Qt.Key.Key_Escape)  # closing is no answer, not "it came out"
        else:
            getattr(box, key).click()

    QTimer.singleShot(50, answer)
    assert ask_reprint([job], lambda _oid: 12) is expected


def _usb_form(qtbot, printing, find_usb) -> PrinterSettings:
    widget = PrinterSettings(printing, {"name": "Boulangerie Zoé"}, find_usb=find_usb)
    qtbot.addWidget(widget)
    return widget


def test_usb_page_lists_the_printers_present_and_fills_their_ids(qtbot, printing,
                                                                  window_lang_fr):
    from printing.usb_printers import find_usb_printers
    from tests.printing.fake_usb import FakeUsbBus, FakeUsbDevice

    bus = FakeUsbBus(  # the real listing code, over a fake usb.core.find
        FakeUsbDevice.printer(0x04B8, 0x0E15, manufacturer="EPSON", product="TM-T20II"),
        FakeUsbDevice.printer(0x0416, 0x5011, product="POS58"),
    )
    form = _usb_form(qtbot, printing, lambda: find_usb_printers(bus.find))
    with qtbot.waitSignal(form.usb_search_finished, timeout=5000):
        form.kind.setCurrentIndex(form.kind.findData("usb"))
    labels = [form.usb_found.itemText(i) for i in range(form.usb_found.count())]
    assert labels == ["EPSON TM-T20II (04b8:0e15)", "POS58 (0416:5011)"]
    assert (form.vendor_id.text(), form.product_id.text()) == ("04b8", "0e15")
    form.usb_found.setCurrentIndex(1)
    form.usb_found.activated.emit(1)  # as a click on the second printer
    assert form.save()
    saved = printing.config()
    assert (saved.kind, saved.usb_vendor_id, saved.usb_product_id) == ("usb", 0x0416, 0x5011)


def test_usb_search_keeps_the_saved_ids_and_says_when_nothing_is_found(qtbot, printing,
                                                                       window_lang_fr):
    printing.save_config(PrinterConfig(kind="usb", usb_vendor_id=0x0FE6, usb_product_id=0x811E))
    found: list = []
    form = _usb_form(qtbot, printing, lambda: list(found))
    qtbot.waitUntil(lambda: form.usb_search.isEnabled(), timeout=5000)
    assert form.usb_found.count() == 0 and "Aucune imprimante USB" in form.usb_hint.text()
    assert (form.vendor_id.text(), form.product_id.text()) == ("0fe6", "811e")


def test_usb_listing_failure_is_explained_in_french(qtbot, printing, window_lang_fr):
    import usb.core

    from printing.usb_printers import find_usb_printers

    def no_libusb(**_: object) -> list:
        raise usb.core.NoBackendError("No backend available")

    form = _usb_form(qtbot, printing, lambda: find_usb_printers(no_libusb))
    with qtbot.waitSignal(form.usb_search_finished, timeout=5000):
        form.kind.setCurrentIndex(form.kind.findData("usb"))
    hint = form.usb_hint.text()
    assert "libusb-1.0-0" in hint and "WinUSB" in hint and "identifiants" in hint
    assert "No backend" not in hint and "pip" not in hint
    assert "No backend available" in form.usb_hint.toolTip()  # for whoever helps
    assert form.usb_search.isEnabled() and form.usb_found.count() == 0


def test_test_print_refused_by_the_spooler_says_what_to_check(qtbot, form, monkeypatch):
    from tests.printing.cups_server import free_port

    monkeypatch.setenv("CUPS_SERVER", f"127.0.0.1:{free_port()}")  # no CUPS there: lp fails
    form.kind.setCurrentIndex(form.kind.findData("spooler"))
    form.queue_name.setText("TM-T20")
    with qtbot.waitSignal(form.test_finished, timeout=15000) as done:
        form.start_test_print()
    text = form.message.text()
    assert "file d’attente" in text and "localhost:631" in text
    assert "lp " not in text and done.args[0].detail not in text
    assert "TM-T20" in form.message.toolTip()


def test_the_preview_prints_times_in_the_shop_s_zone(qtbot, shop_app, printing):
    """Not the printing library's default (Europe/Paris): the sample's ready-by time as a
    ticket of this shop would print it."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    from posapp.store.shop_time import SHOP_TZ_SETTING
    from posapp.ui.printer_settings import preview_document, sample_order
    from sync.protocol import parse_iso

    shop_app.set_setting(SHOP_TZ_SETTING, "Asia/Kolkata")
    dialog = SettingsDialog(shop_app)
    qtbot.addWidget(dialog)
    assert dialog.printer is not None
    ready = parse_iso(sample_order()["ready_by"])
    kolkata = ready.astimezone(ZoneInfo("Asia/Kolkata")).strftime("%H:%M")
    paris = ready.astimezone(ZoneInfo("Europe/Paris")).strftime("%H:%M")
    text = " ".join(preview_document(printing.config(), {}, dialog.printer.tz).texts())
    assert kolkata in text and paris not in text
    assert dt.timedelta(0) < ready - dt.datetime.now(dt.UTC) < dt.timedelta(hours=1)
