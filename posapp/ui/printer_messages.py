"""What the shopkeeper reads when a printer or the USB search fails: a sentence in the
window's language that says what to do. The technical detail (English, from a driver,
lp or the operating system) goes to the log and at most to a tooltip."""

from __future__ import annotations

from typing import Any

from posapp.ui.core_messages import printer_state_text
from posapp.ui.i18n import tr

__all__ = ["printer_status_text", "usb_scan_text"]


def _unreachable(kind: str) -> str:
    if kind == "network":
        return tr("Printer unreachable: check that it is switched on, connected to the"
                  " network, and that its IP address and port are right.")
    if kind == "usb":
        return tr("USB printer unreachable: check that it is switched on and its cable"
                  " plugged in. On Linux it needs libusb and the udev rule of the printing"
                  " guide; on Windows, the WinUSB driver (installed with Zadig).")
    if kind == "serial":
        return tr("Nothing answers on the serial port: check the cable, the port name"
                  " (COM3, /dev/ttyUSB0) and the speed set on the printer.")
    if kind == "spooler":
        return tr("The system print queue did not take the ticket: check that the printer's"
                  " queue exists, is enabled and accepts jobs (CUPS: http://localhost:631;"
                  " Windows: Printers & scanners).")
    if kind == "file":
        return tr("The ticket file cannot be written: check that the folder exists and that"
                  " this user may write there.")
    return tr("Printer unreachable: check that it is switched on and connected.")


def _driver_missing(kind: str) -> str:
    if kind == "spooler":
        return tr("System printing is not available here: install CUPS (Linux, macOS), or"
                  " choose another connection.")
    return tr("This installation of Comptoir cannot drive this kind of printer (a module is"
              " missing): reinstall Comptoir, or choose another connection.")


def printer_status_text(status: Any, kind: str) -> str:
    """``status``: a ``printing.PrinterStatus``; ``kind``: the printer kind it came from."""
    if status.cause == "unreachable":
        return _unreachable(kind)
    if status.cause == "driver_missing":
        return _driver_missing(kind)
    if status.cause == "incomplete_settings":
        return tr("The printer settings are incomplete: fill in every field of this"
                  " connection.")
    return printer_state_text(status.state)


def usb_scan_text(code: str) -> str:
    """``code``: a ``printing.usb_printers.UsbScanError`` code, or "" for anything else."""
    if code == "no_pyusb":
        return tr("This installation of Comptoir cannot use USB printers (the pyusb module"
                  " is missing): reinstall Comptoir, or choose another connection.")
    if code == "no_libusb":
        return tr("USB printers cannot be listed: the libusb library is missing. On Linux,"
                  " install the libusb-1.0-0 package; on Windows, install the printer's"
                  " WinUSB driver with Zadig. You can also enter the ids below.")
    return tr("USB devices cannot be read here: on Linux, add the udev rule of the printing"
              " guide; on Windows, install the printer's WinUSB driver with Zadig. You can"
              " also enter the ids below.")
