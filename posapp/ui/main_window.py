"""The counter's main window: order board, stock, history, and the alerts around them.

Everything it shows comes from the services (read on the GUI thread, SQLite is
local and fast) and is refreshed when ShopApp signals a change; the 1-s timer
only repaints countdowns. Decisions go to the services, then
``shop_app.after_local_change()`` pushes them and refreshes every view.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QGuiApplication, QIcon, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QSystemTrayIcon,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from posapp.domain.orders import InvalidAction
from posapp.domain.shop import ShopService
from posapp.ui import fmt
from posapp.ui.alert_band import AlertBand, SoundWarning
from posapp.ui.alerts import DEFAULT_SOUND, OrderAlert
from posapp.ui.banners import BannerArea
from posapp.ui.capped_scroll import CappedScroll, fit_dialog_to_screen, scroll_tab_pages
from posapp.ui.core_messages import core_text, lasting, refusal_text, user_text
from posapp.ui.dialogs import ConfirmDialog, MinutesDialog, RejectDialog
from posapp.ui.elided import ElidedLabel
from posapp.ui.i18n import install_translator, installed_language, tr, trn
from posapp.ui.lost_orders import LostOrders
from posapp.ui.order_detail import ACCEPT_PRESETS
from posapp.ui.orders_page import OrdersPage
from posapp.ui.paths import resource
from posapp.ui.pause_dialog import PauseDialog
from posapp.ui.quit_dialog import QuitChoice, QuitDialog, confirm_quit, needs_question
from posapp.ui.status_bar import ComptoirStatusBar, printer_problem_text
from posapp.ui.uncertain_jobs import ask_reprint
from sync.protocol import to_iso

if TYPE_CHECKING:  # built on first use (lazy tabs): their modules load then, not at start-up
    from posapp.ui.data_page import DataPage
    from posapp.ui.history_page import HistoryPage
    from posapp.ui.report_page import ReportPage
    from posapp.ui.settings_dialog import SettingsDialog
    from posapp.ui.stock_page import StockPage

__all__ = ["MainWindow", "load_stylesheet"]

_NO_CHOICE = object()  # the pause question was dismissed

log = logging.getLogger(__name__)


def load_stylesheet() -> str:
    path = resource("styles", "comptoir.qss")
    if not path.exists():
        return ""
    # Images in the style sheet (spin box arrows) are found wherever the app is installed.
    return path.read_text(encoding="utf-8").replace("@ICONS@", resource("icons").as_posix())


def describe_mutation(name: str, args: dict[str, Any], number: int | None) -> str:
    order = tr("order No. {n}").format(n=number if number is not None else args.get("order_id"))
    return {
        "order.accept": tr("Accepting {o}"),
        "order.reject": tr("Refusing {o}"),
        "order.ready": tr("Marking {o} ready"),
        "order.collected": tr("Handing over {o}"),
        "stock.adjust": tr("Stock change of {sku} ({d:+d})"),
        "product.set_available": tr("Availability of {sku}"),
        "shop.pause": tr("Pausing / resuming orders"),
    }.get(name, name).format(o=order, sku=args.get("sku", ""), d=int(args.get("delta") or 0))


class MainWindow(QMainWindow):
    def __init__(self, shop_app: Any, parent: QWidget | None = None):
        super().__init__(parent)
        app = QApplication.instance()
        if isinstance(app, QApplication) and installed_language() is None:
            install_translator(app, shop_app.setting("language", "fr") or "fr")
        self.shop_app = shop_app
        self.orders = shop_app.orders
        self.shop_service = ShopService(shop_app.store)
        self._quitting = False  # the quit question or the pause it sends is under way
        self._quit_agreed = False  # answered at the session's end (logout): not asked again
        gui = QGuiApplication.instance()
        if isinstance(gui, QGuiApplication):
            gui.commitDataRequest.connect(self.on_session_end)
        self.setWindowTitle("Comptoir")
        self.setWindowIcon(QIcon(str(resource("icons", "comptoir.svg"))))
        self.setStyleSheet(load_stylesheet())
        self.fit_to_screen()

        self.alert = OrderAlert(self, sound=shop_app.setting("alert_sound", DEFAULT_SOUND)
                                or DEFAULT_SOUND, volume=self._volume_setting())
        self.alert_band = AlertBand(self.alert)
        self.ack_button = self.alert_band.ack_button
        self.ack_button.clicked.connect(self.acknowledge_all)
        self.sound_warning = SoundWarning(self.alert)
        self.banners = BannerArea()
        self.orders_page = OrdersPage()
        self.board = self.orders_page.board
        self.detail = self.orders_page.detail
        self.orders_page.first_run.pair_requested.connect(self.open_pairing)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("mainTabs")
        self.tabs.addTab(self.orders_page, tr("Orders"))
        self._add_more_tabs()
        self._apply_shop_zone()

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(12, 8, 12, 4)
        layout.setSpacing(8)
        layout.addWidget(self._build_header())
        layout.addWidget(self.alert_band)
        layout.addWidget(self.sound_warning)
        # Six long banners must not push the board off a 720-px screen: they scroll.
        self.banner_scroll = CappedScroll(self.banners, max_fraction=0.16, min_height=72)
        layout.addWidget(self.banner_scroll)
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        self.status = ComptoirStatusBar()
        self.setStatusBar(self.status)
        self.status.set_printer_file(getattr(shop_app.printing, "printer_file", None))
        engine = getattr(shop_app, "engine", None)
        self.status.set_sync_status(engine.status if engine is not None else shop_app.last_status)
        self.status.set_paired(self._paired())
        self.status.watch(shop_app.store)
        self._printer_banner: Any = None

        self.tray = self._build_tray()
        self.alert.resumed.connect(self._remind)
        self._build_shortcuts()
        self.tick = QTimer(self)
        self.tick.setInterval(1000)
        self.tick.timeout.connect(self._on_tick)
        self.tick.start()

        self.board.order_clicked.connect(self.select_order)
        self.detail.accept_requested.connect(self.accept_order)
        self.detail.custom_accept_requested.connect(self.accept_custom)
        self.detail.reject_requested.connect(self.reject_order)
        self.detail.ready_requested.connect(self.mark_ready)
        self.detail.handover_requested.connect(self.hand_over)
        self.tabs.currentChanged.connect(self._update_shortcuts)

        shop_app.orders_changed.connect(self.refresh_orders)
        shop_app.new_orders.connect(self.on_new_orders)
        shop_app.orders_cancelled.connect(self.on_orders_cancelled)
        shop_app.orders_timed_out.connect(self.on_orders_timed_out)
        shop_app.sync_status.connect(self.on_sync_status)
        shop_app.refused.connect(self.on_refused)
        shop_app.printer_status.connect(self.on_printer_status)
        shop_app.message.connect(self.tell)
        for told in getattr(shop_app, "startup_messages", []):
            self.tell(told)
        shop_app.stock_changed.connect(self.refresh_stock)

        self.lost_orders = LostOrders(self.orders, self.banners)
        self.lost_orders.refresh()
        self.refresh_orders()
        self.refresh_stock()
        self._show_refusals(self.orders.refused_unseen())
        # Once the window is up (first loop turn): a modal question needs a window behind it.
        QTimer.singleShot(0, self, self.check_uncertain_jobs)

    # -- size ---------------------------------------------------------------------------
    def fit_to_screen(self) -> None:
        """Take the screen's free area (taskbar excluded), never more: 1280×720 to 1920×1080."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        if screen is None:
            self.resize(1280, 720)
            return
        area = screen.availableGeometry()
        self.resize(area.size())  # the frame is not known before the first show: see showEvent
        self.move(area.topLeft())
        # Maximised, the window manager fits the frame too; without one, the size above holds.
        self.setWindowState(self.windowState() | Qt.WindowState.WindowMaximized)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt API)
        super().showEvent(event)
        if not getattr(self, "_fitted", False):
            self._fitted = True
            self._shown_size = self.size()
            QTimer.singleShot(500, self, self._fit_frame)  # the frame comes late

    def _fit_frame(self) -> None:
        """Once the window manager has framed the window, take the title bar off its size."""
        screen = self.screen()
        if (screen is None or self.isMaximized() or self.isFullScreen()
                or self.size() != self._shown_size):  # maximised, or sized on purpose since
            return
        area = screen.availableGeometry()
        frame = self.frameGeometry()
        extra = QSize(frame.width() - self.width(), frame.height() - self.height())
        if frame.width() > area.width() or frame.height() > area.height():
            self.resize(min(self.width(), area.width() - extra.width()),
                        min(self.height(), area.height() - extra.height()))
            self.move(area.topLeft())

    def tell(self, message: object) -> None:
        """A message of the core: translated by its code; one that asks for action stays."""
        if lasting(message):
            self.banners.show_banner(core_text(message), "error")
        else:
            self.banners.show_banner(core_text(message), "info", 15000)

    # -- building ---------------------------------------------------------------------
    def _build_header(self) -> QWidget:
        header = QWidget()
        header.setObjectName("header")
        row = QHBoxLayout(header)
        row.setContentsMargins(4, 0, 4, 0)
        self.shop_label = ElidedLabel(self._shop_name())
        self.shop_label.setObjectName("shopName")
        row.addWidget(self.shop_label)
        self.clock = QLabel("")
        self.clock.setObjectName("clock")
        row.addWidget(self.clock)
        row.addStretch(1)
        self.pause_button = QPushButton("")
        self.pause_button.setObjectName("pauseButton")
        self.pause_button.setMinimumHeight(48)
        self.pause_button.clicked.connect(self.toggle_pause)
        row.addWidget(self.pause_button)
        self.settings_button = QPushButton(tr("Settings"))
        self.settings_button.setObjectName("settingsButton")
        self.settings_button.setMinimumHeight(48)
        self.settings_button.clicked.connect(self.open_settings)
        row.addWidget(self.settings_button)
        self._update_pause_button()
        return header

    def _add_more_tabs(self) -> None:
        """Tabs other than the board start as empty placeholders (faster start-up): the
        page is built, and swapped in, when first shown or used (``_page``)."""
        self._builders: dict[str, Callable[[], QWidget]] = {
            "stock": self._build_stock_page, "history": self._build_history_page,
            "report": self._build_report_page, "data": self._build_data_page,
        }
        self._pages: dict[str, QWidget] = {}
        self._placeholders: dict[str, QWidget] = {}
        titles = {"stock": tr("Stock"), "history": tr("History"), "report": tr("Day report"),
                  "data": tr("Data")}
        for key, title in titles.items():
            self._placeholders[key] = QWidget()
            self.tabs.addTab(self._placeholders[key], title)

    def _page(self, key: str) -> QWidget:
        page = self._pages.get(key)
        if page is None:
            page = self._pages[key] = self._builders[key]()
            # A page never sets the window's minimum size: whatever it holds (a huge
            # figure, a long path) is cut inside it rather than pushing the window off screen.
            page.setMinimumSize(320, 200)
            placeholder = self._placeholders.pop(key)
            index = self.tabs.indexOf(placeholder)
            was_current = self.tabs.currentIndex() == index
            blocked = self.tabs.blockSignals(True)  # the swap is no change of tab
            self.tabs.insertTab(index, page, self.tabs.tabText(index))
            self.tabs.removeTab(index + 1)
            if was_current:
                self.tabs.setCurrentIndex(index)
            self.tabs.blockSignals(blocked)
            placeholder.deleteLater()
        return page

    def _current_tab(self, key: str) -> bool:
        current = self.tabs.currentWidget()
        return current is not None and current in (self._pages.get(key),
                                                   self._placeholders.get(key))

    def _build_stock_page(self) -> QWidget:
        from posapp.ui.stock_page import StockPage

        page = StockPage(self.shop_app.stock)
        page.changed.connect(self.shop_app.after_local_change)
        page.failed.connect(lambda text: self.banners.show_banner(text, "error", 20000))
        return page

    def _build_history_page(self) -> QWidget:
        from posapp.ui.history_page import HistoryPage

        page = HistoryPage(self.orders)
        page.reprint_requested.connect(self.reprint)
        return page

    def _build_report_page(self) -> QWidget:
        from posapp.ui.report_page import ReportPage

        return ReportPage(self.shop_app, tz=self.shop_service.zone())

    def _build_data_page(self) -> QWidget:
        from posapp.ui.data_page import DataPage

        page = DataPage(self.shop_app)
        page.imported.connect(lambda _result: self.refresh_stock())
        page.restored.connect(lambda *_: (self.refresh_orders(), self.refresh_stock()))
        return page

    @property
    def stock_page(self) -> StockPage:
        return self._page("stock")  # type: ignore[return-value]

    @property
    def history_page(self) -> HistoryPage:
        return self._page("history")  # type: ignore[return-value]

    @property
    def report_page(self) -> ReportPage:
        return self._page("report")  # type: ignore[return-value]

    @property
    def data_page(self) -> DataPage:
        return self._page("data")  # type: ignore[return-value]

    def _build_tray(self) -> QSystemTrayIcon | None:
        if not QSystemTrayIcon.isSystemTrayAvailable():
            return None
        tray = QSystemTrayIcon(self.windowIcon(), self)
        tray.activated.connect(lambda _reason: self._bring_to_front())
        tray.show()
        return tray

    def _build_shortcuts(self) -> None:
        def key(seq: str, slot: Callable[[], None]) -> QShortcut:
            shortcut = QShortcut(QKeySequence(seq), self)
            shortcut.activated.connect(slot)
            return shortcut

        def selected(action: Callable[[str], Any]) -> Callable[[], None]:
            return lambda: self.detail.order and action(self.detail.order["id"])

        self.order_shortcuts = [
            key(str(i + 1), selected(lambda oid, m=m: self.accept_order(oid, m)))
            for i, m in enumerate(ACCEPT_PRESETS)
        ] + [
            key("T", selected(self.accept_custom)),
            key("R", selected(self.reject_order)),
            key("P", selected(self.mark_ready)),
            key("C", selected(self.hand_over)),
            key("V", self.acknowledge_all),
            key("Down", lambda: self._move_selection(1)),
            key("Up", lambda: self._move_selection(-1)),
        ]
        self._update_shortcuts()

    def _update_shortcuts(self) -> None:
        # Single-letter keys only make sense on the board (other tabs have text fields).
        on_board = self.tabs.currentWidget() is self.orders_page
        for key, placeholder in list(self._placeholders.items()):
            if self.tabs.currentWidget() is placeholder:
                self._page(key)  # first visit: build it now
        if self._current_tab("history"):
            self.history_page.reload()
        if self._current_tab("stock"):
            self.stock_page.search.setFocus()  # ready for the scanner
        for shortcut in self.order_shortcuts:
            shortcut.setEnabled(on_board)

    # -- state ----------------------------------------------------------------------------
    def _shop_name(self) -> str:
        shop = self.shop_app.shop or {}
        return shop.get("name") or self.shop_app.setting("shop_name") or "Comptoir"

    def _paired(self) -> bool:
        return bool(self.shop_app.setting("shop_id"))

    def _volume_setting(self) -> float:
        try:
            return int(self.shop_app.setting("alert_volume", "80") or 80) / 100
        except ValueError:
            return 0.8

    def board_count(self) -> int:
        return self.board.count()

    def refresh_orders(self) -> None:
        board = self.orders.board()
        self.board.set_board(board)
        if self._current_tab("history"):
            self.history_page.reload()
        if self.board.selected_id is not None:
            self.detail.show_order(self.orders.get(self.board.selected_id))
        self.shop_label.setText(self._shop_name())
        paired = self._paired()
        self.status.set_paired(paired)
        # Unpaired: no order can come, no shop to pause; the page says how to pair instead.
        self.orders_page.set_paired(paired)
        self.pause_button.setVisible(paired)
        self.status.refresh_counts()
        self._apply_shop_zone()  # a pull may bring the marketplace's suggested zone
        self._update_pause_button()
        self._update_alert(board["new"])

    def refresh_stock(self) -> None:
        if "stock" in self._pages:  # an unbuilt page reads the stock when built
            self.stock_page.refresh()
        self.status.refresh_counts()  # the outbox changed even if the page is not built

    def _update_alert(self, new_orders: list[dict[str, Any]]) -> None:
        # Rings while any order is new, answered or not seen (see AlertBand / OrderAlert).
        self.alert_band.set_waiting(new_orders)
        if self.tray is not None:
            self.tray.setToolTip(self.alert_band.text.text() if new_orders else "Comptoir")

    def _update_pause_button(self) -> None:
        paused = self.shop_service.paused()
        until = self.shop_service.paused_until() if paused else None
        self.pause_button.setProperty("paused", paused)
        self.pause_button.setText(
            tr("Orders PAUSED until {t} — resume").format(t=fmt.local_time_or_date(to_iso(until)))
            if until else tr("Orders PAUSED — resume") if paused else tr("Taking orders — pause"))
        self.pause_button.style().unpolish(self.pause_button)
        self.pause_button.style().polish(self.pause_button)

    def _apply_shop_zone(self) -> None:
        """One clock: the screen and the day report use the zone tickets are printed in."""
        zone = self.shop_service.zone()  # the zone itself: one read from a file has no name
        fmt.set_zone(zone)
        report = self._pages.get("report")  # built on first use, with the zone then
        if report is not None:
            report.tz = zone  # type: ignore[attr-defined]

    def _on_tick(self) -> None:
        self.alert_band.refresh()
        self.board.refresh_times()
        self.detail.refresh_times()
        self._update_pause_button()  # a timed pause ends by itself
        self.clock.setText(dt.datetime.now(fmt.zone()).strftime("%H:%M"))

    # -- selection & acknowledgement ----------------------------------------------------------
    def select_order(self, order_id: str) -> None:
        self.board.select(order_id)
        order = self.orders.get(order_id)
        self.detail.show_order(order)
        if order is not None and not order.get("acknowledged_at"):
            self.orders.acknowledge(order_id)  # touching the order means someone saw it
            self.refresh_orders()

    def _move_selection(self, step: int) -> None:
        cards = self.board.cards()
        if not cards:
            return
        ids = [c.order_id for c in cards]
        current = ids.index(self.board.selected_id) if self.board.selected_id in ids else -1
        self.select_order(ids[max(0, min(len(ids) - 1, current + step))])

    def acknowledge_all(self) -> None:
        """"OK, seen": quiet for a minute at most; the band stays until every order has
        an answer."""
        self.orders.acknowledge_all()
        self.alert.snooze()
        self.refresh_orders()

    # -- decisions ----------------------------------------------------------------------------
    def _decide(self, action: Callable[[], Any]) -> bool:
        """Run a decision; a refusal becomes a banner, never a crash."""
        try:
            action()
        except (InvalidAction, ValueError) as exc:
            text = user_text(exc)
            self.banners.show_banner(text[:1].upper() + text[1:], "error", 20000)
            return False
        self.shop_app.after_local_change()
        return True

    def _number(self, order_id: str) -> int | None:
        order = self.orders.get(order_id)
        return order["number"] if order else None

    def accept_order(self, order_id: str, minutes: int) -> bool:
        return self._decide(lambda: self.orders.accept(order_id, ready_in_minutes=minutes))

    def accept_custom(self, order_id: str) -> bool:
        minutes = self.ask_minutes(order_id)
        return minutes is not None and self.accept_order(order_id, minutes)

    def ask_minutes(self, order_id: str) -> int | None:
        dialog = MinutesDialog(self._number(order_id) or 0, self)
        return dialog.value() if dialog.exec() == QDialog.DialogCode.Accepted else None

    def reject_order(self, order_id: str, reason: str | None = None,
                     missing: list[str] | None = None) -> bool:
        """Refuse (after the dialog's confirming tap); products ticked as missing go sold out."""
        if reason is None:
            answer = self.ask_reject_reason(order_id)
            if answer is None:
                return False
            reason, missing = answer if isinstance(answer, tuple) else (answer, [])
        if not self._decide(lambda: self.orders.reject(order_id, reason)):
            return False
        if missing:
            stock = self.shop_app.stock
            self._decide(lambda: [stock.set_available(sku, False) for sku in missing])
            self.refresh_stock()
        return True

    def ask_reject_reason(self, order_id: str) -> tuple[str, list[str]] | None:
        """(reason, skus ticked as missing), or None when the shopkeeper went back."""
        order = self.orders.get(order_id) or {}
        # Only products of this shop's catalogue can be marked sold out.
        lines = [line for line in order.get("lines") or []
                 if line.get("sku") and self.shop_app.stock.product(line["sku"]) is not None]
        dialog = RejectDialog(self._number(order_id) or 0, self, lines=lines)
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.reason is None:
            return None
        return dialog.reason, dialog.missing_skus()

    def mark_ready(self, order_id: str) -> bool:
        return self._decide(lambda: self.orders.mark_ready(order_id))

    def hand_over(self, order_id: str) -> bool:
        """Hand over; an order not marked ready takes one confirming tap (it cannot be undone)."""
        order = self.orders.get(order_id)
        if order is not None and order["status"] != "ready":
            question = (tr("Order No. {n} has not been accepted yet. Hand it over anyway?")
                        if order["status"] == "new" else
                        tr("Order No. {n} is not marked ready. Hand it over anyway?"))
            if not self.confirm(tr("Hand over order No. {n}").format(n=order["number"]),
                                question.format(n=order["number"]), tr("Yes, hand it over")):
                return False
        return self._decide(lambda: self.orders.mark_collected(order_id))

    def confirm(self, title: str, text: str, yes: str) -> bool:
        """The one extra tap before something irreversible (tests replace it)."""
        dialog = ConfirmDialog(title, text, yes, self)
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        dialog.deleteLater()
        return accepted

    def toggle_pause(self) -> bool:
        if self.shop_service.paused():
            return self._decide(lambda: self.shop_service.set_paused(False))
        choice = self.ask_pause_duration()
        return choice is not _NO_CHOICE and self._decide(
            lambda: self.shop_service.pause_for(choice))

    def ask_pause_duration(self) -> Any:
        """Minutes, "tomorrow", None (until resumed) or _NO_CHOICE (tests replace it)."""
        dialog = PauseDialog(self.shop_service.opening(), self,
                             opening_today=self.shop_service.next_opening_is_today())
        return dialog.choice if dialog.exec() == QDialog.DialogCode.Accepted else _NO_CHOICE

    def reprint(self, order_id: str) -> bool:
        printing = self.shop_app.printing
        if printing is None or not hasattr(printing, "reprint"):
            self.banners.show_banner(tr("Reprinting is not available yet."), "error", 10000)
            return False
        try:
            printing.reprint(order_id)
        except Exception as exc:  # a printer problem must never close the app
            log.exception("reprint failed")
            self.banners.show_banner(tr("Reprint failed: {e}").format(e=user_text(exc)), "error", 20000)
            return False
        self.banners.show_banner(
            tr("Ticket of order No. {n} sent to the printer.").format(n=self._number(order_id)),
            "info", 8000)
        return True

    def check_uncertain_jobs(self) -> int:
        """Tickets a crash may have cut: ask, per ticket, whether to print them again."""
        queue = getattr(self.shop_app.printing, "queue", None)
        if queue is None:
            return 0
        answered = 0
        try:
            for job in queue.uncertain_jobs():
                reprint = self.ask_reprint_uncertain([job])
                if reprint is not None:
                    queue.resolve_uncertain(job.id, reprint)
                    answered += 1
        except Exception as exc:  # a journal problem must not stop the counter
            log.exception("uncertain print jobs")
            self.banners.show_banner(
                tr("Interrupted tickets could not be checked: {e}").format(e=user_text(exc)), "error", 20000)
        return answered

    def ask_reprint_uncertain(self, jobs: list[Any]) -> bool | None:
        """True: print again; False: it came out; None: ask again next start (tests replace it)."""
        return ask_reprint(jobs, self._number, self)

    def make_settings_dialog(self) -> SettingsDialog:
        from posapp.ui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.shop_app, self)
        # The size it would open at if its pages did not scroll: as narrow as it can be, as
        # tall as it likes (capped to the screen below).
        natural = QSize(dialog.minimumSizeHint().width(),
                        max(dialog.sizeHint().height(), dialog.minimumSizeHint().height()))
        scroll_tab_pages(dialog.tabs)  # touch-sized rows: the form scrolls on a 720-px screen
        fit_dialog_to_screen(dialog, natural)
        dialog.sound_changed.connect(self._apply_sound)
        dialog.paired.connect(lambda _answer: self.refresh_orders())
        dialog.printer_saved.connect(lambda _config: self.status.set_printer_file(
            getattr(self.shop_app.printing, "printer_file", None)))
        return dialog

    def open_settings(self) -> None:
        self._run_settings(pairing=False)

    def open_pairing(self) -> None:
        """The first-run panel's button: Settings opened on the pairing box."""
        self._run_settings(pairing=True)

    def _run_settings(self, pairing: bool) -> None:
        dialog = self.make_settings_dialog()
        if pairing:
            dialog.show_pairing()
        dialog.exec()
        dialog.deleteLater()
        self.refresh_orders()  # the shop's time zone may have changed

    def _apply_sound(self, name: str, volume: float) -> None:
        self.alert.set_sound(name)
        self.alert.set_volume(volume)

    # -- core events ----------------------------------------------------------------------------
    def on_printer_status(self, status: Any) -> None:
        """Status bar always; a fault also as a banner saying what to do, gone once fixed."""
        self.status.set_printer_status(status)
        state = getattr(status, "state", None)
        problem = state is not None and not getattr(state, "is_ready", True)
        if self._printer_banner is not None:
            self._printer_banner.dismiss()  # its dismissed signal clears the reference
        if problem:
            banner = self.banners.show_banner(printer_problem_text(status), "error")
            banner.dismissed.connect(lambda b=banner: self._forget_printer_banner(b))
            self._printer_banner = banner

    def _forget_printer_banner(self, banner: Any) -> None:
        if self._printer_banner is banner:
            self._printer_banner = None

    def on_new_orders(self, orders: list[dict[str, Any]]) -> None:
        self.refresh_orders()
        # First seen is not waiting: one handled or lost while offline calls nobody.
        orders = [o for o in orders if o.get("status") == "new"]
        if not orders:
            return
        self.alert.wake()
        self._bring_to_front()
        if self.tray is not None:
            numbers = ", ".join(tr("No. {n}").format(n=o.get("number")) for o in orders)
            self.tray.showMessage(trn("%n new order(s)", len(orders)), numbers,
                                  QSystemTrayIcon.MessageIcon.Information, 10000)

    def on_orders_cancelled(self, orders: list[dict[str, Any]]) -> None:
        self._announce_lost(orders)

    def on_orders_timed_out(self, orders: list[dict[str, Any]]) -> None:
        self._announce_lost(orders)

    def _announce_lost(self, orders: list[dict[str, Any]]) -> None:
        """Orders gone without the shop's answer: heard, seen until OK, and in the tray.
        The pull recorded them already (``lost_orders`` table): the banner reads it."""
        self.lost_orders.refresh()
        self.refresh_orders()
        if not orders:
            return
        self.alert.announce_withdrawn()
        self._bring_to_front()
        if self.tray is not None:
            numbers = ", ".join(tr("No. {n}").format(n=o.get("number")) for o in orders)
            self.tray.showMessage(tr("Order lost"), numbers,
                                  QSystemTrayIcon.MessageIcon.Warning, 0)

    def _remind(self) -> None:
        """The alert rings again by itself: the window comes forward, the tray says why."""
        self._bring_to_front()
        if self.tray is not None:
            self.tray.showMessage(tr("Orders waiting"), self.alert_band.text.text(),
                                  QSystemTrayIcon.MessageIcon.Warning, 10000)

    def on_sync_status(self, status: Any) -> None:
        was_paired = not getattr(self, "_last_auth_required", True)
        self._last_auth_required = status.auth_required
        self.status.set_sync_status(status)
        if status.auth_required and was_paired:
            # The marketplace revoked this counter: say so where nobody can miss it.
            self.banners.show_banner(
                tr("The marketplace no longer recognises this counter: pair it again in"
                   " Settings. Nothing typed here is lost; it will be sent once paired."),
                "refused",
            )

    def on_refused(self, refused: list[dict[str, Any]]) -> None:
        self._show_refusals(refused)
        self.refresh_orders()
        self.refresh_stock()

    def _show_refusals(self, refused: list[dict[str, Any]]) -> None:
        for item in refused:
            args = item.get("args") or {}
            if isinstance(args, str):  # rows from refused_mutations keep args as JSON text
                args = json.loads(args)
            number = self._number(args["order_id"]) if args.get("order_id") else None
            text = tr("The marketplace refused: {what} — {why}").format(
                what=describe_mutation(item.get("name", ""), args, number),
                why=refusal_text(item.get("code"), item.get("message")))
            banner = self.banners.show_banner(text, "refused")
            banner.dismissed.connect(self.orders.mark_refusals_seen)

    def _bring_to_front(self) -> None:
        if self.isMinimized():
            self.showNormal()
        self.raise_()
        self.activateWindow()
        QApplication.alert(self)  # taskbar flash where the platform supports it

    def ask_quit_choice(self) -> QuitChoice:
        """What to do with the online shop before quitting (tests replace it)."""
        return QuitDialog(self).ask()

    def on_session_end(self, manager: Any) -> None:
        """Logout or shutdown (QSessionManager): the quit question, when the session manager
        lets us ask; cancelling the logout is how "stay" is said then."""
        if self._quitting or self._quit_agreed or not needs_question(self.shop_app,
                                                                     self.shop_service):
            return
        if not manager.allowsInteraction():
            log.warning("the session ends without leave to ask: the shop stays open online"
                        " until the marketplace sees no counter connected")
            return
        self._quitting = True
        try:
            leave = confirm_quit(self.shop_app, self.shop_service, self.ask_quit_choice, self)
        finally:
            self._quitting = False
            manager.release()
        if leave:
            self._quit_agreed = True
        else:
            manager.cancel()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt API)
        # Asked when the shopkeeper closes the window (not when the app closes it).
        if event.spontaneous() and not self._quit_agreed:
            if self._quitting:  # Alt+F4 again while the question or the pause waits
                event.ignore()
                return
            self._quitting = True
            try:
                leave = confirm_quit(self.shop_app, self.shop_service, self.ask_quit_choice,
                                     self)
            finally:
                self._quitting = False
            if not leave:
                event.ignore()
                return
        self.tick.stop()
        self.status.stop()
        self.alert.update(0)
        if self.tray is not None:
            self.tray.hide()
        super().closeEvent(event)

