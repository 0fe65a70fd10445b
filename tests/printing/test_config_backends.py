"""Settings, backend factory, direct test print."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from escpos import printer as escpos_printers

from printing import backends
from printing import printer_test_ticket as test_page
from printing.config import PrinterConfig, PrinterKind
from printing.delivery import deliver
from printing.errors import BackendUnavailableError, PrinterOfflineError
from printing.escpos_decode import decode_escpos
from printing.printer_status import PrinterState
from printing.virtual_printer import VirtualPrinter


def test_config_round_trip_and_defaults() -> None:
    config = PrinterConfig(
        kind="usb",
        usb_vendor_id=0x04B8,
        usb_product_id=0x0E15,
        paper_width_mm=80,
        columns=42,
        code_page="CP1252",
        copies=2,
        auto_print=False,
        kitchen_copy=True,
    )
    data = config.to_dict()
    assert data["kind"] == "usb" and data["columns"] == 42
    assert PrinterConfig.from_dict(data) == config
    assert PrinterConfig.from_dict({**data, "from_a_newer_version": 1}) == config
    assert PrinterConfig(paper_width_mm=58).line_columns == 32
    assert PrinterConfig(paper_width_mm=80).line_columns == 48
    assert PrinterConfig().code_page == "CP858" and PrinterConfig().port == 9100


@pytest.mark.parametrize(
    "bad",
    [
        {"paper_width_mm": 57},
        {"columns": 3},
        {"copies": 0},
        {"code_page": "UTF-8"},
        {"kind": "bluetooth"},
    ],
)
def test_config_validation(bad: dict) -> None:
    with pytest.raises(ValueError):
        PrinterConfig(**bad)


@pytest.mark.parametrize(
    ("kind", "printer_class", "package"),
    [
        ("usb", escpos_printers.Usb, "pyusb"),
        ("serial", escpos_printers.Serial, "pyserial"),
    ],
)
def test_missing_driver_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, kind: str, printer_class: type, package: str
) -> None:
    monkeypatch.setattr(printer_class, "is_usable", staticmethod(lambda: False))
    config = PrinterConfig(kind=kind, address="/dev/ttyUSB0", usb_vendor_id=1, usb_product_id=2)
    with pytest.raises(BackendUnavailableError, match=f"pip install {package}") as info:
        backends.make_backend(config)
    assert info.value.state is PrinterState.ERROR


def test_spooler_without_pycups_nor_lp(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(backends.sys, "platform", "linux")
    monkeypatch.setattr(escpos_printers.CupsPrinter, "is_usable", staticmethod(lambda: False))
    monkeypatch.setattr(backends.shutil, "which", lambda name: None)
    with pytest.raises(BackendUnavailableError, match="pycups"):
        backends.make_backend(PrinterConfig(kind="spooler", address="TM-T20"))


def test_spooler_falls_back_to_lp(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(backends.sys, "platform", "linux")
    monkeypatch.setattr(escpos_printers.CupsPrinter, "is_usable", staticmethod(lambda: False))
    monkeypatch.setattr(backends.shutil, "which", lambda name: "/usr/bin/lp")
    backend = backends.make_backend(PrinterConfig(kind="spooler", address="TM-T20"))
    assert isinstance(backend.printer, escpos_printers.LP)


def test_incomplete_settings() -> None:
    with pytest.raises(BackendUnavailableError, match="address"):
        backends.make_backend(PrinterConfig(kind=PrinterKind.NETWORK))
    with pytest.raises(BackendUnavailableError, match="path"):
        backends.make_backend(PrinterConfig(kind=PrinterKind.FILE))


def test_file_backend_appends(tmp_path: Path) -> None:
    path = tmp_path / "printer.bin"
    config = PrinterConfig(kind="file", address=str(path), paper_width_mm=58)
    for _ in range(2):
        assert test_page.test_print(config).state is PrinterState.READY
    ticket = decode_escpos(path.read_bytes())
    assert len(ticket.cuts) == 2 and ticket.qr_payloads == ["comptoir-test"] * 2


def test_file_backend_unwritable_path(tmp_path: Path) -> None:
    config = PrinterConfig(kind="file", address=str(tmp_path / "missing-dir" / "p.bin"))
    status = test_page.test_print(config)
    assert status.state is PrinterState.OFFLINE and "missing-dir" in status.detail


def test_test_print_over_the_network(printer: VirtualPrinter, net_config: PrinterConfig) -> None:
    status = test_page.test_print(net_config)
    assert status.state is PrinterState.READY
    assert printer.wait_until(lambda p: len(p.jobs) == 1)
    ticket = decode_escpos(printer.jobs[0])
    text = " ".join(" ".join(ticket.text_lines).split())
    assert "TEST D'IMPRESSION" in text
    assert "é è ê à ç ô ù â î ï ë û oe É È À Ç € ' « » - -" in text
    assert f"Connexion : réseau {printer.host}:{printer.port}" in text  # French words
    assert "(profil par défaut)" in text and "default" not in text
    assert "CP858" in text and ticket.cuts


def test_silent_printer_times_out_as_offline(
    printer: VirtualPrinter, net_config: PrinterConfig
) -> None:
    printer.go_silent()
    started = time.monotonic()
    status = test_page.test_print(net_config)
    assert status.state is PrinterState.OFFLINE
    assert time.monotonic() - started < 2  # the configured 0.3 s timeout, not forever


def test_refused_connection_is_offline(net_config: PrinterConfig) -> None:
    closed = net_config.with_changes(port=1)  # nothing listens on port 1
    assert test_page.test_print(closed).state is PrinterState.OFFLINE


def test_status_bytes_before_sending(printer: VirtualPrinter, net_config: PrinterConfig) -> None:
    printer.cover_open = True
    with pytest.raises(Exception) as info:
        deliver(backends.make_backend(net_config), b"\x1b@hello\n")
    assert getattr(info.value, "state", None) is PrinterState.COVER_OPEN
    assert printer.jobs == []  # nothing but status queries was sent


def test_printer_hanging_up_mid_job_raises(
    printer: VirtualPrinter, net_config: PrinterConfig
) -> None:
    printer.hang_up_next(after_bytes=100)
    with pytest.raises(PrinterOfflineError):
        deliver(backends.make_backend(net_config), b"\x1b@" + b"x" * 5000 + b"\n")


def test_printer_ignoring_status_queries_still_prints(
    printer: VirtualPrinter, silent_ok_config: PrinterConfig
) -> None:
    printer.answers_status = False
    started = time.monotonic()
    after = deliver(backends.make_backend(silent_ok_config), b"\x1b@hello\n")
    assert after is None  # unknown, not a failure
    assert time.monotonic() - started < 1.5  # one status timeout per check, not three
    assert printer.wait_until(lambda p: p.jobs == [b"\x1b@hello\n"])
