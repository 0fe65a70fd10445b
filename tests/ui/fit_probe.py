"""Open the main window with hostile content on the current screen and report what does not fit.

Run in its own process (one QApplication per screen size):
    QT_QPA_PLATFORM=offscreen:configfile=screen.json python -m tests.ui.fit_probe [--shots DIR]
or under Xvfb + a window manager with QT_QPA_PLATFORM=xcb. Prints one JSON object:
{"screen": [w, h], "problems": [...], "windows": {...}}; ``problems`` must be empty.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QApplication, QHeaderView, QLabel, QWidget

LONG_NAME = "Anne-Charlotte-Marie-Éléonore de La Rochefoucauld-Montmorency-Saint-Exupéry"
LONG_WORD = "Référencesansespacesquinenfinitpas" * 3
LONG_ERROR = ("Impossible de joindre la place de marché (délai dépassé après 3 tentatives) : "
              "vérifiez la connexion Internet de la boutique. ") * 4
PHONE = "+33 6 01 02 03 04"


def hostile_orders() -> list[dict[str, Any]]:
    from sync.protocol import to_iso
    from tests.ui.conftest import make_order

    lines = [{"sku": f"S{i}", "name": f"Tarte aux pommes caramélisées et crème d'Isigny {LONG_WORD}",
              "qty": 12, "unit_price_cents": 123456,
              "options": ["sans gluten, sans lactose, supplément chantilly maison " * 2]}
             for i in range(30)]
    common = {"customer_name": LONG_NAME, "customer_phone": PHONE, "lines": lines,
              "note": "Sonnez deux fois, le code de la porte est 4B12, troisième étage " * 12,
              "allergens": "arachides, fruits à coque, sésame, moutarde, " * 6,
              "total_cents": 9_999_999_99, "customer_address": LONG_WORD}
    # The marketplace refuses a new order by itself after 10 minutes: "answer within 9:59".
    answer_by = to_iso(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=9, seconds=59))
    orders = [make_order(f"n{i}", i, respond_by=answer_by, **common) for i in range(1, 41)]
    orders += [make_order(f"a{i}", 100 + i, status="accepted", channel="delivery",
                          ready_by="2099-01-01T00:00:00.000Z", **common) for i in range(15)]
    orders += [make_order(f"r{i}", 200 + i, status="ready", ready_by="2099-01-01T00:00:00.000Z",
                          **common) for i in range(15)]
    return orders


def _inside(outer: QRect, inner: QRect) -> bool:
    return outer.contains(inner)


def probe(lang: str, shots: Path | None) -> tuple[list[str], dict[str, Any]]:
    from posapp.ui.i18n import install_translator
    from posapp.ui.main_window import MainWindow
    from posapp.ui.screenshots import grab
    from sync.engine import SyncStatus
    from tests.ui.conftest import PRODUCTS, FakeShopApp, make_pull

    app = QApplication.instance()
    install_translator(app, lang)
    problems: list[str] = []
    data = Path(tempfile.mkdtemp(prefix="fit-probe-"))
    shop = FakeShopApp(data / "data")
    shop.replica.apply_pull(make_pull([], PRODUCTS))
    shop.set_setting("shop_id", "s")
    shop.set_setting("shop_name", LONG_NAME)
    shop.pull(make_pull(hostile_orders(), cursor=2))
    for _ in range(3):
        shop.stock.adjust("A", -1, "counter_sale")  # unsent changes
    window = MainWindow(shop)
    window.show()
    QTest.qWait(900)  # maximise, then the late frame check
    area = window.screen().availableGeometry()
    shop.sync_status.emit(SyncStatus(online=False, pending=3, last_error=LONG_ERROR))
    for i in range(6):
        window.banners.show_banner(f"{i}: " + LONG_ERROR, "refused")
    window.select_order("n1")  # a selected card's border is thicker
    QTest.qWait(200)
    problems += _wrapped_countdowns(window, lang)
    window.select_order("a1")
    QTest.qWait(200)

    def check_window(where: str) -> None:
        QApplication.processEvents()
        frame = window.frameGeometry()
        if not _inside(area, frame):
            problems.append(f"{lang} {where}: window {frame.getRect()} not inside screen "
                            f"{area.getRect()}")

    check_window("orders")
    detail = window.detail
    bar = detail.scroll.horizontalScrollBar()
    if bar.maximum() > 0:
        problems.append(f"{lang}: the detail pane scrolls sideways ({bar.maximum()} px)")
    viewport = detail.scroll.viewport()
    for price in detail.lines.prices:
        detail.scroll.ensureWidgetVisible(price)
        QApplication.processEvents()
        rect = QRect(price.mapTo(viewport, QPoint(0, 0)), price.size())
        if not viewport.rect().contains(rect) or price.width() < price.sizeHint().width():
            problems.append(f"{lang}: price {price.text()!r} cut: {rect.getRect()} in "
                            f"{viewport.rect().getRect()}")
            break
    if "\u00a0" not in detail.subtitle.text() or PHONE in detail.subtitle.text():
        problems.append(f"{lang}: the phone number may wrap: {detail.subtitle.text()!r}")
    for name in ("accept", "ready", "handover"):
        button = getattr(detail, f"{name}_button", None)
        if button is not None and button.isVisible() and not _fully_shown(button, window):
            problems.append(f"{lang}: {name} button not fully on screen")
    if not _fully_shown(detail.ready_button, window):
        problems.append(f"{lang}: the Ready button is not fully shown")
    status = window.status
    for label in (status.online, status.pending, status.error, status.printer,
                  status.printer_file):
        if label.isVisible() and not _fully_shown(label, window):
            problems.append(f"{lang}: status label {label.objectName()} {label.text()!r} cut off")
    if not status.error.is_elided() or status.error.toolTip() != LONG_ERROR:
        problems.append(f"{lang}: the long error is not elided with a tooltip")
    if "3" not in status.pending.text():
        problems.append(f"{lang}: unsent count wrong: {status.pending.text()!r}")
    card = window.board.card("n1")
    if card is None or not card.customer.is_elided() or card.customer.toolTip() != LONG_NAME:
        problems.append(f"{lang}: a long customer name on a card is not elided with a tooltip")
    if card is not None:
        from posapp.ui import fmt

        total = fmt.euros(card.order["total_cents"])
        if not card.summary.shown_text().startswith(total):
            problems.append(f"{lang}: a card's total is cut: {card.summary.shown_text()!r}")
    if not window.shop_label.is_elided() and window.shop_label.width() < window.shop_label.sizeHint().width():
        problems.append(f"{lang}: the shop name is cut without an ellipsis")
    if shots is not None:
        grab(window, shots / f"fit-{lang}-orders.png")
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
        check_window(f"tab {window.tabs.tabText(index)}")
        problems += _squashed_texts(window.tabs.currentWidget(),
                                    f"{lang} tab {window.tabs.tabText(index)}")
        problems += _cut_headers(window.tabs.currentWidget(),
                                 f"{lang} tab {window.tabs.tabText(index)}")
        if shots is not None:
            grab(window, shots / f"fit-{lang}-tab{index}.png")
    window.tabs.setCurrentIndex(0)
    settings = window.make_settings_dialog()
    settings.show()
    QTest.qWait(300)
    for index in range(settings.tabs.count()):
        settings.tabs.setCurrentIndex(index)
        QApplication.processEvents()
        frame = settings.frameGeometry()
        for _ in range(40):  # the window manager may still be placing it: 2 s at most
            if _inside(area, frame):
                break
            QTest.qWait(50)
            frame = settings.frameGeometry()
        if not _inside(area, frame):
            problems.append(f"{lang}: settings tab {index} at {frame.getRect()}, not inside the"
                            f" screen {area.getRect()} (title bar out of reach?)")
        if frame.width() > area.width() or frame.height() > area.height():
            problems.append(f"{lang}: settings tab {index} is {frame.width()}×{frame.height()},"
                            f" the screen {area.width()}×{area.height()}")
    settings.close()
    sizes = {"frame": list(window.frameGeometry().getRect()),
             "minimum": [window.minimumSizeHint().width(), window.minimumSizeHint().height()]}
    window.close()
    shop.store.close()
    return problems, sizes


def probe_first_run(lang: str, shots: Path | None) -> list[str]:
    """A counter not paired yet: the panel saying how to pair is whole, its button on screen."""
    from posapp.ui.i18n import install_translator
    from posapp.ui.main_window import MainWindow
    from posapp.ui.screenshots import grab
    from tests.ui.conftest import FakeShopApp

    install_translator(QApplication.instance(), lang)
    shop = FakeShopApp(Path(tempfile.mkdtemp(prefix="fit-probe-")) / "data")
    window = MainWindow(shop)
    window.show()
    QTest.qWait(900)
    panel = window.orders_page.first_run
    problems = []
    if not panel.isVisible():
        problems.append(f"{lang} first run: no pairing panel")
    problems += _squashed_texts(panel, f"{lang} first run")
    if not _fully_shown(panel.pair_button, window):
        problems.append(f"{lang} first run: the pairing button is not fully shown")
    if shots is not None:
        grab(window, shots / f"fit-{lang}-first-run.png")
    window.close()
    shop.store.close()
    return problems


def _wrapped_countdowns(window: Any, lang: str) -> list[str]:
    """A new order's card says how long is left to answer on one line, not two."""
    found = []
    for card in window.board.columns["new"].cards[:4]:
        label = card.countdown
        for line in label.text().split("\n"):
            if label.fontMetrics().horizontalAdvance(line) > label.width():
                found.append(f"{lang}: card No. {card.order['number']}: {line!r} wraps in"
                             f" {label.width()} px")
    return found


def _squashed_texts(page: QWidget, where: str) -> list[str]:
    """Labels given less height than one line of their text: a short screen squeezed the
    page below its minimum and the figures are cut through (the day report's tiles were)."""
    QApplication.processEvents()
    found = []
    for label in page.findChildren(QLabel):
        if not label.isVisibleTo(page) or not label.text():
            continue
        # A wrapped text needs its lines' height ("Aucun produit choisi" on two lines).
        need = (label.heightForWidth(label.width()) if label.wordWrap()
                else label.fontMetrics().height())
        if label.height() < need:
            found.append(f"{where}: {label.objectName() or 'label'} {label.text()!r} is "
                         f"{label.height()} px high, its text {need}")
    for button in page.findChildren(QAbstractButton):  # squeezed onto each other
        if button.isVisibleTo(page) and button.height() < button.minimumSizeHint().height():
            found.append(f"{where}: button {button.text()!r} is {button.height()} px high,"
                         f" its minimum {button.minimumSizeHint().height()}")
    return found[:5]


def _cut_headers(page: QWidget, where: str) -> list[str]:
    """Column titles narrower than their text (the day report's "Best sellers" was cut)."""
    found = []
    for header in page.findChildren(QHeaderView):
        if header.orientation() != Qt.Orientation.Horizontal or not header.isVisibleTo(page):
            continue
        for section in range(header.count()):
            if header.isSectionHidden(section):
                continue
            if header.sectionSize(section) < header.sectionSizeHint(section):
                title = header.model().headerData(section, Qt.Orientation.Horizontal)
                found.append(f"{where}: column title {title!r} is {header.sectionSize(section)}"
                             f" px wide, its text {header.sectionSizeHint(section)}")
    return found


def _fully_shown(widget: QWidget, window: QWidget) -> bool:
    """The widget is on screen whole: inside the window and inside each ancestor's rect."""
    rect = QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())
    if not window.rect().contains(rect):
        return False
    if isinstance(widget, QLabel) and not widget.wordWrap():
        shown = getattr(widget, "shown_text", widget.text)()
        return widget.fontMetrics().horizontalAdvance(shown) <= widget.width()
    return widget.width() >= widget.minimumSizeHint().width()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shots", type=Path)
    parser.add_argument("--lang", action="append")
    args = parser.parse_args()
    app = QApplication(sys.argv[:1])
    if args.shots:
        args.shots.mkdir(parents=True, exist_ok=True)
    screen = app.primaryScreen().availableGeometry()
    report: dict[str, Any] = {"screen": [screen.width(), screen.height()], "problems": [],
                              "windows": {}}
    for lang in args.lang or ["fr", "en"]:
        problems, sizes = probe(lang, args.shots)
        report["problems"] += problems + probe_first_run(lang, args.shots)
        report["windows"][lang] = sizes
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
