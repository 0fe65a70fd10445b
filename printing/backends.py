"""Printer connections built on python-escpos' printer classes.

A backend is one connection for one job: open, ask the status, write, ask
again, close. Errors come out as `PrinterUnavailableError` subclasses carrying
the state to show, never as a driver's own exception, and a missing driver
module (pyusb, pyserial, pycups) is reported, not raised as ImportError.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
from collections.abc import Callable
from typing import Any

from escpos import printer as escpos_printers
from escpos.escpos import Escpos
from escpos.exceptions import DeviceNotFoundError

from .config import PrinterConfig, PrinterKind
from .errors import (
    BackendUnavailableError,
    DriverMissingError,
    PrinterOfflineError,
    UnconfirmedDeliveryError,
)
from .printer_status import STATUS_QUERIES, PrinterState, state_from_status_bytes
from .usb_printers import printer_endpoints

__all__ = [
    "BackendFactory",
    "FileBackend",
    "NetworkBackend",
    "PrinterBackend",
    "SerialBackend",
    "UsbBackend",
    "SpoolerBackend",
    "make_backend",
]


class PrinterBackend:
    """Base: any python-escpos printer, status read through its `_read()` if it has one."""

    reads_status = False
    submits_on_close = False  # True: write() only buffers, close() hands the job over

    def __init__(self, config: PrinterConfig, printer: Escpos) -> None:
        self.config = config
        self.printer = printer

    @property
    def description(self) -> str:
        return f"{self.config.kind.value} {self.config.address}".strip()

    def open(self) -> None:
        try:
            self.printer.open()
        except (DeviceNotFoundError, OSError) as exc:
            raise PrinterOfflineError(f"{self.description}: {exc}") from exc

    def write(self, data: bytes) -> None:
        try:
            self.printer._raw(data)
        except Exception as exc:  # drivers raise their own types (USBError, SerialException)
            raise PrinterOfflineError(f"{self.description}: write failed: {exc}") from exc

    def query_state(self) -> PrinterState | None:
        """Paper / cover state, or None when the printer does not answer (unknown)."""
        if not self.reads_status:
            return None
        answers: list[int | None] = []
        for query in STATUS_QUERIES:
            byte = self._status_byte(query)
            if byte is None:
                break  # a printer that ignores one query ignores the others: don't wait 3 times
            answers.append(byte)
        answers += [None] * (3 - len(answers))
        return state_from_status_bytes(*answers)

    def _status_byte(self, query: bytes) -> int | None:
        try:
            self.printer._raw(query)
            answer = self.printer._read()
        except Exception:
            return None
        return answer[0] if answer else None

    def close(self) -> None:
        """Finish the job; raises if the bytes may not have reached the printer."""
        try:
            self.printer.close()
        except Exception as exc:
            raise PrinterOfflineError(f"{self.description}: close failed: {exc}") from exc

    def abort(self) -> None:
        try:
            self.printer.close()
        except Exception:
            pass


class NetworkBackend(PrinterBackend):
    """Raw TCP (port 9100). Unlike python-escpos' close(), ours reports a dirty close."""

    reads_status = True

    def __init__(self, config: PrinterConfig) -> None:
        if not config.address:
            raise BackendUnavailableError("network printer without address", PrinterState.ERROR)
        super().__init__(
            config,
            escpos_printers.Network(
                host=config.address,
                port=config.port,
                timeout=config.timeout_s,
                profile=config.profile,
            ),
        )

    @property
    def description(self) -> str:
        return f"{self.config.address}:{self.config.port}"

    def open(self) -> None:
        super().open()
        # A 3-byte status query right after the ticket would otherwise wait for the
        # printer's delayed ACK (Nagle): ~40 ms per check.
        self._socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    @property
    def _socket(self) -> socket.socket:
        sock = self.printer._device
        if not isinstance(sock, socket.socket):
            raise PrinterOfflineError(f"{self.description}: not connected")
        return sock

    def _status_byte(self, query: bytes) -> int | None:
        sock = self._socket
        try:
            sock.sendall(query)
            sock.settimeout(self.config.status_timeout_s)
            answer = sock.recv(1)
        except TimeoutError:
            return None
        except OSError as exc:
            raise PrinterOfflineError(f"{self.description}: connection lost: {exc}") from exc
        finally:
            sock.settimeout(self.config.timeout_s)
        if not answer:
            # EOF: the printer hung up, so it may not have taken everything we sent.
            raise PrinterOfflineError(f"{self.description}: printer closed the connection")
        return answer[0]

    def close(self) -> None:
        sock = self._socket
        try:
            sock.shutdown(socket.SHUT_WR)  # FIN after the last byte
            sock.close()
        except OSError as exc:
            raise PrinterOfflineError(f"{self.description}: unclean close: {exc}") from exc
        finally:
            self.printer._device = False


class _AppendingFile(escpos_printers.File):
    """python-escpos' File truncates ('wb'); the demo's file printer keeps every job."""

    def open(self, raise_not_found: bool = True) -> None:
        try:
            self.device = open(self.devfile, "ab")
        except OSError as exc:
            self.device = None
            raise DeviceNotFoundError(f"Could not open {self.devfile}: {exc}") from exc


class FileBackend(PrinterBackend):
    def __init__(self, config: PrinterConfig) -> None:
        if not config.address:
            raise BackendUnavailableError("file printer without path", PrinterState.ERROR)
        super().__init__(
            config, _AppendingFile(devfile=config.address, auto_flush=False, profile=config.profile)
        )


class SpoolerBackend(PrinterBackend):
    """System print queue in raw mode: CUPS (pycups, else `lp`) or the Windows spooler.

    The job counts as printed once the spooler accepted it; the spooler then delivers it
    (and retries on its own while the printer is away)."""

    submits_on_close = True  # nothing leaves before close(): its failure is a plain retry

    def __init__(self, config: PrinterConfig) -> None:
        super().__init__(config, _spooler_printer(config))

    @property
    def description(self) -> str:
        return f"print queue {self.config.address!r}"

    def open(self) -> None:
        try:
            self.printer.open(job_name="Comptoir")
        except (DeviceNotFoundError, OSError, RuntimeError) as exc:
            raise PrinterOfflineError(f"{self.description}: {exc}") from exc

    def close(self) -> None:
        if isinstance(self.printer, _LpJob):
            self.printer.submit(self.config.timeout_s, self.description)
        else:
            super().close()

    def abort(self) -> None:
        # CupsPrinter.close() would submit the half-written job: drop its buffer instead.
        clear = getattr(self.printer, "_clear", None)
        if clear is not None:
            clear()
            self.printer._device = False
            return
        super().abort()


class _LpJob(escpos_printers.LP):
    """python-escpos' LP, minus its faults: it ignored lp's exit status (a queue refusing
    jobs or a CUPS gone away passed for a printed ticket), threw lp's messages away, and
    closing after a failure (or from __del__) submitted the half-written job.

    The job is kept here and handed to lp whole by ``submit()``: lp creates its CUPS job as
    soon as it starts, before reading its input, so a job aborted after lp had started left
    a job in CUPS (cancelled, empty, but listed), whatever the timing of the kill."""

    _job: bytearray | None = None

    def open(self, job_name: str = "Comptoir", raise_not_found: bool = True,
             _close_opened: bool = True) -> None:
        # No `lpstat` check first: lp itself says whether the queue exists, and says
        # "cannot reach the server" rather than "incorrect printer name" when CUPS is down.
        self.job_name = job_name
        self._job = bytearray()
        self._device = None  # opened: nothing runs before submit()

    def _raw(self, msg: bytes) -> None:  # every write of python-escpos ends here
        if self._job is None:
            raise PrinterOfflineError("no job open")
        self._job += msg

    def submit(self, timeout_s: float, description: str) -> None:
        """The whole job to lp, which hands it to CUPS; raises unless lp says it did."""
        job, self._job = self._job, None
        self._device = False
        if job is None:
            raise PrinterOfflineError(f"{description}: no job open")
        try:
            lp = subprocess.run(
                ["lp", "-d", self.printer_name, "-t", self.job_name, "-o", "raw"],
                input=bytes(job), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                timeout=timeout_s, check=False)
        except subprocess.TimeoutExpired as exc:  # run() has killed it
            # It had the whole job: CUPS may hold it already. Never a silent second ticket.
            raise UnconfirmedDeliveryError(f"{description}: lp did not answer") from exc
        except (OSError, ValueError, subprocess.SubprocessError) as exc:  # no lp; a NUL byte
            raise PrinterOfflineError(f"{description}: {exc}") from exc
        if lp.returncode:
            complaint = lp.stderr.decode(errors="replace").strip()
            raise PrinterOfflineError(
                f"{description}: lp refused the job ({complaint or f'status {lp.returncode}'})")

    def cancel(self) -> None:
        """Drop the job: lp never ran for it, so CUPS never heard of it."""
        self._job = None
        self._device = False

    def close(self) -> None:  # Escpos.__del__ calls it: never submit from there
        self.cancel()


def _spooler_printer(config: PrinterConfig) -> Escpos:
    if sys.platform.startswith("win"):
        _require(escpos_printers.Win32Raw, "pywin32")
        return escpos_printers.Win32Raw(printer_name=config.address, profile=config.profile)
    if escpos_printers.CupsPrinter.is_usable():
        return escpos_printers.CupsPrinter(printer_name=config.address, profile=config.profile)
    if shutil.which("lp"):
        return _LpJob(printer_name=config.address, profile=config.profile)
    raise DriverMissingError(
        "system printing needs pycups (pip install pycups) or the `lp` command (CUPS)"
    )


def _require(printer_class: Any, package: str) -> None:
    if not printer_class.is_usable():
        raise DriverMissingError(
            f"{printer_class.__name__} printers need the {package} package: pip install {package}"
        )


class _EndpointUsb(escpos_printers.Usb):
    """python-escpos' Usb, with the endpoints read from the device's printer interface
    (its defaults 0x01/0x82 are Epson's; many 58 mm printers use 0x03/0x81)."""

    def open(self, raise_not_found: bool = True) -> None:
        super().open(raise_not_found)
        endpoints = printer_endpoints(self._device) if self._device else None
        if endpoints is not None:
            self.out_ep, in_ep = endpoints
            if in_ep is not None:
                self.in_ep = in_ep


class UsbBackend(PrinterBackend):
    reads_status = True

    def __init__(self, config: PrinterConfig) -> None:
        _require(escpos_printers.Usb, "pyusb")
        if config.usb_vendor_id is None or config.usb_product_id is None:
            raise BackendUnavailableError("USB printer needs vendor and product ids")
        super().__init__(config, _EndpointUsb(
            idVendor=config.usb_vendor_id,
            idProduct=config.usb_product_id,
            timeout=int(config.timeout_s * 1000),  # pyusb counts milliseconds; 0 would wait forever
            profile=config.profile,
        ))

    @property
    def description(self) -> str:
        return f"USB {self.config.usb_vendor_id:04x}:{self.config.usb_product_id:04x}"

    def _status_byte(self, query: bytes) -> int | None:
        usb = self.printer
        if not usb._device:
            raise PrinterOfflineError(f"{self.description}: not connected")
        try:
            usb._device.write(usb.out_ep, query, usb.timeout)
            answer = usb._device.read(usb.in_ep, 16, int(self.config.status_timeout_s * 1000))
        except Exception as exc:
            if type(exc).__name__ == "USBTimeoutError":
                return None  # a printer that does not answer status queries
            # USBError "No such device": unplugged mid-job, so it may not have everything.
            raise PrinterOfflineError(f"{self.description}: {exc}") from exc
        return answer[0] if len(answer) else None


class SerialBackend(PrinterBackend):
    """RS-232 / USB-serial adapter through pyserial."""

    reads_status = True

    def __init__(self, config: PrinterConfig) -> None:
        # Checked before construction: Serial() itself hits a NameError without pyserial.
        _require(escpos_printers.Serial, "pyserial")
        if not config.address:
            raise BackendUnavailableError(
                "serial printer without device (e.g. /dev/ttyUSB0, COM3)", PrinterState.ERROR
            )
        super().__init__(config, escpos_printers.Serial(
            devfile=config.address,
            baudrate=config.baudrate,
            timeout=config.status_timeout_s,
            profile=config.profile,
        ))

    @property
    def description(self) -> str:
        return f"{self.config.address} ({self.config.baudrate} baud)"

    def open(self) -> None:
        super().open()
        # python-escpos opens the port without a write timeout: a printer switched off
        # (flow control holding, a full buffer) would block the queue thread for ever.
        self._port.write_timeout = self.config.timeout_s

    @property
    def _port(self) -> Any:
        port = self.printer.device
        if not port:
            raise PrinterOfflineError(f"{self.description}: not connected")
        return port

    def _status_byte(self, query: bytes) -> int | None:
        # escpos' Serial._read() asks for 16 bytes, so every one-byte answer would cost
        # the whole timeout: read exactly the one byte a DLE EOT answer has.
        port = self._port
        try:
            port.write(query)
            answer = port.read(1)
        except Exception as exc:  # SerialException: adapter unplugged
            raise PrinterOfflineError(f"{self.description}: port lost: {exc}") from exc
        return answer[0] if answer else None


BackendFactory = Callable[[], PrinterBackend]

_BUILDERS: dict[PrinterKind, Callable[[PrinterConfig], PrinterBackend]] = {
    PrinterKind.NETWORK: NetworkBackend,
    PrinterKind.FILE: FileBackend,
    PrinterKind.SPOOLER: SpoolerBackend,
    PrinterKind.USB: UsbBackend,
    PrinterKind.SERIAL: SerialBackend,
}


def make_backend(config: PrinterConfig) -> PrinterBackend:
    """A fresh, unopened backend for `config`; raises BackendUnavailableError if it cannot work here."""
    return _BUILDERS[config.kind](config)
