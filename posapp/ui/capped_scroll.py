"""A scroll area as tall as its content, up to a share of the window: then it scrolls.

Banners pile up (cancellations, refusals, a printer fault); laid out plainly,
six long ones made the window taller than a 720-px screen.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer
from PySide6.QtWidgets import QFrame, QScrollArea, QSizePolicy, QTabWidget, QWidget

__all__ = ["CappedScroll", "fit_dialog_to_screen", "keep_frame_on_screen", "scroll_tab_pages"]


class CappedScroll(QScrollArea):
    def __init__(self, content: QWidget, max_fraction: float = 0.3, min_height: int = 0,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.max_fraction = max_fraction
        self.min_height = min_height
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.setWidget(content)
        content.installEventFilter(self)

    def _cap(self) -> int:
        window = self.window()
        height = window.height() if window is not None and window is not self else 720
        return max(self.min_height, int(height * self.max_fraction))

    def _content_height(self) -> int:
        content = self.widget()
        if content is None or not content.isVisibleTo(self):
            return 0
        width = self.viewport().width()
        layout = content.layout()
        if layout is not None and layout.hasHeightForWidth() and width > 0:
            return layout.totalHeightForWidth(width)
        return content.sizeHint().height()

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        return QSize(super().sizeHint().width(), min(self._content_height(), self._cap()))

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        return QSize(0, min(self._content_height(), self.min_height))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if watched is self.widget() and event.type() in (QEvent.Type.LayoutRequest,
                                                         QEvent.Type.Resize):
            self.updateGeometry()
        return super().eventFilter(watched, event)


def scroll_tab_pages(tabs: QTabWidget) -> None:
    """Put each page of ``tabs`` in a vertical scroll area, so a long form never makes its
    dialog taller than the screen (48-px touch rows add up); tab texts and order are kept."""
    current = tabs.currentIndex()
    for index in range(tabs.count()):
        page = tabs.widget(index)
        if isinstance(page, QScrollArea):
            continue
        text, tip = tabs.tabText(index), tabs.tabToolTip(index)
        tabs.removeTab(index)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(page)
        # As tall as its page when there is room: the dialog opens without a scroll bar.
        scroll.setSizeAdjustPolicy(QScrollArea.SizeAdjustPolicy.AdjustToContents)
        tabs.insertTab(index, scroll, text)
        tabs.setTabToolTip(index, tip)
    tabs.setCurrentIndex(current)


class _CapOnShow(QObject):
    """Re-applies a size cap once the dialog is shown: showing a window whose layout has a
    height-for-width (wrapped labels) lets Qt grow it back to its preferred height."""

    def __init__(self, dialog: QWidget, size: QSize):
        super().__init__(dialog)
        self.size = size

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if event.type() == QEvent.Type.Show and isinstance(watched, QWidget):
            QTimer.singleShot(0, watched, lambda w=watched: w.resize(
                w.size().boundedTo(self.size)))
            # Qt centres a dialog before the window manager has told the size of its title
            # bar: on a 720-px screen under openbox the title bar opened 20 px above the
            # screen, out of reach. Once the frame is known (a moment later), pull it in.
            QTimer.singleShot(0, watched, lambda w=watched: keep_frame_on_screen(w))
        return False


def keep_frame_on_screen(window: QWidget, tries: int = 20) -> None:
    """Move ``window`` so its frame (title bar included) lies in its screen's free area.

    The window manager tells the frame's size some time after the window shows: until
    then (frame = window), look again every 50 ms, ``tries`` times at most."""
    screen = window.screen()
    if screen is None or not window.isVisible():
        return
    if window.frameGeometry() == window.geometry() and tries > 0:
        QTimer.singleShot(50, window, lambda: keep_frame_on_screen(window, tries - 1))
        return
    area = screen.availableGeometry()
    frame = window.frameGeometry()
    if area.contains(frame):
        return
    x = max(area.left(), min(frame.left(), area.right() + 1 - frame.width()))
    y = max(area.top(), min(frame.top(), area.bottom() + 1 - frame.height()))
    window.move(x, y)  # a window's position is its frame's


def fit_dialog_to_screen(dialog: QWidget, natural: QSize | None = None,
                         frame_allowance: int = 48) -> None:
    """Open ``dialog`` at its ``natural`` size (its size hint by default), no larger than
    the screen's free area with room for a title bar."""
    screen = dialog.screen()
    if screen is None:
        return
    area = screen.availableGeometry()
    hint = natural or dialog.sizeHint()
    cap = QSize(area.width(), area.height() - frame_allowance)
    dialog.resize(hint.boundedTo(cap))
    dialog.installEventFilter(_CapOnShow(dialog, cap))
