"""Send one job's bytes over one backend connection and say whether the printer took them."""

from __future__ import annotations

import logging
from collections.abc import Callable

from .backends import PrinterBackend
from .errors import PrinterNotReadyError, PrinterUnavailableError, UnconfirmedDeliveryError
from .printer_status import PrinterState

__all__ = ["deliver"]

log = logging.getLogger(__name__)


def deliver(
    backend: PrinterBackend,
    payload: bytes,
    before_first_byte: Callable[[], None] | None = None,
) -> PrinterState | None:
    """Open, check, write everything, re-check, close. Returns the state seen after the job
    (None: the printer does not answer status queries).

    Raises PrinterUnavailableError subclasses; nothing has been sent when the printer
    reported paper out / cover open beforehand; UnconfirmedDeliveryError when every
    byte was written but the printer then did not confirm (see printing/README.md).
    `before_first_byte` runs right before writing, so the journal marks a job
    'printing' only once bytes may reach the paper.
    """
    backend.open()
    try:
        before = backend.query_state()
        if before is not None and not before.is_ready:
            raise PrinterNotReadyError(before.message_en, before)
        if before_first_byte is not None:
            before_first_byte()
        backend.write(payload)
    except BaseException:
        backend.abort()
        raise
    # Every byte, cut included, was taken by the connection. From here on a failure
    # cannot tell "printed" from "lost": it must never become a silent resend.
    try:
        # A status answer comes back only once the printer has read every byte sent
        # before the query (TCP keeps order): it proves delivery. Asked even when the
        # first query went unanswered: waiting for it is what reveals a hang-up.
        after = backend.query_state()
    except PrinterUnavailableError as exc:
        backend.abort()
        raise UnconfirmedDeliveryError(f"{exc.detail} (after the whole ticket)") from exc
    except BaseException:
        backend.abort()
        raise
    if after is None:
        try:
            backend.close()  # without a status answer, a clean close is our only proof
        except PrinterUnavailableError as exc:
            if backend.submits_on_close:  # a spooler that refused the job: nothing printed
                raise
            raise UnconfirmedDeliveryError(f"{exc.detail} (after the whole ticket)") from exc
        return after
    try:
        backend.close()
    except PrinterUnavailableError:
        # The status answer already proved every byte was read: printed, do not resend.
        log.warning("printer connection closed badly after a confirmed job")
    return after
