"""Why a ticket could not be printed; each error carries the state to show.

PrinterUnavailableError
├── PrinterOfflineError          cannot connect, timed out, dropped mid-job
│   └── UnconfirmedDeliveryError every byte written, then no confirmation
├── PrinterNotReadyError         paper out, cover open, error (nothing sent)
└── BackendUnavailableError      driver missing or settings incomplete
"""

from __future__ import annotations

from .printer_status import PrinterState

__all__ = [
    "BackendUnavailableError",
    "DriverMissingError",
    "PrinterNotReadyError",
    "PrinterOfflineError",
    "PrinterUnavailableError",
    "UnconfirmedDeliveryError",
]


class PrinterUnavailableError(Exception):
    """The job cannot be printed now; it stays queued and is retried."""

    state = PrinterState.ERROR
    # What to tell the shopkeeper (the UI maps it to advice); ``detail`` is for the log.
    cause = "printer_error"

    def __init__(self, detail: str, state: PrinterState | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        if state is not None:
            self.state = state


class PrinterOfflineError(PrinterUnavailableError):
    """Cannot connect, timed out, or the connection dropped mid-job."""

    state = PrinterState.OFFLINE
    cause = "unreachable"


class UnconfirmedDeliveryError(PrinterOfflineError):
    """Every byte of the job was written, then the printer did not confirm it (hung up
    before answering the status query, or the close failed): the paper may hold the whole
    ticket, so sending it again as it was would make a silent second ticket."""


class PrinterNotReadyError(PrinterUnavailableError):
    """The printer answered: paper out, cover open or error."""

    cause = "not_ready"


class BackendUnavailableError(PrinterUnavailableError):
    """The settings cannot work here: a driver module (pyusb, pyserial, pycups) is missing
    or the settings are incomplete. Retrying will not help until the settings change."""

    cause = "incomplete_settings"


class DriverMissingError(BackendUnavailableError):
    """This installation lacks what the printer kind needs (pyusb, pyserial, CUPS)."""

    cause = "driver_missing"
