"""USB printers present on this computer (pyusb), for the printer settings' list.

A printer is a device with a USB printer-class interface (class 7), which ESC/POS
ticket printers use. The bulk endpoints of that interface are where the ticket goes
(OUT) and the status answers come from (IN); they differ between models (Epson
0x01/0x82, many 58 mm clones 0x03/0x81), so the backend reads them from the device
instead of assuming python-escpos' defaults. See printing/README.md for the Linux
udev rule and Windows driver notes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

__all__ = ["PRINTER_CLASS", "UsbPrinter", "UsbScanError", "find_usb_printers", "printer_endpoints"]

PRINTER_CLASS = 7
_BULK = 0x02  # bmAttributes transfer type
_DIRECTION_IN = 0x80


class UsbScanError(Exception):
    """The USB bus cannot be listed here. ``code`` says why, for the advice the UI gives:
    ``NO_PYUSB`` (this installation lacks pyusb), ``NO_LIBUSB`` (no libusb library, or on
    Windows no WinUSB driver), ``UNREADABLE`` (e.g. no permission). The message is the
    technical detail, for the log."""

    NO_PYUSB = "no_pyusb"
    NO_LIBUSB = "no_libusb"
    UNREADABLE = "unreadable"

    def __init__(self, detail: str, code: str = UNREADABLE):
        super().__init__(detail)
        self.code = code


@dataclass(frozen=True, slots=True)
class UsbPrinter:
    vendor_id: int
    product_id: int
    name: str = ""  # manufacturer and product strings; empty when the device won't say
    bus: int | None = None
    address: int | None = None

    @property
    def ids(self) -> str:
        return f"{self.vendor_id:04x}:{self.product_id:04x}"

    @property
    def label(self) -> str:
        return f"{self.name} ({self.ids})" if self.name else self.ids


def find_usb_printers(find: Callable[..., Iterable[Any]] | None = None) -> list[UsbPrinter]:
    """Every USB printer present, sorted by name; raises UsbScanError if USB can't be read.

    `find` stands for `usb.core.find` (tests pass a fake one)."""
    if find is None:
        find = _pyusb_find()
    try:
        devices = list(find(find_all=True))
    except Exception as exc:  # usb.core.NoBackendError (libusb missing), USBError
        code = (UsbScanError.NO_LIBUSB if type(exc).__name__ == "NoBackendError"
                else UsbScanError.UNREADABLE)
        raise UsbScanError(f"cannot list USB devices: {exc}", code) from exc
    found = [
        UsbPrinter(device.idVendor, device.idProduct, _name(device),
                   getattr(device, "bus", None), getattr(device, "address", None))
        for device in devices
        if _is_printer(device)
    ]
    return sorted(found, key=lambda p: (p.name.casefold(), p.ids))


def printer_endpoints(device: Any) -> tuple[int, int | None] | None:
    """(bulk OUT, bulk IN or None) of the device's printer interface, None if it has none."""
    try:
        configuration = device.get_active_configuration()
    except Exception:  # not configured yet, or not readable here
        return None
    for interface in configuration:
        if interface.bInterfaceClass != PRINTER_CLASS:
            continue
        bulk = [ep.bEndpointAddress for ep in interface if ep.bmAttributes & 0x03 == _BULK]
        out = [ep for ep in bulk if not ep & _DIRECTION_IN]
        into = [ep for ep in bulk if ep & _DIRECTION_IN]
        if out:
            return out[0], (into[0] if into else None)
    return None


def _pyusb_find() -> Callable[..., Iterable[Any]]:
    try:
        import usb.core
    except ImportError as exc:
        raise UsbScanError("USB printers need the pyusb package: pip install pyusb",
                           UsbScanError.NO_PYUSB) from exc
    return usb.core.find


def _is_printer(device: Any) -> bool:
    if device.bDeviceClass == PRINTER_CLASS:
        return True
    try:
        return any(
            interface.bInterfaceClass == PRINTER_CLASS
            for configuration in device
            for interface in configuration
        )
    except Exception:  # a device that won't give its descriptors is not listed
        return False


def _name(device: Any) -> str:
    parts = []
    for attribute in ("manufacturer", "product"):
        try:  # reading strings needs access to the device (udev rule on Linux)
            value = getattr(device, attribute)
        except Exception:
            value = None
        if value and value.strip() not in parts:
            parts.append(value.strip())
    return " ".join(parts)
