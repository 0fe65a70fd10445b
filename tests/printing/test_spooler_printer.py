"""The system spooler for real: the queue hands the ticket to `lp`, a private cupsd sends it
through a raw queue (socket backend) to the virtual network printer."""

from __future__ import annotations

import itertools
import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from escpos import printer as escpos_printers

from printing import journal
from printing import printer_test_ticket as test_page
from printing.backends import make_backend
from printing.config import PrinterConfig
from printing.enqueue import enqueue_order
from printing.errors import PrinterOfflineError, UnconfirmedDeliveryError
from printing.escpos_decode import decode_escpos
from printing.printer_status import PrinterState
from printing.queue import PrintQueue
from printing.virtual_printer import VirtualPrinter

from .cups_server import CupsServer, free_port
from .samples import wait_for

_names = (f"Comptoir-{n}" for n in itertools.count(1))


@pytest.fixture(scope="module")
def cups() -> Iterator[CupsServer]:
    with CupsServer() as server:
        yield server


@pytest.fixture
def spooler(cups: CupsServer, printer: VirtualPrinter,
            monkeypatch: pytest.MonkeyPatch) -> PrinterConfig:
    """A raw CUPS queue in front of the virtual printer, and settings naming it."""
    monkeypatch.setenv("CUPS_SERVER", cups.address)  # lp and lpstat, as the app runs them
    name = next(_names)
    cups.add_raw_queue(name, f"socket://{printer.host}:{printer.port}")
    return PrinterConfig(kind="spooler", address=name, paper_width_mm=58)


def _enqueue(db_path: Path, order: dict, shop: dict, config: PrinterConfig) -> int:
    conn = journal.connect(db_path)
    with journal.transaction(conn):
        (job_id,) = enqueue_order(conn, order, shop, config)
    conn.close()
    return job_id


def _job(db_path: Path, job_id: int) -> journal.JobRow:
    conn = journal.connect(db_path)
    try:
        job = journal.get_job(conn, job_id)
        assert job is not None
        return job
    finally:
        conn.close()


def test_spooler_backend_is_lp_on_this_machine(spooler: PrinterConfig) -> None:
    # What these tests exercise: without pycups the backend drives CUPS' own `lp`.
    assert isinstance(make_backend(spooler).printer, escpos_printers.LP)


def test_order_goes_through_cups_to_the_printer(
    make_queue: Callable[..., PrintQueue], spooler: PrinterConfig, printer: VirtualPrinter,
    db_path: Path, order: dict, shop: dict,
) -> None:
    job_id = _enqueue(db_path, order, shop, spooler)
    make_queue(spooler).start()
    wait_for(lambda: _job(db_path, job_id).state == "printed", timeout=15)
    assert printer.wait_until(lambda p: len(p.jobs) == 1, timeout=15)
    ticket = decode_escpos(printer.jobs[0])
    assert order["id"] in ticket.qr_payloads and len(ticket.cuts) == 1
    assert any("N° 12" in line for line in ticket.text_lines)
    assert _job(db_path, job_id).attempts == 1


def test_unknown_queue_keeps_the_job_until_it_exists(
    make_queue: Callable[..., PrintQueue], cups: CupsServer, spooler: PrinterConfig,
    printer: VirtualPrinter, db_path: Path, order: dict, shop: dict,
) -> None:
    config = spooler.with_changes(address="Caisse-absente")
    job_id = _enqueue(db_path, order, shop, config)
    queue = make_queue(config)
    queue.start()
    wait_for(lambda: queue.status is not None, timeout=15)
    assert queue.status.state is PrinterState.OFFLINE
    assert "Caisse-absente" in queue.status.detail
    assert _job(db_path, job_id).state == "queued" and printer.jobs == []
    cups.add_raw_queue("Caisse-absente", f"socket://{printer.host}:{printer.port}")
    queue.wake()
    wait_for(lambda: _job(db_path, job_id).state == "printed", timeout=15)
    assert printer.wait_until(lambda p: len(p.jobs) == 1, timeout=15)


def test_queue_refusing_jobs_is_not_taken_for_a_printed_ticket(
    make_queue: Callable[..., PrintQueue], cups: CupsServer, spooler: PrinterConfig,
    printer: VirtualPrinter, db_path: Path, order: dict, shop: dict,
) -> None:
    cups.run("cupsreject", spooler.address)  # lp answers with an error and exit status 1
    job_id = _enqueue(db_path, order, shop, spooler)
    queue = make_queue(spooler)
    queue.start()
    wait_for(lambda: queue.status is not None, timeout=15)
    assert queue.status.state is PrinterState.OFFLINE and "lp refused" in queue.status.detail
    assert _job(db_path, job_id).state == "queued"
    cups.run("cupsaccept", spooler.address)
    queue.wake()
    wait_for(lambda: _job(db_path, job_id).state == "printed", timeout=15)
    assert printer.wait_until(lambda p: len(p.jobs) == 1, timeout=15)
    ticket = decode_escpos(printer.jobs[0])
    assert order["id"] in ticket.qr_payloads
    # lp refused the job before CUPS had a byte of it: the first print is no DUPLICATA
    assert not any("DUPLICATA" in line for line in ticket.text_lines)


def test_test_print_through_cups(spooler: PrinterConfig, printer: VirtualPrinter) -> None:
    status = test_page.test_print(spooler)
    assert status.state is PrinterState.READY
    assert printer.wait_until(lambda p: len(p.jobs) == 1, timeout=15)
    assert decode_escpos(printer.jobs[0]).qr_payloads == ["comptoir-test"]


def test_cups_not_running_is_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CUPS_SERVER", f"127.0.0.1:{free_port()}")  # nothing listens there
    status = test_page.test_print(PrinterConfig(kind="spooler", address="TM-T20"))
    assert status.state is PrinterState.OFFLINE and "TM-T20" in status.detail


def test_aborted_job_never_reaches_cups(cups: CupsServer, spooler: PrinterConfig,
                                        printer: VirtualPrinter,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    # lp creates its CUPS job as soon as it starts, before reading a byte: killing it
    # mid-job left a cancelled job in CUPS (seen once in CI, when lp was quicker than the
    # kill). So lp runs only for a whole job, never for an aborted one.
    started: list[list[str]] = []
    real_popen = subprocess.Popen

    def recording_popen(args, *rest, **kwargs):
        started.append(list(args))
        return real_popen(args, *rest, **kwargs)

    with monkeypatch.context() as patched:
        patched.setattr(subprocess, "Popen", recording_popen)
        backend = make_backend(spooler)
        backend.open()
        backend.write(b"\x1b@half a ticket")
        backend.abort()  # e.g. the job was taken by another worker: nothing may be submitted
    assert not [args for args in started if args and args[0] == "lp"]
    assert cups.run("lpstat", "-W", "all", "-o", spooler.address).stdout == ""
    test_page.test_print(spooler)  # a later job goes through alone
    assert printer.wait_until(lambda p: len(p.jobs) == 1, timeout=15)
    assert b"half a ticket" not in printer.jobs[0]


def test_lp_that_hangs_with_the_whole_job_makes_it_uncertain(
        spooler: PrinterConfig, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """lp had every byte when it stopped answering: CUPS may hold the job, so the queue
    must ask before printing it again (a reprint marked DUPLICATA), never resend it."""
    fake = tmp_path / "bin" / "lp"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\ncat > /dev/null\nexec sleep 30\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}:{os.environ['PATH']}")
    backend = make_backend(spooler.with_changes(timeout_s=0.5))
    backend.open()
    backend.write(b"\x1b@a whole ticket")
    with pytest.raises(UnconfirmedDeliveryError, match="lp did not answer"):
        backend.close()


def test_a_queue_name_lp_cannot_take_is_offline_not_a_crash(spooler: PrinterConfig) -> None:
    backend = make_backend(spooler.with_changes(address="Caisse\x00bis"))
    backend.open()
    backend.write(b"\x1b@ticket")
    with pytest.raises(PrinterOfflineError):
        backend.close()
