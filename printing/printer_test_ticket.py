"""The test page of the printer settings: shows the settings and every tricky character."""

from __future__ import annotations

import logging
from collections.abc import Callable

from .backends import PrinterBackend, make_backend
from .codepages import resolve_code_page
from .config import PrinterConfig
from .delivery import deliver
from .errors import PrinterUnavailableError
from .escpos_render import render_escpos
from .layout import Paper, banner, label_value, text_lines
from .printer_status import PrinterState, PrinterStatus
from .ticket import Align, Block, Cut, QrCode, Rule, Size, Text, TicketDocument

__all__ = ["CHARSET_SAMPLE", "build_test_ticket", "test_print"]

log = logging.getLogger(__name__)

CHARSET_SAMPLE = "é è ê à ç ô ù â î ï ë û œ É È À Ç € ’ « » – —"
# Tickets are French: the connection kinds and escpos' "default" profile in French words.
KIND_LABELS = {"network": "réseau", "usb": "USB", "serial": "série", "file": "fichier",
               "spooler": "imprimante du système"}


def build_test_ticket(config: PrinterConfig) -> TicketDocument:
    columns = config.line_columns
    target = config.address or "-"
    if config.kind.value == "network":
        target = f"{config.address}:{config.port}"
    elif config.kind.value == "usb":
        target = f"{config.usb_vendor_id or 0:04x}:{config.usb_product_id or 0:04x}"
    paper = Paper.of(columns, resolve_code_page(config.code_page, config.profile))
    blocks: list[Block] = [
        *banner("TEST D’IMPRESSION", paper, size=Size.TALL),
        *label_value("Connexion", f"{KIND_LABELS.get(config.kind.value, config.kind.value)}"
                                  f" {target}", paper),
        *label_value("Papier", f"{config.paper_width_mm} mm, {columns} colonnes", paper),
        *label_value("Page de code", f"{config.code_page} (profil "
                     f"{'par défaut' if config.profile == 'default' else config.profile})", paper),
        Rule(),
        paper.text("Caractères :", bold=True),
        *text_lines(CHARSET_SAMPLE, paper),
        *text_lines("Prix : 12,50 € — 1 234,00 €", paper),
        Rule(),
        Text("1234567890" * (columns // 10) + "1234567890"[: columns % 10]),
        paper.text("Gras", bold=True),
        paper.text("Double", bold=True, size=Size.DOUBLE, align=Align.CENTER),
        *banner("Inversé", paper),
        QrCode("comptoir-test"),
        *text_lines("Si tout est lisible, l’imprimante est prête.", paper, align=Align.CENTER),
        Cut(),
    ]
    return TicketDocument(kind="test", columns=columns, blocks=blocks, title="Test d’impression")


def test_print(
    config: PrinterConfig,
    backend_factory: Callable[[PrinterConfig], PrinterBackend] = make_backend,
) -> PrinterStatus:
    """Print the test page right now, outside the queue, for the settings dialog.

    Never raises for printer problems: the result says what went wrong.
    """
    payload = render_escpos(build_test_ticket(config), config.code_page, config.profile)
    try:
        after = deliver(backend_factory(config), payload)
    except PrinterUnavailableError as exc:
        log.warning("test page not printed: %s", exc.detail)
        return PrinterStatus(exc.state, exc.detail, cause=exc.cause)
    return PrinterStatus(after or PrinterState.READY)


test_print.__test__ = False  # type: ignore[attr-defined]  # not a pytest test
