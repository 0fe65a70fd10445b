"""Settings: pairing with the marketplace, the alert sound, the language, the printer."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any
from zoneinfo import available_timezones

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtMultimedia import QSoundEffect
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSlider,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from posapp.domain.shop import DEFAULT_OPENING, OPENING_SETTING
from posapp.store.shop_time import SHOP_TZ_SETTING, shop_zone, suggested_zone, system_zone
from posapp.ui.alerts import DEFAULT_SOUND, available_sounds, sound_problem
from posapp.ui.core_messages import user_text
from posapp.ui.i18n import LANGUAGES, install_translator, tr
from posapp.ui.paths import resource
from posapp.ui.printer_settings import PrinterSettings
from posapp.ui.workers import Call, run_in_pool

__all__ = ["SettingsDialog"]

_REGIONS = {"Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia",
            "Europe", "Indian", "Pacific"}


class SettingsDialog(QDialog):
    paired = Signal(dict)
    sound_changed = Signal(str, float)  # file name, volume 0..1
    printer_saved = Signal(object)  # printing.PrinterConfig

    def __init__(self, shop_app: Any, parent: QWidget | None = None):
        super().__init__(parent)
        self.shop_app = shop_app
        self.setWindowTitle(tr("Settings"))
        self.setMinimumWidth(640)
        self._call: Call | None = None
        layout = QVBoxLayout(self)
        # Two tabs: with the printer form and its preview, one page would not fit 768 px.
        self.tabs = QTabWidget()
        general = QWidget()
        general_layout = QVBoxLayout(general)
        general_layout.addWidget(self._pairing_box())
        general_layout.addWidget(self._alert_box())
        general_layout.addWidget(self._language_box())
        general_layout.addStretch(1)
        self.tabs.addTab(general, tr("General"))
        self.tabs.addTab(self._printer_box(), tr("Printer"))
        clock = QWidget()  # its own tab: the General one must still fit 720 px
        clock_layout = QVBoxLayout(clock)
        clock_layout.addWidget(self._clock_box())
        clock_layout.addStretch(1)
        self.tabs.addTab(clock, tr("Shop clock"))
        layout.addWidget(self.tabs, 1)
        notice = QLabel(tr("Comptoir records orders and stock; it is not a cash register "
                           "and takes no payment."))
        notice.setObjectName("hint")
        notice.setWordWrap(True)
        layout.addWidget(notice)
        close = QPushButton(tr("Close"))
        close.setMinimumHeight(48)
        close.clicked.connect(self.accept)
        layout.addWidget(close, 0, Qt.AlignmentFlag.AlignRight)
        # An explicit minimum width stops the layout from widening the dialog: ask for its own.
        self.setMinimumWidth(max(640, layout.minimumSize().width()))

    # -- pairing -----------------------------------------------------------------------
    def _pairing_box(self) -> QGroupBox:
        box = QGroupBox(tr("Marketplace"))
        form = QFormLayout(box)
        self.url = QLineEdit(self.shop_app.setting("marketplace_url", "") or "")
        self.url.setPlaceholderText("https://…")
        self.code = QLineEdit()
        self.code.setPlaceholderText("ABCD-1234")
        self.pair_button = QPushButton(tr("Pair this counter"))
        self.pair_button.setMinimumHeight(48)
        self.pair_button.clicked.connect(self.start_pairing)
        self.pair_status = QLabel(self._paired_text())
        self.pair_status.setWordWrap(True)
        form.addRow(tr("Address"), self.url)
        form.addRow(tr("Pairing code"), self.code)
        form.addRow("", self.pair_button)
        form.addRow("", self.pair_status)
        return box

    def show_pairing(self) -> None:
        """Open on the pairing box, the cursor in its first empty field (the address on a
        first run: the code alone cannot pair)."""
        self.tabs.setCurrentIndex(0)
        self._first_field = self.code if self.url.text().strip() else self.url
        self._first_field.setFocus()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt API)
        super().showEvent(event)
        field = getattr(self, "_first_field", None)
        if field is not None:  # showing may hand the focus to the first button
            field.setFocus()

    def _paired_text(self) -> str:
        name = self.shop_app.setting("shop_name")
        return tr("Paired with “{s}”.").format(s=name) if name else tr("Not paired yet.")

    def start_pairing(self) -> None:
        url, code = self.url.text().strip(), self.code.text().strip()
        if not url or not code:
            self.pair_status.setText(tr("Enter the marketplace address and the pairing code."))
            return
        self.pair_button.setEnabled(False)
        self.pair_status.setText(tr("Pairing…"))
        from posapp.store.backup import BackupError
        from sync.pairing import pair_and_keep

        # Keyring probe, network and keyring in the pool (the code is sent only once the
        # keyring proved usable); settings are saved back on the GUI thread (ShopApp's store
        # connection belongs to it). Slots go in before the call starts.
        vault = self.shop_app.vault

        def finish(answer: dict) -> None:
            try:
                self.shop_app.adopt_pairing(url, answer)
            except BackupError as exc:  # a full disk: nothing changed here; retry
                self._pairing_failed(user_text(exc))
                return
            self._pairing_done(answer)

        self._call = run_in_pool(
            lambda: pair_and_keep(url, code, socket.gethostname(), vault), self,
            on_done=finish, on_failed=self._pairing_failed)

    def _pairing_done(self, answer: dict) -> None:
        self.pair_button.setEnabled(True)
        self.code.clear()
        self.pair_status.setText(tr("Paired with “{s}”.").format(s=answer.get("shop_name", "")))
        self.paired.emit(answer)

    def _pairing_failed(self, message: str) -> None:
        self.pair_button.setEnabled(True)
        self.pair_status.setText(tr("Pairing failed: {e}").format(e=message))

    # -- alert sound ---------------------------------------------------------------------
    def _alert_box(self) -> QGroupBox:
        box = QGroupBox(tr("New-order alert"))
        form = QFormLayout(box)
        self.sound = QComboBox()
        for name in available_sounds():
            self.sound.addItem(name.removesuffix(".wav").capitalize(), name)
        current = self.shop_app.setting("alert_sound", DEFAULT_SOUND) or DEFAULT_SOUND
        self.sound.setCurrentIndex(max(0, self.sound.findData(current)))
        self.volume = QSlider(Qt.Orientation.Horizontal)
        self.volume.setRange(0, 100)
        self.volume.setValue(int(self.shop_app.setting("alert_volume", "80") or 80))
        test = QPushButton(tr("Listen"))
        test.clicked.connect(lambda: self.play_test())
        row = QHBoxLayout()
        row.addWidget(self.sound, 1)
        row.addWidget(test)
        form.addRow(tr("Sound"), row)
        form.addRow(tr("Volume"), self.volume)
        self.sound_status = QLabel("")
        self.sound_status.setObjectName("hint")
        self.sound_status.setWordWrap(True)
        form.addRow("", self.sound_status)
        self.effect = QSoundEffect(self)
        # "Listen" says what happened: the failure of a sound loaded asynchronously too.
        self.effect.statusChanged.connect(self._report_sound)
        self.effect.playingChanged.connect(self._report_sound)
        self.sound.currentIndexChanged.connect(self._save_sound)
        self.volume.valueChanged.connect(self._save_sound)
        return box

    def _save_sound(self) -> None:
        name = self.sound.currentData() or DEFAULT_SOUND
        self.shop_app.set_setting("alert_sound", name)
        self.shop_app.set_setting("alert_volume", str(self.volume.value()))
        self.sound_changed.emit(name, self.volume.value() / 100)

    def play_test(self, path: Path | None = None) -> None:
        """Play the chosen sound (or ``path``) and report whether it can be heard."""
        path = path or resource("sounds", self.sound.currentData())
        self.effect.setSource(QUrl.fromLocalFile(str(path)))
        self.effect.setVolume(self.volume.value() / 100)
        self._listening = True
        self.effect.play()
        self._report_sound()

    def _report_sound(self) -> None:
        if not getattr(self, "_listening", False):
            return
        problem = sound_problem(self.effect, self.volume.value() / 100)
        ok = problem is None and self.effect.status() != QSoundEffect.Status.Loading
        if problem is not None:
            text = tr("Nothing can be heard: {why}").format(why=problem)
        elif self.effect.status() == QSoundEffect.Status.Loading:
            text = tr("Loading the sound…")
        else:
            text = tr("The sound is playing: you should hear it now.")
        self.sound_status.setText(text)
        self.sound_status.setProperty("problem", problem is not None)
        self.sound_status.style().unpolish(self.sound_status)
        self.sound_status.style().polish(self.sound_status)
        self.sound_ok = ok

    # -- the shop's clock ------------------------------------------------------------------
    def _clock_box(self) -> QGroupBox:
        box = QGroupBox(tr("Shop clock"))
        form = QFormLayout(box)
        self.time_zone = QComboBox()
        self.time_zone.setMinimumHeight(48)
        zones = available_timezones()
        suggested = suggested_zone(self.shop_app.store.conn)
        automatic = suggested if suggested in zones else system_zone().key
        self.time_zone.addItem(tr("Automatic ({z})").format(z=automatic), "")
        for name in sorted(zones):  # the canonical Region/City names, not the old aliases
            if name.split("/", 1)[0] in _REGIONS and "/" in name:
                self.time_zone.addItem(name, name)
        current = self.shop_app.setting(SHOP_TZ_SETTING, "") or ""
        self.time_zone.setCurrentIndex(max(0, self.time_zone.findData(current)))
        self.time_zone.currentIndexChanged.connect(self._save_clock)
        # A list of quarter hours (a finger picks one; a spin box's arrows are small).
        self.opening = QComboBox()
        self.opening.setMinimumHeight(48)
        for minutes in range(4 * 60, 14 * 60 + 1, 15):
            self.opening.addItem(f"{minutes // 60:02d}:{minutes % 60:02d}")
        current = self.shop_app.setting(OPENING_SETTING, DEFAULT_OPENING) or DEFAULT_OPENING
        if self.opening.findText(current) < 0:  # set elsewhere to an odd minute: keep it
            self.opening.addItem(current)
        self.opening.setCurrentText(current)
        self.opening.currentIndexChanged.connect(self._save_clock)
        hint = QLabel(tr("Screen, tickets and reports all show times in this zone."))
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        form.addRow(tr("Time zone"), self.time_zone)
        form.addRow(tr("Opening time"), self.opening)
        form.addRow("", hint)
        return box

    def _save_clock(self) -> None:
        self.shop_app.set_setting(SHOP_TZ_SETTING, self.time_zone.currentData() or "")
        self.shop_app.set_setting(OPENING_SETTING, self.opening.currentText())

    # -- language ------------------------------------------------------------------------
    def _language_box(self) -> QGroupBox:
        box = QGroupBox(tr("Language"))
        form = QFormLayout(box)
        self.language = QComboBox()
        for code, label in LANGUAGES.items():
            self.language.addItem(label, code)
        current = self.shop_app.setting("language", "fr") or "fr"
        self.language.setCurrentIndex(max(0, self.language.findData(current)))
        self.language.currentIndexChanged.connect(self._save_language)
        self.language_hint = QLabel(tr("Applies fully after restarting Comptoir."))
        self.language_hint.setObjectName("hint")
        form.addRow(tr("Language"), self.language)
        form.addRow("", self.language_hint)
        return box

    def _save_language(self) -> None:
        lang = self.language.currentData()
        self.shop_app.set_setting("language", lang)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            install_translator(app, lang)  # new windows and dialogs use it at once

    # -- printer ----------------------------------------------------------------------------
    def _printer_box(self) -> QWidget:
        printing = getattr(self.shop_app, "printing", None)
        self.printer: PrinterSettings | None = None
        if printing is not None and hasattr(printing, "save_config"):
            self.printer = PrinterSettings(printing, self.shop_app.shop or {},
                                           tz=shop_zone(self.shop_app.store.conn))
            self.printer.saved.connect(self.printer_saved)
            return self.printer
        # Without a print queue (tests, tools) only say where tickets go.
        box = QGroupBox(tr("Printer"))
        form = QFormLayout(box)
        path = getattr(printing, "printer_file", None)
        target = QLabel(str(path) if path else tr("Receipt printer (configured at start-up)"))
        target.setWordWrap(True)
        target.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow(tr("Tickets go to"), target)
        return box
