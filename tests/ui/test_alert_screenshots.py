"""The alert's screens at 1366×768: the images of docs/screenshots, and a check that the band,
the countdowns, a lost-order banner and the no-sound warning fit without widening the window.

Regenerate the documentation images with:
COMPTOIR_SCREENSHOTS=docs/screenshots ./dev test -q tests/ui/test_alert_screenshots.py
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from posapp.ui.screenshots import grab
from sync.protocol import to_iso
from tests.ui.conftest import iso_ago, make_order, make_pull

SIZE = (1366, 768)


def iso_in(seconds: float) -> str:
    return to_iso(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=seconds))


def _still(window) -> None:
    """A picture of the band's steady phase, not of whichever flash phase is current."""
    window.alert_band.flash.stop()
    if window.alert_band.property("flash"):
        window.alert_band._toggle_flash()


def test_alert_screens_at_1366x768(window, shop_app, tmp_path, qtbot):
    out = Path(os.environ.get("COMPTOIR_SCREENSHOTS") or tmp_path)
    # The path a shop would see, not pytest's (whose length varies from run to run).
    window.status.set_printer_file(Path("/home/boutique/comptoir/tickets.escpos"))
    QApplication.processEvents()  # the layout takes the shorter label before the resize
    window.layout().activate()  # (and its minimum size, which the resize obeys)
    window.resize(*SIZE)
    shots = []
    orders = [
        make_order("o1", 41, customer_name="Zoé Lefèvre", created_at=iso_ago(2),
                   respond_by=iso_in(8 * 60 + 10)),
        make_order("o2", 42, customer_name="Karim Benali", created_at=iso_ago(1),
                   respond_by=iso_in(9 * 60 + 5), allergens=""),
        make_order("o3", 40, "accepted", customer_name="Léa Martin", created_at=iso_ago(6),
                   ready_by=iso_in(12 * 60)),
    ]
    shop_app.pull(make_pull(orders, cursor=2))
    _still(window)
    assert "refus automatique dans 8:" in window.alert_band.text.text()
    assert "répondre sous 8:" in window.board.card("o1").countdown.text()
    shots.append(grab(window, out / "alert-band.png"))

    # Last two minutes: red, louder, faster.
    shop_app.pull(make_pull([make_order("o1", 41, customer_name="Zoé Lefèvre",
                                        created_at=iso_ago(8), respond_by=iso_in(95))],
                            cursor=3))
    _still(window)
    assert window.alert_band.property("urgent") is True
    shots.append(grab(window, out / "alert-countdown-urgent.png"))

    # The marketplace refused N° 41 on timeout: a banner that only OK removes.
    shop_app.pull(make_pull([make_order("o1", 41, "rejected", customer_name="Zoé Lefèvre",
                                        created_at=iso_ago(10), reject_reason="timeout")],
                            cursor=4))
    _still(window)
    assert window.banners.texts("cancelled")
    shots.append(grab(window, out / "order-refused-banner.png"))

    # No sound: a permanent warning above the tabs.
    broken = tmp_path / "broken.wav"
    broken.write_bytes(b"RIFF not a wave")
    window.alert.set_source(QUrl.fromLocalFile(str(broken)))
    qtbot.waitUntil(window.sound_warning.isVisible, timeout=3000)
    _still(window)
    shots.append(grab(window, out / "no-sound-warning.png"))

    # However long their text, the band, the warning and the banners never widen the window.
    for widget in (window.alert_band, window.sound_warning, window.banners):
        assert widget.minimumSizeHint().width() < SIZE[0] // 2, widget.objectName()
    for shot in shots:
        image = QImage(str(shot))
        assert (image.width(), image.height()) == SIZE, shot.name
