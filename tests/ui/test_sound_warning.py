"""No audio, said loudly: a permanent warning while the alert cannot be heard, and the
settings' "Listen" reports the failure. ./dev test runs a PulseAudio null sink, so the
good path really plays; failures are injected (a corrupt sound, no device, volume 0)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtMultimedia import QMediaDevices, QSoundEffect
from PySide6.QtWidgets import QPushButton

from posapp.ui.alerts import OrderAlert


@pytest.fixture
def corrupt_sound(tmp_path: Path) -> Path:
    path = tmp_path / "broken.wav"
    path.write_bytes(b"RIFF not really a wave file")
    return path


def test_the_alert_really_plays(qtbot):
    assert QMediaDevices.audioOutputs(), "no audio output: run the tests through ./dev test"
    alert = OrderAlert(repeat_ms=60_000)
    qtbot.waitUntil(lambda: alert.effect.status() == QSoundEffect.Status.Ready, timeout=3000)
    alert.update(1)
    qtbot.waitUntil(alert.effect.isPlaying, timeout=3000)
    assert alert.plays == 1 and alert.problem() is None
    alert.update(0)


def test_a_sound_that_cannot_play_leaves_a_permanent_warning(window, corrupt_sound, qtbot):
    assert not window.sound_warning.isVisible()
    window.alert.set_source(QUrl.fromLocalFile(str(corrupt_sound)))
    qtbot.waitUntil(window.sound_warning.isVisible, timeout=3000)
    text = window.sound_warning.text.text()
    assert "PAS DE SON" in text and "ne peut pas être joué" in text
    assert window.sound_warning.findChildren(QPushButton) == []  # nothing closes it
    window.tabs.setCurrentWidget(window.stock_page)  # on every tab
    assert window.sound_warning.isVisible()
    window.alert.set_sound("chime.wav")  # sound back: the warning goes
    qtbot.waitUntil(lambda: not window.sound_warning.isVisible(), timeout=3000)


def test_no_audio_device_is_said(window, qtbot):
    window.alert.audio_outputs = lambda: []
    window.alert.check_sound()
    assert window.sound_warning.isVisible()
    assert "Aucune sortie audio" in window.sound_warning.text.text()


def test_volume_at_zero_is_said(window):
    window._apply_sound("chime.wav", 0.0)
    assert "volume de l’alerte est à zéro" in window.sound_warning.text.text()
    assert window.sound_warning.isVisible()


def test_listen_reports_a_failure_and_a_success(window, corrupt_sound, qtbot):
    dialog = window.make_settings_dialog()
    dialog.play_test(corrupt_sound)
    qtbot.waitUntil(lambda: "Rien ne peut être entendu" in dialog.sound_status.text(),
                    timeout=3000)
    assert dialog.sound_status.property("problem") is True
    dialog.play_test()  # the shipped sound, on the null sink
    qtbot.waitUntil(lambda: "Le son est joué" in dialog.sound_status.text(), timeout=3000)
    dialog.volume.setValue(0)
    dialog.play_test()
    assert "volume de l’alerte est à zéro" in dialog.sound_status.text()
    dialog.deleteLater()


def test_a_device_change_reloads_the_sound(qtbot, tmp_path):
    import shutil

    from posapp.ui.paths import resource

    # The sound failed to load (as it does when no output exists at start-up) …
    late = tmp_path / "chime.wav"
    alert = OrderAlert()
    alert.set_source(QUrl.fromLocalFile(str(late)))
    qtbot.waitUntil(lambda: alert.problem() is not None, timeout=3000)
    shutil.copyfile(resource("sounds", "chime.wav"), late)  # … and could load now
    alert._outputs_changed()  # only what QMediaDevices calls when speakers come or go
    qtbot.waitUntil(lambda: alert.effect.status() == QSoundEffect.Status.Ready, timeout=3000)
    assert alert.problem() is None and alert.effect.source().toLocalFile() == str(late)
