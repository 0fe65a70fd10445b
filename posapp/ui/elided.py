"""Labels that never widen the window: long text is cut with "…" and shown whole in a tooltip.

A plain QLabel without word wrap asks for the width of its whole text, and a
layout grows the window to give it (an offline error once made it 1775 px
wide). An ``ElidedLabel`` asks for a few characters at least and shows what fits.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

__all__ = ["ElidedLabel", "breakable", "unbreakable"]

NBSP = "\u00a0"
ZWSP = "\u200b"  # zero-width space: a place where a too-long word may wrap


def unbreakable(text: str) -> str:
    """Keep a phone number (or any short token group) on one line: no break inside it."""
    return text.replace(" ", NBSP)


def breakable(text: str, every: int = 12) -> str:
    """Let a very long word (a pasted reference, an e-mail) wrap instead of widening its pane."""
    words = []
    for word in text.split(" "):
        if len(word) > 2 * every:
            word = ZWSP.join(word[i:i + every] for i in range(0, len(word), every))
        words.append(word)
    return " ".join(words)


class ElidedLabel(QLabel):
    """One line of plain text, elided on the right; ``text()`` is the whole text."""

    MIN_CHARS = 6  # what the label asks for at least, in average character widths

    def __init__(self, text: str = "", parent: QWidget | None = None,
                 mode: Qt.TextElideMode = Qt.TextElideMode.ElideRight):
        super().__init__(parent)
        self._full = ""
        self._hint = ""  # tooltip when the text is shown whole
        self._mode = mode
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.setText(text)

    def setText(self, text: str) -> None:  # noqa: N802 (Qt API)
        text = text or ""
        if text == self._full and self._shown_fits():
            return
        self._full = text
        self.updateGeometry()
        self._elide()

    def text(self) -> str:
        return self._full

    def set_hint(self, hint: str) -> None:
        """A tooltip for when the text is not cut (when cut, the tooltip is the text)."""
        self._hint = hint
        self._elide()

    def shown_text(self) -> str:
        """What is painted (with "…" when cut)."""
        return super().text()

    def is_elided(self) -> bool:
        return super().text() != self._full

    def _padding(self) -> int:
        """Horizontal room the style takes around the text (style sheet padding, margins)."""
        shown = super().text()
        return max(0, super().sizeHint().width() - self.fontMetrics().horizontalAdvance(shown))

    def _room(self) -> int:
        return self.width() - self._padding()

    def _shown_fits(self) -> bool:
        return super().text() == self._elided_for(self._room())

    def _elided_for(self, width: int) -> str:
        if not self._full:
            return ""
        one_line = " ".join(self._full.split("\n"))
        return self.fontMetrics().elidedText(one_line, self._mode, max(width, 0))

    def _elide(self) -> None:
        shown = self._elided_for(self._room())
        if super().text() != shown:
            super().setText(shown)
        self.setToolTip(self._full if shown != self._full else self._hint)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        self._elide()

    def changeEvent(self, event) -> None:  # noqa: N802, ANN001 (Qt API)
        super().changeEvent(event)
        if hasattr(self, "_full"):
            self._elide()  # a new font (style sheet) changes what fits

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        metrics = self.fontMetrics()
        width = metrics.horizontalAdvance(" ".join(self._full.split("\n"))) + self._padding()
        return QSize(width + 1, super().sizeHint().height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        hint = self.sizeHint()
        least = self.fontMetrics().averageCharWidth() * self.MIN_CHARS
        return QSize(min(hint.width(), least), hint.height())
