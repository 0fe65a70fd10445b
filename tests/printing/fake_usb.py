"""A USB ESC/POS printer as pyusb shows it, for the code above pyusb (no hardware here).

`FakeUsbBus.find` replaces `usb.core.find`: it returns objects with the descriptor
attributes, iteration (configurations → interfaces → endpoints) and the
write/read/set_configuration/reset calls pyusb's `Device` has. Writes to an
endpoint the device lacks fail like libusb does; DLE EOT queries are answered on
the IN endpoint.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field
from typing import Any

import usb.core

__all__ = ["FakeUsbBus", "FakeUsbDevice", "Interface"]

_DLE_EOT = b"\x10\x04"
_BULK = 0x02


@dataclass
class Endpoint:
    bEndpointAddress: int  # noqa: N815 (pyusb's names)
    bmAttributes: int = _BULK  # noqa: N815


@dataclass
class Interface:
    bInterfaceClass: int  # noqa: N815
    endpoints: list[Endpoint] = field(default_factory=list)

    def __iter__(self) -> Any:
        return iter(self.endpoints)


@dataclass
class Configuration:
    interfaces: list[Interface]

    def __iter__(self) -> Any:
        return iter(self.interfaces)


class _Libusb1Backend:
    """Looks like pyusb's libusb1 backend, so python-escpos detaches the kernel driver."""


_Libusb1Backend.__module__ = "usb.backend.libusb1"


class _Context:
    def dispose(self, device: FakeUsbDevice) -> None:
        device.disposed += 1


class FakeUsbDevice:
    def __init__(self, vendor_id: int, product_id: int, interfaces: list[Interface], *,
                 manufacturer: str | None = None, product: str | None = None,
                 device_class: int = 0, strings_readable: bool = True) -> None:
        self.idVendor, self.idProduct = vendor_id, product_id
        self.bDeviceClass = device_class
        self.bus, self.address = 1, 4
        self.configuration = Configuration(interfaces)
        self._manufacturer, self._product = manufacturer, product
        self._strings_readable = strings_readable
        self.backend = _Libusb1Backend()
        self.kernel_driver_active = True  # Linux binds usblp to printer-class devices
        self._ctx = _Context()
        self.disposed = 0
        self.configured = False
        self.received = bytearray()  # what reached the paper (status queries left out)
        self.answers_status = True
        self._answers = bytearray()
        self.unplugged = False

    @classmethod
    def printer(cls, vendor_id: int = 0x04B8, product_id: int = 0x0E15,
                out_ep: int = 0x01, in_ep: int = 0x82, **kwargs: Any) -> FakeUsbDevice:
        interface = Interface(7, [Endpoint(out_ep), Endpoint(in_ep)])
        return cls(vendor_id, product_id, [interface], **kwargs)

    # -- descriptors as pyusb gives them ----------------------------------
    def __iter__(self) -> Any:
        return iter([self.configuration])

    @property
    def manufacturer(self) -> str | None:
        return self._string(self._manufacturer)

    @property
    def product(self) -> str | None:
        return self._string(self._product)

    def _string(self, value: str | None) -> str | None:
        if not self._strings_readable:
            raise ValueError("The device has no langid (permission issue, no string "
                             "descriptors supported or device error)")  # pyusb's words
        return value

    # -- calls python-escpos makes ----------------------------------------
    def is_kernel_driver_active(self, interface: int) -> bool:
        return self.kernel_driver_active

    def detach_kernel_driver(self, interface: int) -> None:
        self.kernel_driver_active = False

    def set_configuration(self) -> None:
        self.configured = True

    def reset(self) -> None:
        pass

    def get_active_configuration(self) -> Configuration:
        if not self.configured:
            raise usb.core.USBError("Configuration not set")
        return self.configuration

    def _endpoints(self) -> set[int]:
        return {ep.bEndpointAddress for i in self.configuration for ep in i}

    def write(self, endpoint: int, data: bytes, timeout: int | None = None) -> int:
        if self.unplugged:
            raise usb.core.USBError("No such device (it may have been disconnected)", errno=19)
        if endpoint not in self._endpoints() or endpoint & 0x80:
            raise usb.core.USBError("Entity not found", errno=2)
        data = bytes(data)
        i = 0
        while i < len(data):
            if data[i : i + 2] == _DLE_EOT and i + 2 < len(data):
                if self.answers_status:
                    self._answers.append(0x12)  # ready, as a DLE EOT answer
                i += 3
                continue
            self.received.append(data[i])
            i += 1
        return len(data)

    def read(self, endpoint: int, size: int, timeout: int | None = None) -> array[int]:
        if endpoint not in self._endpoints() or not endpoint & 0x80:
            raise usb.core.USBError("Entity not found", errno=2)
        if not self._answers:
            raise usb.core.USBTimeoutError("Operation timed out", errno=110)
        answer, self._answers = self._answers[:size], self._answers[size:]
        return array("B", answer)


class FakeUsbBus:
    """Stands for `usb.core.find` over the devices plugged in."""

    def __init__(self, *devices: Any) -> None:
        self.devices = list(devices)

    def find(self, find_all: bool = False, **match: Any) -> Any:
        found = [d for d in self.devices
                 if all(getattr(d, key) == value for key, value in match.items())]
        if find_all:
            return iter(found)
        return found[0] if found else None
