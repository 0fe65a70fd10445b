"""USB printers without hardware: the real code down to pyusb's Device calls.

What is real: printing.usb_printers' listing, python-escpos' Usb driver and our
backend, the queue, the ESC/POS bytes. What is faked: `usb.core.find` and the
Device it returns (tests/printing/fake_usb.py). Not covered here: libusb's
transfers, kernel driver detach, udev permissions and Windows drivers.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import usb.core

from printing import journal
from printing import printer_test_ticket as test_page
from printing.config import PrinterConfig
from printing.enqueue import enqueue_order
from printing.escpos_decode import decode_escpos
from printing.printer_status import PrinterState
from printing.queue import PrintQueue
from printing.usb_printers import UsbPrinter, UsbScanError, find_usb_printers

from .fake_usb import FakeUsbBus, FakeUsbDevice, Interface
from .samples import wait_for


def _usb_config(device: FakeUsbDevice) -> PrinterConfig:
    return PrinterConfig(kind="usb", usb_vendor_id=device.idVendor,
                         usb_product_id=device.idProduct, paper_width_mm=58,
                         timeout_s=0.5, status_timeout_s=0.2)


@pytest.fixture
def plug(monkeypatch: pytest.MonkeyPatch) -> Callable[..., FakeUsbBus]:
    """Devices plugged in, as python-escpos' Usb finds them through usb.core.find."""
    def plug_in(*devices: FakeUsbDevice) -> FakeUsbBus:
        bus = FakeUsbBus(*devices)
        monkeypatch.setattr(usb.core, "find", bus.find)
        return bus
    return plug_in


def test_lists_printers_with_their_ids() -> None:
    bus = FakeUsbBus(
        FakeUsbDevice.printer(0x04B8, 0x0E15, manufacturer="EPSON", product="TM-T20II"),
        FakeUsbDevice(0x046D, 0xC31C, [Interface(3)], product="USB Keyboard"),  # a keyboard
        FakeUsbDevice.printer(0x0416, 0x5011, out_ep=0x03, in_ep=0x81, strings_readable=False),
        FakeUsbDevice(0x0FE6, 0x811E, [], device_class=7, product="POS-80"),
    )
    printers = find_usb_printers(bus.find)
    assert [p.label for p in printers] == [
        "0416:5011",  # strings need access to the device: the ids still identify it
        "EPSON TM-T20II (04b8:0e15)",
        "POS-80 (0fe6:811e)",
    ]
    assert printers[1] == UsbPrinter(0x04B8, 0x0E15, "EPSON TM-T20II", 1, 4)


def test_listing_without_libusb_is_a_clear_error() -> None:
    def no_backend(**_: object) -> None:
        raise usb.core.NoBackendError("No backend available")

    with pytest.raises(UsbScanError, match="No backend available") as raised:
        find_usb_printers(no_backend)
    assert raised.value.code == UsbScanError.NO_LIBUSB  # the UI's advice: install libusb


def test_listing_through_pyusb_on_this_machine() -> None:
    # The real usb.core.find with libusb: a machine with no USB bus lists nothing, no error.
    assert all(isinstance(p, UsbPrinter) for p in find_usb_printers())


def test_order_goes_from_the_queue_to_the_usb_endpoint(
    plug: Callable[..., FakeUsbBus], make_queue: Callable[..., PrintQueue], db_path: Path,
    order: dict, shop: dict,
) -> None:
    device = FakeUsbDevice.printer()
    plug(device)
    config = _usb_config(device)
    conn = journal.connect(db_path)
    with journal.transaction(conn):
        (job_id,) = enqueue_order(conn, order, shop, config)
    conn.close()
    queue = make_queue(config)
    queue.start()

    def printed() -> bool:
        conn = journal.connect(db_path)
        try:
            job = journal.get_job(conn, job_id)
            return job is not None and job.state == "printed"
        finally:
            conn.close()

    wait_for(printed)
    ticket = decode_escpos(bytes(device.received))
    assert order["id"] in ticket.qr_payloads and len(ticket.cuts) == 1
    wait_for(lambda: queue.status is not None)  # reported just after the job is marked printed
    assert queue.status.state is PrinterState.READY
    assert not device.kernel_driver_active  # usblp let go of the interface
    assert device.disposed  # and we released it after the job


def test_endpoints_are_read_from_the_device(plug: Callable[..., FakeUsbBus]) -> None:
    # A 58 mm clone with OUT 0x03 / IN 0x81: python-escpos' defaults (0x01/0x82) fail on it.
    device = FakeUsbDevice.printer(0x0416, 0x5011, out_ep=0x03, in_ep=0x81)
    plug(device)
    status = test_page.test_print(_usb_config(device))
    assert status.state is PrinterState.READY
    assert decode_escpos(bytes(device.received)).qr_payloads == ["comptoir-test"]


def test_printer_not_plugged_in_is_offline(plug: Callable[..., FakeUsbBus]) -> None:
    plug()  # nothing on the bus
    config = PrinterConfig(kind="usb", usb_vendor_id=0x04B8, usb_product_id=0x0E15)
    status = test_page.test_print(config)
    assert status.state is PrinterState.OFFLINE and "04b8:0e15" in status.detail


def test_unplugged_mid_job_is_offline(plug: Callable[..., FakeUsbBus]) -> None:
    device = FakeUsbDevice.printer()
    plug(device)
    original_write = device.write

    def write_then_unplug(endpoint: int, data: bytes, timeout: int | None = None) -> int:
        written = original_write(endpoint, data, timeout)
        if len(data) > 3:  # the ticket went out, then the cable was pulled
            device.unplugged = True
        return written

    device.write = write_then_unplug  # type: ignore[method-assign]
    status = test_page.test_print(_usb_config(device))
    assert status.state is PrinterState.OFFLINE and "No such device" in status.detail


def test_printer_that_never_answers_status_is_unknown_not_failed(
    plug: Callable[..., FakeUsbBus],
) -> None:
    device = FakeUsbDevice.printer()
    device.answers_status = False
    plug(device)
    assert test_page.test_print(_usb_config(device)).state is PrinterState.READY
    assert decode_escpos(bytes(device.received)).qr_payloads == ["comptoir-test"]


def test_a_ticket_cut_off_mid_write_is_resent_as_duplicata(
    plug: Callable[..., FakeUsbBus], make_queue: Callable[..., PrintQueue], db_path: Path,
    order: dict, shop: dict,
) -> None:
    """The transfer times out once every line is out but before the cut: the paper holds
    the ticket, so the resend must not pass for the first and only one."""
    device = FakeUsbDevice.printer()
    plug(device)
    original_write = device.write
    first_try: list[bytes] = []

    def cut_off_before_the_cut(endpoint: int, data: bytes, timeout: int | None = None) -> int:
        data = bytes(data)
        if len(data) > 3 and not first_try:
            first_try.append(data)
            original_write(endpoint, data[: data.rfind(b"\x1dV")], timeout)
            raise usb.core.USBTimeoutError("Operation timed out", errno=110)
        return original_write(endpoint, data, timeout)

    device.write = cut_off_before_the_cut  # type: ignore[method-assign]
    config = _usb_config(device)
    conn = journal.connect(db_path)
    with journal.transaction(conn):
        (job_id,) = enqueue_order(conn, order, shop, config)
    conn.close()
    queue = make_queue(config)
    queue.start()

    def job() -> journal.JobRow:
        conn = journal.connect(db_path)
        try:
            row = journal.get_job(conn, job_id)
            assert row is not None
            return row
        finally:
            conn.close()

    wait_for(lambda: job().state == "printed")
    paper = decode_escpos(bytes(device.received))
    assert paper.qr_payloads == [order["id"], order["id"]] and len(paper.cuts) == 1
    lines = [line.text.strip() for line in paper.lines]
    assert lines.count("DUPLICATA") == 1 and "1er envoi interrompu" in lines
    assert "DUPLICATA" in job().document and job().attempts == 2
