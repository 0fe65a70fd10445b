"""Serial printers through a real pseudo-terminal pair (socat): pyserial, termios, real bytes."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from printing import journal
from printing import printer_test_ticket as test_page
from printing.config import PrinterConfig
from printing.enqueue import enqueue_order
from printing.escpos_decode import decode_escpos
from printing.printer_status import PrinterState
from printing.queue import PrintQueue

from .pty_printer import PtyPrinter
from .samples import wait_for


@pytest.fixture
def pty_printer(tmp_path: Path) -> Iterator[PtyPrinter]:
    with PtyPrinter(tmp_path) as printer:
        yield printer


def _serial_config(printer: PtyPrinter, **changes: object) -> PrinterConfig:
    return PrinterConfig(kind="serial", address=str(printer.device), baudrate=19200,
                         paper_width_mm=58, timeout_s=1.0, status_timeout_s=1.0).with_changes(
        **changes)


def _state(db_path: Path, job_id: int) -> str:
    conn = journal.connect(db_path)
    try:
        job = journal.get_job(conn, job_id)
        assert job is not None
        return job.state
    finally:
        conn.close()


def test_order_goes_from_the_queue_to_the_serial_line(
    make_queue: Callable[..., PrintQueue], pty_printer: PtyPrinter, db_path: Path,
    order: dict, shop: dict,
) -> None:
    config = _serial_config(pty_printer)
    conn = journal.connect(db_path)
    with journal.transaction(conn):
        (job_id,) = enqueue_order(conn, order, shop, config)
    conn.close()
    queue = make_queue(config)
    queue.start()
    wait_for(lambda: _state(db_path, job_id) == "printed", timeout=10)
    ticket = decode_escpos(pty_printer.payload)
    assert order["id"] in ticket.qr_payloads and len(ticket.cuts) == 1
    assert any("N° 12" in line for line in ticket.text_lines)
    wait_for(lambda: queue.status is not None)  # reported just after the job is marked printed
    assert queue.status.state is PrinterState.READY


def test_status_answers_are_read_without_waiting_for_the_timeout(pty_printer: PtyPrinter) -> None:
    # Six status queries per job (three before, three after): reading 16 bytes for a
    # one-byte answer made each one wait the whole timeout, 6 × 2 s here.
    config = _serial_config(pty_printer, status_timeout_s=2.0)
    started = time.monotonic()
    status = test_page.test_print(config)
    elapsed = time.monotonic() - started
    assert status.state is PrinterState.READY
    assert elapsed < 2.0, f"test print took {elapsed:.1f} s"
    assert decode_escpos(pty_printer.payload).qr_payloads == ["comptoir-test"]


def test_paper_out_on_the_serial_line_sends_nothing(pty_printer: PtyPrinter) -> None:
    pty_printer.paper_out = True
    status = test_page.test_print(_serial_config(pty_printer))
    assert status.state is PrinterState.PAPER_OUT
    assert pty_printer.payload == b""  # only status queries went out


def test_printer_that_never_answers_is_unknown_not_failed(pty_printer: PtyPrinter) -> None:
    pty_printer.answers_status = False
    status = test_page.test_print(_serial_config(pty_printer, status_timeout_s=0.2))
    assert status.state is PrinterState.READY  # delivered; the state itself is unknown
    assert pty_printer.wait_until(lambda p: b"comptoir-test" in p.payload)


def test_missing_serial_device_is_offline(tmp_path: Path) -> None:
    config = PrinterConfig(kind="serial", address=str(tmp_path / "ttyUSB9"))
    status = test_page.test_print(config)
    assert status.state is PrinterState.OFFLINE and "ttyUSB9" in status.detail


def test_a_printer_that_takes_nothing_cannot_block_the_queue_thread() -> None:
    # A real pty whose far end nobody reads (the printer is off): once its buffer is
    # full, a write without a write timeout would never return.
    import os
    import threading

    from printing.backends import SerialBackend
    from printing.errors import PrinterOfflineError

    controller, line = os.openpty()
    try:
        backend = SerialBackend(PrinterConfig(kind="serial", address=os.ttyname(line),
                                              timeout_s=0.5))
        backend.open()
        outcome: list[BaseException | None] = []

        def write() -> None:
            try:
                backend.write(b"x" * 1_000_000)
                outcome.append(None)
            except BaseException as exc:  # noqa: BLE001 (reported to the test below)
                outcome.append(exc)

        writer = threading.Thread(target=write, daemon=True)
        started = time.monotonic()
        writer.start()
        writer.join(timeout=5)
        assert not writer.is_alive(), "the write blocked past its timeout"
        assert time.monotonic() - started < 3
        assert isinstance(outcome[0], PrinterOfflineError)
        backend.abort()
    finally:
        os.close(controller)  # unblocks a writer stuck without the fix
        os.close(line)
