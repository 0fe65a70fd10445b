"""The new-order alert: a chime that repeats until someone at the counter acknowledges.

Never blocks and never fails loudly: without an audio device QSoundEffect just
reports an error status; ``rings`` counts the plays we asked for, so tests and
the UI can tell the alert is alive even when nothing is audible.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, QUrl, Signal
from PySide6.QtMultimedia import QSoundEffect

from posapp.ui.paths import resource

__all__ = ["OrderAlert", "available_sounds", "DEFAULT_SOUND"]

DEFAULT_SOUND = "chime.wav"
REPEAT_MS = 6000


def available_sounds() -> list[str]:
    return sorted(p.name for p in resource("sounds").glob("*.wav"))


class OrderAlert(QObject):
    rang = Signal()
    active_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None, *, sound: str = DEFAULT_SOUND,
                 volume: float = 0.8, repeat_ms: int = REPEAT_MS):
        super().__init__(parent)
        self.effect = QSoundEffect(self)
        self.rings = 0
        self.timer = QTimer(self)
        self.timer.setInterval(repeat_ms)
        self.timer.timeout.connect(self.ring)
        self.set_sound(sound)
        self.set_volume(volume)

    def set_sound(self, name: str) -> None:
        path = resource("sounds", name)
        if not path.exists():
            path = resource("sounds", DEFAULT_SOUND)
        self.sound = path.name
        self.effect.setSource(QUrl.fromLocalFile(str(path)))

    def set_volume(self, volume: float) -> None:
        self.volume = max(0.0, min(1.0, volume))
        self.effect.setVolume(self.volume)

    @property
    def active(self) -> bool:
        return self.timer.isActive()

    def update(self, unacknowledged: int) -> None:
        """Ring now and keep ringing while orders wait; stop when none do."""
        if unacknowledged > 0 and not self.active:
            self.timer.start()
            self.ring()
            self.active_changed.emit(True)
        elif unacknowledged == 0 and self.active:
            self.timer.stop()
            self.effect.stop()
            self.active_changed.emit(False)

    def ring(self) -> None:
        self.rings += 1
        if self.volume > 0:
            self.effect.play()  # asynchronous; an absent device only sets an error status
        self.rang.emit()
