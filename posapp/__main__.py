"""``comptoir`` / ``python -m posapp``: start the counter app.

``--demo`` runs everything on this machine: a marketplace started in-process
on a free loopback port, a demo shop already paired, demo orders arriving over
time, tickets written to a file printer whose path the window shows.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path

import platformdirs

__all__ = ["main", "build_parser"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="comptoir",
        description="Comptoir : les commandes de la place de marché au comptoir de la boutique.",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="démo autonome : place de marché locale, boutique appairée, commandes de démo,"
        " tickets dans un fichier",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=Path(platformdirs.user_data_dir("comptoir", appauthor=False)),
        help="dossier des données de la boutique (défaut : %(default)s)",
    )
    parser.add_argument(
        "--screenshot",
        type=Path,
        metavar="PATH",
        help="attendre les premières commandes, enregistrer une image de la fenêtre et quitter",
    )
    parser.add_argument(
        "--screenshots",
        type=Path,
        metavar="DIR",
        help="démo : attendre des commandes, en traiter deux, enregistrer chaque écran et un"
        " aperçu de ticket dans DIR, puis quitter",
    )
    parser.add_argument("--lang", choices=("fr", "en"), default=None, help="langue de l’interface")
    parser.add_argument(
        "--demo-interval", type=float, default=20.0, help="secondes entre deux commandes de démo"
    )
    parser.add_argument("--verbose", action="store_true", help="journal détaillé sur stderr")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING)

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from posapp.app import AppConfig, ShopApp
    from posapp.store.db import StoreError

    qt_app = QApplication.instance() or QApplication(sys.argv[:1])
    import posapp.ui  # noqa: F401  - applies Qt work-arounds before anything else uses Qt
    qt_app.setApplicationName("Comptoir")
    qt_app.setOrganizationName("Comptoir")
    # Ctrl+C in the terminal quits cleanly (Qt's loop would otherwise swallow it).
    signal.signal(signal.SIGINT, lambda *_: qt_app.quit())
    # SIGTERM (logout without a session manager, systemd, kill): no one to ask; say so in
    # the log, and close cleanly rather than die mid-write.
    signal.signal(signal.SIGTERM, lambda *_: _terminated(qt_app))
    keepalive = QTimer()
    keepalive.start(250)
    keepalive.timeout.connect(lambda: None)

    from posapp.ui.i18n import install_translator
    from posapp.ui.single_instance import SingleInstance, bring_forward

    # One Comptoir per data directory (the demo's lives beside its folder, which it wipes).
    instance = SingleInstance(args.data_dir / ("demo.lock" if args.demo else "comptoir.lock"))
    if not instance.acquire():
        if instance.ask_first_to_show():
            print("comptoir : déjà ouvert pour ce dossier de données ; sa fenêtre passe au"
                  " premier plan.", file=sys.stderr)
            return 0
        print(f"comptoir : un autre Comptoir utilise déjà {args.data_dir} mais ne répond pas ;"
              " fermez-le (ou redémarrez l’ordinateur), puis relancez.", file=sys.stderr)
        return 3

    shop_app = ShopApp(AppConfig(data_dir=args.data_dir, demo=args.demo,
                                 demo_order_interval=args.demo_interval))
    try:
        shop_app.start()
    except StoreError as exc:
        shop_app.stop()
        instance.release()
        print(f"comptoir: {exc}", file=sys.stderr)
        if not args.screenshot and os.environ.get("QT_QPA_PLATFORM") != "offscreen":
            QMessageBox.critical(None, "Comptoir", str(exc))
        return 2
    lang = args.lang or shop_app.setting("language", "fr") or "fr"
    install_translator(qt_app, lang)

    from posapp.ui.main_window import MainWindow

    window = MainWindow(shop_app)
    instance.activation_requested.connect(lambda: bring_forward(window))
    window.show()
    rc = 0
    if args.screenshot:
        rc = _screenshot_when_ready(qt_app, window, args.screenshot)
    elif args.screenshots:
        rc = _screenshot_when_ready(
            qt_app, window, args.screenshots / "window.png",
            then=lambda: _all_screens(qt_app, window, shop_app, args.screenshots),
        )
    else:
        rc = qt_app.exec()
    window.close()
    shop_app.stop()
    instance.release()
    return rc


def _terminated(qt_app) -> None:
    logging.getLogger("posapp").warning(
        "asked to quit by the system (SIGTERM): leaving without the quit question; a shop"
        " taking online orders stays open until the marketplace sees no counter connected")
    from PySide6.QtCore import QTimer

    QTimer.singleShot(0, qt_app.quit)  # also when it comes before the event loop runs


def _screenshot_when_ready(qt_app, window, path: Path, timeout_s: float = 60.0,
                           then: Callable[[], int] | None = None) -> int:
    """Wait for the first demo orders on the board, save the window's image, exit.

    ``then`` runs inside the event loop (show events and worker results still flow).
    """
    from PySide6.QtCore import QElapsedTimer, QTimer

    clock = QElapsedTimer()
    clock.start()
    result = {"rc": 1}

    def check() -> None:
        if window.board_count() >= 3 or clock.elapsed() > timeout_s * 1000:
            QTimer.singleShot(300, finish)  # let the last cards paint
            poll.stop()

    def finish() -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        ok = window.grab().save(str(path)) and window.board_count() > 0
        if not ok:
            print("comptoir: no order reached the board in time", file=sys.stderr)
        result["rc"] = 0 if ok else 1
        if ok and then is not None:
            result["rc"] = then()
        qt_app.quit()

    poll = QTimer()
    poll.timeout.connect(check)
    poll.start(100)
    qt_app.exec()
    return result["rc"]


def _all_screens(qt_app, window, shop_app, out_dir: Path) -> int:
    """Move two demo orders along so every column shows, then grab each screen."""
    from PySide6.QtCore import QElapsedTimer

    from posapp.store.shop_time import shop_zone
    from posapp.ui.screenshots import take_screenshots
    from printing import build_ticket, render_preview

    board = shop_app.orders.board()
    first, second = board["new"][0], board["new"][1]
    window.accept_order(first["id"], 20)
    window.accept_order(second["id"], 10)
    window.mark_ready(second["id"])
    clock = QElapsedTimer()
    clock.start()
    while shop_app.last_status.pending and clock.elapsed() < 10_000:
        qt_app.processEvents()
    take_screenshots(window, out_dir)
    from posapp.ui import quit_dialog

    quit_dialog.screenshot(window, out_dir / "quit.png")
    order = shop_app.orders.get(board["new"][-1]["id"])
    config = shop_app.printing.config()
    render_preview(build_ticket(order, shop_app.shop, config.line_columns,
                                shop_zone(shop_app.store.conn), code_page=config.code_page),
                   str(out_dir / "ticket.png"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
