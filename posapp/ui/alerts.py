"""The new-order alert: a chime that repeats while any order waits for an answer.

``update(waiting, urgent)`` is called on every board refresh and every second:
the alert rings while ``waiting`` > 0, faster and at full volume when ``urgent``
(an order is in its last two minutes before the marketplace refuses it).
``snooze`` (the "OK, seen" button) silences it for at most ``SNOOZE_S``; a new
order or an order turning urgent ends the snooze at once.

Never blocks and never fails silently: ``problem()`` says why nothing can be
heard (no audio device, volume at zero, a sound that cannot be decoded or
played) and ``problem_changed`` fires when that changes, so the window can keep
a warning on screen. ``rings`` counts the rings asked for and ``plays`` the
ones handed to the audio device, so tests can tell the alert really played.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from PySide6.QtCore import QObject, QTimer, QUrl, Signal
from PySide6.QtMultimedia import QMediaDevices, QSoundEffect

from posapp.ui.i18n import tr
from posapp.ui.paths import resource

__all__ = ["DEFAULT_SOUND", "OrderAlert", "available_sounds", "sound_problem"]

DEFAULT_SOUND = "chime.wav"
WITHDRAWN_SOUND = "triple.wav"  # an order refused on timeout or cancelled: another sound
REPEAT_MS = 6000
URGENT_REPEAT_MS = 2000
SNOOZE_S = 60.0  # the longest an acknowledgement silences orders still waiting
URGENT_SNOOZE_S = 15.0  # in an order's last two minutes


def available_sounds() -> list[str]:
    return sorted(p.name for p in resource("sounds").glob("*.wav"))


def sound_problem(effect: QSoundEffect, volume: float,
                  outputs: Callable[[], Sequence[object]] = QMediaDevices.audioOutputs,
                  ) -> str | None:
    """Why ``effect`` cannot be heard, as a sentence for the shopkeeper; None if it can."""
    if not outputs():
        return tr("No audio output: the new-order alert cannot be heard. Connect speakers or"
                  " headphones, or check the computer's sound settings.")
    if volume <= 0 or effect.isMuted():
        return tr("The alert volume is at zero: new orders ring silently. Raise it in"
                  " Settings.")
    if effect.status() == QSoundEffect.Status.Error:
        return tr("The alert sound cannot be played on this computer's audio output. Choose"
                  " another sound in Settings and press Listen.")
    return None


class OrderAlert(QObject):
    rang = Signal()
    active_changed = Signal(bool)
    problem_changed = Signal(str)  # "" once sound works again
    resumed = Signal()  # ringing again by itself: snooze over, or an order turned urgent

    def __init__(self, parent: QObject | None = None, *, sound: str = DEFAULT_SOUND,
                 volume: float = 0.8, repeat_ms: int = REPEAT_MS,
                 urgent_repeat_ms: int = URGENT_REPEAT_MS):
        super().__init__(parent)
        self.effect = QSoundEffect(self)
        self.withdrawn_effect = QSoundEffect(self)
        self.withdrawn_effect.setSource(QUrl.fromLocalFile(str(resource("sounds",
                                                                        WITHDRAWN_SOUND))))
        self.announcements = 0
        self.rings = 0
        self.plays = 0
        self.waiting = 0
        self.urgent = False
        self.repeat_ms = repeat_ms
        self.urgent_repeat_ms = urgent_repeat_ms
        self._snoozed_until = 0.0  # time.monotonic()
        self._problem: str | None = None
        self.audio_outputs: Callable[[], Sequence[object]] = QMediaDevices.audioOutputs
        self.volume = max(0.0, min(1.0, volume))
        self.timer = QTimer(self)
        self.timer.setInterval(repeat_ms)
        self.timer.timeout.connect(self.ring)
        self.snooze_timer = QTimer(self)
        self.snooze_timer.setSingleShot(True)
        self.snooze_timer.timeout.connect(self._snooze_over)
        self.effect.statusChanged.connect(self.check_sound)
        self._devices = QMediaDevices(self)
        self._devices.audioOutputsChanged.connect(self._outputs_changed)
        self.set_sound(sound)
        self.set_volume(volume)

    # -- settings -------------------------------------------------------------------------
    def set_sound(self, name: str) -> None:
        path = resource("sounds", name)
        if not path.exists():
            path = resource("sounds", DEFAULT_SOUND)
        self.set_source(QUrl.fromLocalFile(str(path)))

    def set_source(self, url: QUrl) -> None:
        self.sound = url.fileName()
        self.effect.setSource(url)
        self.check_sound()

    def set_volume(self, volume: float) -> None:
        self.volume = max(0.0, min(1.0, volume))
        self._apply_volume()
        self.check_sound()

    def _apply_volume(self) -> None:
        # Last two minutes: as loud as the device goes, unless the shop chose silence.
        self.effect.setVolume(1.0 if self.urgent and self.volume > 0 else self.volume)

    # -- sound health ---------------------------------------------------------------------------
    def _outputs_changed(self) -> None:
        """Speakers plugged in (or out): play on the new default output, reloading the
        sound, whose earlier load may have failed for want of a device."""
        self.effect.setAudioDevice(QMediaDevices.defaultAudioOutput())
        source = self.effect.source()
        self.effect.setSource(QUrl())
        self.set_source(source)

    def problem(self) -> str | None:
        return self._problem

    def check_sound(self) -> str | None:
        problem = sound_problem(self.effect, self.volume, self.audio_outputs)
        if problem != self._problem:
            self._problem = problem
            self.problem_changed.emit(problem or "")
        return problem

    # -- state ----------------------------------------------------------------------------------
    @property
    def active(self) -> bool:
        """Orders are waiting for an answer (the alert runs, even while snoozed)."""
        return self.waiting > 0

    @property
    def snoozed(self) -> bool:
        return self.snooze_timer.isActive()

    def snooze_remaining_s(self) -> float:
        return max(0.0, self._snoozed_until - time.monotonic()) if self.snoozed else 0.0

    def update(self, waiting: int, urgent: bool = False) -> None:
        """``waiting`` orders still new; ``urgent`` when one of them is about to be refused."""
        was_active, was_urgent = self.active, self.urgent
        more = waiting > self.waiting
        self.waiting = max(0, waiting)
        self.urgent = urgent and self.waiting > 0
        if self.urgent != was_urgent:
            self._apply_volume()
            self.timer.setInterval(self.urgent_repeat_ms if self.urgent else self.repeat_ms)
        if not self.active:
            self.timer.stop()
            self.snooze_timer.stop()
            self.effect.stop()
        elif more or (self.urgent and not was_urgent):
            # A new order, or one entering its last minutes: that is news, ring now.
            self.snooze_timer.stop()
            self._start_ringing()
            if not more:
                self.resumed.emit()
        elif not self.timer.isActive() and not self.snoozed:
            self._start_ringing()
        if self.active != was_active:
            self.active_changed.emit(self.active)

    def wake(self) -> None:
        """A new order arrived: whatever was acknowledged before, ring now (once: ``update``
        may have rung for it already)."""
        if self.active and (self.snoozed or not self.timer.isActive()):
            self.snooze_timer.stop()
            self._start_ringing()

    def announce_withdrawn(self) -> None:
        """An order went away without the shop's answer (timeout, customer): say it aloud."""
        self.announcements += 1
        if self.volume > 0:
            self.withdrawn_effect.setVolume(max(self.volume, 0.8))
            self.withdrawn_effect.play()

    def snooze(self) -> None:
        """"OK, seen": quiet for a minute at most (less when an order is about to go)."""
        if not self.active:
            return
        seconds = URGENT_SNOOZE_S if self.urgent else SNOOZE_S
        self.timer.stop()
        self.effect.stop()
        self._snoozed_until = time.monotonic() + seconds
        self.snooze_timer.start(int(seconds * 1000))

    def set_snooze_ms(self, ms: int) -> None:
        """Shorten a running snooze (tests, and nothing else, need a shorter minute)."""
        if self.snoozed:
            self._snoozed_until = time.monotonic() + ms / 1000
            self.snooze_timer.start(ms)

    def _snooze_over(self) -> None:
        if self.active:
            self._start_ringing()
            self.resumed.emit()

    def _start_ringing(self) -> None:
        self.timer.start()
        self.ring()

    def ring(self) -> None:
        self.rings += 1
        if self.volume > 0 and self.effect.status() != QSoundEffect.Status.Error:
            self.effect.play()  # asynchronous; a failing device shows through check_sound
            self.plays += 1
        self.check_sound()
        self.rang.emit()
