"""French everywhere in French mode: finished translations, real plurals, Qt's own words,
core messages by code, and no English source string on any screen."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QTabWidget,
    QWidget,
)

from posapp.ui.core_messages import (
    core_text,
    printer_state_text,
    printer_texts,
    sync_texts,
    user_text,
)
from posapp.ui.i18n import install_translator, installed_language, trn
from printing.printer_status import PrinterState, PrinterStatus
from sync.client import TransientError
from sync.engine import SyncStatus
from sync.messages import SYNC_MESSAGES, sync_message
from sync.protocol import CHANNELS, ORDER_STATUSES
from tests.ui.conftest import iso_ago, make_order, make_pull

ROOT = Path(__file__).resolve().parents[2]
I18N = ROOT / "resources" / "i18n"


def _update_ts():
    import importlib.util

    spec = importlib.util.spec_from_file_location("update_ts", I18N / "update_ts.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def ts_messages(path: Path) -> list[ET.Element]:
    return list(ET.parse(path).getroot().iter("message"))


def forms(message: ET.Element) -> list[str]:
    translation = message.find("translation")
    numerus = [f.text or "" for f in translation.iter("numerusform")]
    return numerus if message.get("numerus") == "yes" else [translation.text or ""]


PLACEHOLDER = re.compile(r"\{[^{}]*\}|%n")


# -- the translation files ------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["fr", "en"])
def test_no_unfinished_translation(lang):
    unfinished = [m.findtext("source") for m in ts_messages(I18N / f"comptoir_{lang}.ts")
                  if m.find("translation").get("type") == "unfinished" or not all(forms(m))]
    assert unfinished == []


def test_ts_files_hold_every_string_of_the_code_and_nothing_else():
    update_ts = _update_ts()
    calls = update_ts.extract_calls()
    fr = {m.findtext("source"): m.get("numerus") == "yes"
          for m in ts_messages(I18N / "comptoir_fr.ts")}
    assert fr == calls  # run resources/i18n/update_ts.py after changing tr() strings
    en = {m.findtext("source") for m in ts_messages(I18N / "comptoir_en.ts")}
    assert en == {source for source, counted in calls.items() if counted}


def test_translations_keep_their_placeholders():
    wrong = []
    for lang in ("fr", "en"):
        for message in ts_messages(I18N / f"comptoir_{lang}.ts"):
            source = message.findtext("source")
            for text in forms(message):
                if sorted(PLACEHOLDER.findall(text)) != sorted(PLACEHOLDER.findall(source)):
                    wrong.append((lang, source, text))
    assert wrong == []


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_compiled_qm_matches_the_ts(lang, tmp_path):
    update_ts = _update_ts()
    ts = tmp_path / f"comptoir_{lang}.ts"
    ts.write_bytes((I18N / ts.name).read_bytes())
    update_ts.lrelease(ts)
    assert ts.with_suffix(".qm").read_bytes() == (I18N / ts.with_suffix(".qm").name).read_bytes()


def test_no_lazy_plural_left():
    lazy = re.compile(r"\w\((?:e?s|x)\)")  # "commande(s)", "vue(s)"
    for message in ts_messages(I18N / "comptoir_fr.ts"):
        for text in forms(message):
            assert not lazy.search(text), text



def test_pairing_has_one_french_word():
    """"Appairer ce comptoir", "Non appairé": never "associer" in the same window."""
    other = re.compile(r"associ", re.IGNORECASE)
    mixed = [text for message in ts_messages(I18N / "comptoir_fr.ts")
             for text in forms(message) if other.search(text)]
    main = (ROOT / "posapp" / "__main__.py").read_text(encoding="utf-8")  # --help
    assert mixed == [] and not other.search(main)

# -- plurals, Qt's own words ----------------------------------------------------------------------

def test_the_moved_shop_message_counts_with_the_languages_plural(qapp):
    from sync.messages import CoreMessage

    def told(unsent, sent):
        return core_text(CoreMessage("app.left_behind", "…", unsent=unsent, sent=sent,
                                     csv="/x/l.csv", aside=""))
    try:
        install_translator(qapp, "fr")
        assert told(1, 0).startswith("1 changement n’a jamais été envoyé")
        assert told(2, 1).startswith("2 changements n’ont jamais été envoyés")
        assert "1 changement a été envoyé" in told(2, 1) and "/x/l.csv" in told(2, 1)
        assert "(s)" not in told(2, 3)
        install_translator(qapp, "en")
        assert told(0, 2).startswith("2 changes were sent to the previous shop")
        assert "previous shop" in told(1, 0) and "changement" not in told(1, 0)
    finally:
        install_translator(qapp, "fr")


def test_plurals_follow_the_language(qapp):
    try:
        install_translator(qapp, "fr")
        assert [trn("%n order(s)", n) for n in (0, 1, 2)] == [
            "0 commande", "1 commande", "2 commandes"]
        assert trn("%n new order(s)", 3) == "3 nouvelles commandes"
        install_translator(qapp, "en")
        assert [trn("%n order(s)", n) for n in (0, 1, 2)] == ["0 orders", "1 order", "2 orders"]
        assert trn("%n change(s) waiting to be sent", 1) == "1 change waiting to be sent"
    finally:
        install_translator(qapp, "fr")


def test_qt_own_buttons_and_file_dialog_are_french(qtbot, qapp):
    install_translator(qapp, "fr")
    box = QMessageBox(QMessageBox.Icon.Question, "?", "?",
                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No
                      | QMessageBox.StandardButton.Cancel)
    qtbot.addWidget(box)
    assert {b.text().replace("&", "") for b in box.buttons()} == {"Oui", "Non", "Annuler"}
    dialog = QFileDialog(None, "x")
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
    qtbot.addWidget(dialog)
    buttons = dialog.findChild(QDialogButtonBox)
    texts = {b.text().replace("&", "") for b in buttons.buttons()}
    assert "Annuler" in texts and "Cancel" not in texts
    labels = {w.text() for w in dialog.findChildren(QLabel)}
    assert any("Nom de fichier" in t for t in labels), labels


# -- core messages ------------------------------------------------------------------------------

def test_every_core_code_has_a_sentence_in_the_interface():
    assert set(sync_texts()) == set(SYNC_MESSAGES)
    assert {state.code for state in PrinterState} <= set(printer_texts())


def test_sync_errors_follow_the_interface_language(qapp):
    error = TransientError(sync_message("sync.server_down", status=503))
    try:
        install_translator(qapp, "en")
        assert user_text(error) == ("The marketplace is down (error 503): trying again"
                                    " automatically, nothing is lost.")
        assert core_text(str(error)) == user_text(error)  # str() keeps the code
        assert printer_state_text(PrinterState.PAPER_OUT) == "Out of paper: load a new roll"
        install_translator(qapp, "fr")
        assert user_text(error) == ("La place de marché est en panne (erreur 503) : nouvel essai"
                                    " automatique, rien n’est perdu.")
        assert printer_state_text(PrinterState.PAPER_OUT) == "Plus de papier : remettez un rouleau"
    finally:
        install_translator(qapp, "fr")


def test_a_library_error_is_never_shown(qapp, caplog):
    install_translator(qapp, "fr")
    text = user_text(ConnectionRefusedError(111, "Connection refused"))
    assert "Errno" not in text and "refused" not in text
    assert text.startswith("Erreur inattendue")
    assert "Connection refused" in caplog.text  # the detail is in the log


def test_offline_sync_says_what_to_do_without_the_library_name():
    from sync.client import MarketplaceClient

    client = MarketplaceClient("http://127.0.0.1:9", "token", timeout=2)  # discard port
    with pytest.raises(TransientError) as caught:
        client.pull(0, "c_1")
    client.close()
    text = str(caught.value)
    assert caught.value.message.code == "sync.offline"
    assert "ConnectError" not in text and "Errno" not in text
    assert "vérifiez la connexion Internet" in text


# -- every screen, in French ------------------------------------------------------------------------

def _pattern(text: str) -> re.Pattern[str] | None:
    fixed = PLACEHOLDER.sub(" ", text)
    if not re.search(r"[^\W\d_]{3,}", fixed):
        return None  # "{h} h", "{s} s": no word to recognise
    body = "".join(r"\d+" if part == "%n" else ".*?" if part.startswith("{")
                   else re.escape(part) for part in re.split(r"(\{[^{}]*\}|%n)", text))
    return re.compile(rf"(?<!\w){body}(?!\w)")


def foreign_patterns(lang: str = "fr") -> list[tuple[str, re.Pattern[str]]]:
    """What must not show in ``lang``: in French, the English sources; in English, the French
    translations (only those that differ: "OK", "Stock" and "Total" are both)."""
    patterns = []
    for message in ts_messages(I18N / "comptoir_fr.ts"):
        source = message.findtext("source")
        translations = forms(message)
        if source in translations:
            continue
        for text in ([source] if lang == "fr" else translations):
            if text == "Comptoir":  # "Counter" in French, and the app's name in both
                continue
            pattern = _pattern(text)
            if pattern is not None:
                patterns.append((text, pattern))
    return patterns


def english_patterns() -> list[tuple[str, re.Pattern[str]]]:
    return foreign_patterns("fr")


LIBRARY_TEXT = re.compile(r"\b\w+(?:Error|Exception)\b|Errno|Traceback|\bNone\b")
# Protocol values shown raw instead of through a label ("(customer)" in the history).
_RAW = sorted({*ORDER_STATUSES, *CHANNELS, "customer", "shop", "marketplace", "out_of_stock",
               "too_busy", "timeout"} - {"new"})
RAW_VALUES = re.compile(r"(?<![\w-])(?:" + "|".join(_RAW) + r")(?![\w-])")


def _plain(text: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", text)) if "<" in text else text


def widget_texts(widget: QWidget) -> Iterator[str]:
    if isinstance(widget, QLabel):
        yield widget.text()
    if isinstance(widget, QAbstractButton):
        yield widget.text()
    if isinstance(widget, QGroupBox):
        yield widget.title()
    if isinstance(widget, QLineEdit):
        yield widget.placeholderText()
    if isinstance(widget, QAbstractSpinBox):
        yield widget.text()
    if isinstance(widget, QComboBox):
        yield from (widget.itemText(i) for i in range(widget.count()))
    if isinstance(widget, QTabWidget):
        yield from (widget.tabText(i) for i in range(widget.count()))
    if isinstance(widget, QAbstractItemView) and widget.model() is not None:
        model = widget.model()
        for orientation, count in ((Qt.Orientation.Horizontal, model.columnCount()),):
            yield from (str(model.headerData(i, orientation) or "") for i in range(count))
        for row in range(min(model.rowCount(), 30)):
            for col in range(model.columnCount()):
                yield str(model.index(row, col).data() or "")
    if widget.isWindow():
        yield widget.windowTitle()
    yield widget.toolTip()
    chart = getattr(widget, "chart", None)
    if callable(chart) and chart() is not None:
        yield chart().title()
        for series in chart().series():
            yield series.name()
            for item in getattr(series, "slices", lambda: [])():
                yield item.label()
            for bar_set in getattr(series, "barSets", lambda: [])():
                yield bar_set.label()
        for axis in chart().axes():
            yield axis.titleText()
            yield from getattr(axis, "categories", lambda: [])()


def visible_texts(root: QWidget) -> Iterator[tuple[str, str]]:
    for widget in [root, *root.findChildren(QWidget)]:
        if widget is not root and not widget.isVisibleTo(root):
            continue
        for text in widget_texts(widget):
            if text and text.strip():
                yield type(widget).__name__, _plain(text)


def english_on(root: QWidget, patterns, raw_values: bool = True) -> list[tuple[str, str, str]]:
    found = []
    for kind, text in visible_texts(root):
        for source, pattern in patterns:
            if pattern.search(text):
                found.append((kind, text, source))
        if LIBRARY_TEXT.search(text):
            found.append((kind, text, "library text"))
        if raw_values and RAW_VALUES.search(text.replace("Click & collect", "")):
            found.append((kind, text, "raw protocol value"))
    return found


def demo_orders() -> list[dict]:
    def hist(*steps: tuple[str, float, str]) -> list[dict]:
        return [{"status": s, "at": iso_ago(m), "by": by} for s, m, by in steps]

    return [
        make_order("n1", 1, "new", created_at=iso_ago(2)),
        make_order("n2", 2, "new", channel="delivery", customer_address="3 rue des Lilas",
                   paid=False, created_at=iso_ago(1)),
        make_order("a1", 3, "accepted", ready_by=iso_ago(-12), created_at=iso_ago(20),
                   history=hist(("new", 20, "customer"), ("accepted", 18, "shop"))),
        make_order("a2", 4, "accepted", ready_by=iso_ago(5), created_at=iso_ago(40),
                   history=hist(("new", 40, "customer"), ("accepted", 38, "shop"))),
        make_order("r1", 5, "ready", ready_by=iso_ago(1), created_at=iso_ago(30),
                   history=hist(("new", 30, "customer"), ("accepted", 29, "shop"),
                                ("ready", 3, "shop"))),
        make_order("c1", 6, "completed", created_at=iso_ago(90),
                   history=hist(("new", 90, "customer"), ("accepted", 88, "shop"),
                                ("ready", 70, "shop"), ("completed", 60, "shop"))),
        make_order("x1", 7, "rejected", reject_reason="timeout", created_at=iso_ago(50),
                   history=hist(("new", 50, "customer"), ("rejected", 40, "marketplace"))),
        make_order("x2", 8, "cancelled", created_at=iso_ago(45),
                   history=hist(("new", 45, "customer"), ("cancelled", 44, "customer"))),
    ]


@pytest.fixture(params=["fr"])
def french_window(request, qtbot, shop_app, qapp):
    install_translator(qapp, request.param)
    shop_app.pull(make_pull(demo_orders(), cursor=3))
    shop_app.last_status = SyncStatus(online=False, pending=3, last_sync_at=iso_ago(4),
                                      last_error=sync_message("sync.offline"))
    from posapp.ui.main_window import MainWindow

    win = MainWindow(shop_app)
    qtbot.addWidget(win)
    win.resize(1366, 768)
    win.show()
    qtbot.waitExposed(win)
    win.on_sync_status(shop_app.last_status)
    win.status.set_printer_status(PrinterStatus(
        PrinterState.OFFLINE, "Device not found (Could not open /dev/usb/lp0: [Errno 111]"
        " Connection refused)", 2))
    yield win
    win.close()
    install_translator(qapp, "fr")


@pytest.mark.parametrize("french_window", ["fr", "en"], indirect=True)
def test_no_foreign_text_on_any_screen(qtbot, qapp, french_window, shop_app, tmp_path):
    win = french_window
    patterns = foreign_patterns(installed_language())
    seen: dict[str, list] = {}

    def check(name: str, root: QWidget) -> None:
        QCoreApplication.processEvents()
        texts = list(visible_texts(root))
        assert texts, name  # the walk really read something
        # English words ("by the customer") are fine in English: look for raw values in French.
        seen[name] = english_on(root, patterns, raw_values=installed_language() == "fr")

    for order_id in ("n1", "n2", "a1", "a2", "r1", "x1"):  # the detail pane in every state
        win.select_order(order_id)
        check(f"board, order {order_id}", win)
    for index in range(win.tabs.count()):
        win.tabs.setCurrentIndex(index)
        page = win.tabs.currentWidget()
        if page is win.history_page:
            for row in range(page.table.rowCount()):
                page.table.selectRow(row)
                check(f"history row {row}", win)
        check(f"tab {win.tabs.tabText(index)}", win)

    from posapp.ui.dialogs import CountDialog, MinutesDialog, RejectDialog

    settings = win.make_settings_dialog()
    dialogs: list[tuple[str, QDialog]] = [
        ("reject", RejectDialog(1, win)), ("minutes", MinutesDialog(1, win)),
        ("count", CountDialog("Croissant", 3, win)), ("settings", settings)]
    for name, dialog in dialogs:
        qtbot.addWidget(dialog)
        dialog.show()
        tabs = dialog.findChild(QTabWidget)
        for index in range(tabs.count() if tabs else 1):
            if tabs:
                tabs.setCurrentIndex(index)
            check(f"dialog {name} {index}", dialog)
        dialog.close()
    csv = tmp_path / "stock.csv"  # a CSV import with good and rejected rows
    csv.write_text("sku;stock;price\nA;7;2,50\nZZZ;4;1\nB;beaucoup;x\n", encoding="utf-8")
    report = win.data_page.import_csv(csv)
    check("dialog import report", report)
    report.close()
    from types import SimpleNamespace

    from posapp.ui.uncertain_jobs import uncertain_box

    job = SimpleNamespace(id=1, order_id="a1", kind="kitchen", document="{}")
    box = uncertain_box([job], lambda _oid: 3, win)
    qtbot.addWidget(box)
    box.show()
    check("question reprint", box)
    box.close()
    for widget in QApplication.topLevelWidgets():  # whatever else is open (banners, boxes)
        if widget.isVisible() and widget is not win:
            check(f"window {type(widget).__name__}", widget)

    english = {name: found for name, found in seen.items() if found}
    assert english == {}


def test_the_walk_catches_english(qtbot, qapp, french_window):
    """The check above would see an English string, and a library's text."""
    french_window.banners.show_banner("Refusing order No. 3 (ConnectError)", "error")
    french_window.banners.show_banner("12:00 — Nouvelle (customer)", "info")
    QCoreApplication.processEvents()
    found = english_on(french_window, english_patterns())
    sources = {source for _kind, _text, source in found}
    assert {"Refusing {o}", "library text", "raw protocol value"} <= sources



def test_file_errors_say_what_to_do_in_french(qapp, tmp_path):
    import errno

    from posapp.ui.core_messages import file_error_text

    install_translator(qapp, "fr")
    try:
        open(tmp_path / "missing" / "x.csv")
    except OSError as exc:
        missing = exc
    assert user_text(missing) == file_error_text(missing)
    assert file_error_text(missing).startswith("le fichier ou le dossier n’existe pas")
    full = OSError(errno.ENOSPC, "No space left on device")
    assert "disque est plein" in file_error_text(full)
    assert "No space" not in file_error_text(full)


def test_status_bar_shows_sync_errors_in_the_window_language(qtbot, qapp):
    from posapp.ui.status_bar import ComptoirStatusBar

    status = SyncStatus(online=False, last_error=sync_message("sync.offline"))
    try:
        install_translator(qapp, "en")
        bar = ComptoirStatusBar()
        qtbot.addWidget(bar)
        bar.set_sync_status(status)
        bar.set_printer_status(PrinterStatus(PrinterState.OFFLINE, "[Errno 111] refused", 1))
        assert bar.error.text().startswith("No connection to the marketplace")
        assert bar.printer.text().startswith("Printer unreachable")
        assert "Errno" not in bar.printer.toolTip()
        install_translator(qapp, "fr")
        bar.set_sync_status(status)
        bar.set_printer_status(PrinterStatus(PrinterState.OFFLINE, "[Errno 111] refused", 1))
        assert bar.error.text().startswith("Pas de connexion à la place de marché")
        assert bar.printer.text().startswith("Imprimante injoignable")
    finally:
        install_translator(qapp, "fr")


def test_a_wrong_pairing_code_says_what_to_do_in_the_window_language(qapp, market, demo_shop):
    """A real marketplace refuses the code: our sentence, not its message or an HTTP status."""
    from sync.client import RequestRefused, pair_device

    with pytest.raises(RequestRefused) as caught:
        pair_device(market.url, "WRONG-CODE", "counter")
    assert caught.value.message.code == "sync.pairing_code"
    try:
        install_translator(qapp, "en")
        assert user_text(caught.value).startswith("Pairing code unknown, expired or already used")
        install_translator(qapp, "fr")
        assert user_text(caught.value).startswith("Code d’appairage inconnu")
        assert "400" not in user_text(caught.value)
    finally:
        install_translator(qapp, "fr")


def test_a_decision_the_order_no_longer_allows_is_explained(window, shop_app):
    """Accepting an order the customer just cancelled: labels, not "« cancelled »"."""
    shop_app.pull(make_pull([make_order("o1", 12, "cancelled")], cursor=2))
    assert window.accept_order("o1", 10) is False
    text = window.banners.texts("error")[0]
    assert text == ("Cette commande est déjà « ANNULÉE » : elle ne peut pas devenir"
                    " « En préparation ». Vérifiez-la sur le tableau.")


def test_a_change_the_protocol_refuses_at_the_counter_is_worded_by_its_code(window, shop_app):
    """The protocol's own check (English, "reason must be …") never reaches the banner."""
    shop_app.pull(make_pull([make_order("o1", 12)], cursor=2))
    assert window.reject_order("o1", reason="no-such-reason") is False
    text = window.banners.texts("error")[0]
    assert text.startswith("Le changement était incomplet : refaites-le")
    assert "reason" not in text
