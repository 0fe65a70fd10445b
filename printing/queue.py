"""The persistent print queue: a worker thread draining `print_jobs` to the printer.

A job is marked printed only after the printer took every byte; offline, paper
out or cover open leave it queued, reported through `on_status`, and retried
with backoff until the printer is back. See printing/README.md for the crash policy.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable, Mapping
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sync.backoff import Backoff

from . import journal
from .backends import PrinterBackend
from .config import PrinterConfig
from .delivery import deliver
from .enqueue import (
    DUPLICATE_BANNER,
    INTERRUPTED_NOTE,
    UNCONFIRMED_NOTE,
    enqueue_document,
    enqueue_order,
    enqueue_reprint,
)
from .errors import PrinterUnavailableError, UnconfirmedDeliveryError
from .escpos_render import render_escpos
from .order_view import ShopInfo
from .printer_status import PrinterState, PrinterStatus
from .ticket import TicketDocument

__all__ = ["JobEvent", "PrintQueue", "enqueue_order"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class JobEvent:
    """What `on_job` receives whenever a job changes state."""

    job_id: int
    job_key: str
    kind: str
    order_id: str | None
    state: str
    attempts: int
    error: str | None = None

    @classmethod
    def from_row(cls, row: journal.JobRow) -> JobEvent:
        return cls(
            row.id, row.job_key, row.kind, row.order_id, row.state, row.attempts, row.last_error
        )


class _JobTaken(Exception):
    """The job left 'queued' between being picked and its first byte."""


class PrintQueue:
    def __init__(
        self,
        db_path: str | Path,
        backend_factory: Callable[[], PrinterBackend],
        on_status: Callable[[PrinterStatus], None] | None = None,
        on_job: Callable[[JobEvent], None] | None = None,
        *,
        retry_base_s: float = 1.0,
        retry_max_s: float = 30.0,
        idle_poll_s: float = 5.0,
    ) -> None:
        """`backend_factory` returns a fresh backend per attempt (e.g. `lambda:
        make_backend(settings.printer)`), so new settings apply to the next job.
        Callbacks run on the worker thread; the GUI should forward them as signals."""
        self.db_path = str(db_path)
        self.backend_factory = backend_factory
        self.on_status = on_status
        self.on_job = on_job
        self.idle_poll_s = idle_poll_s
        # Found quickly when the printer comes back, never in lockstep with another retry.
        self._backoff = Backoff(retry_base_s, retry_max_s, jitter=0.2)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_status: PrinterStatus | None = None

    # -- lifecycle -------------------------------------------------------
    def start(self) -> None:
        """Apply the crash policy (printing → uncertain), then start the worker."""
        if self._thread is not None:
            return
        with self._connection() as conn:
            journal.ensure_schema(conn)
            for job_id in journal.mark_interrupted_uncertain(conn):
                self._emit_job(conn, job_id)
        # A fresh event per worker: one that outlived stop()'s timeout (a slow printer) still
        # sees its own stop and ends after its job, instead of running beside the new one.
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(self._stop,), name="print-queue",
                                        daemon=True)
        self._thread.start()

    def stop(self, timeout: float | None = 10.0) -> None:
        """Let the current job finish (bounded by the printer timeout), then stop."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def wake(self) -> None:
        """New jobs or 'retry now': skip the current backoff wait."""
        self._wake.set()

    @property
    def status(self) -> PrinterStatus | None:
        """The last state reported, None before the first print attempt."""
        return self._last_status

    # -- app-facing operations (any thread; each opens its own connection) --
    def enqueue_order(
        self,
        order: Mapping[str, Any],
        shop: ShopInfo | Mapping[str, Any],
        config: PrinterConfig,
        **kwargs: Any,
    ) -> list[int]:
        """For callers without a transaction of their own; see enqueue.enqueue_order."""
        with self._connection() as conn, journal.transaction(conn):
            ids = enqueue_order(conn, order, shop, config, **kwargs)
        self.wake()
        return ids

    def reprint(self, order_id: str, kitchen: bool = False) -> int:
        with self._connection() as conn, journal.transaction(conn):
            job_id = enqueue_reprint(conn, order_id, kitchen)
        self.wake()
        return job_id

    def submit(self, document: TicketDocument, copies: int = 1) -> int:
        """Queue a test page, Z report or any other document."""
        with self._connection() as conn, journal.transaction(conn):
            job_id = enqueue_document(conn, document, copies=copies)
        self.wake()
        return job_id

    def uncertain_jobs(self) -> list[journal.JobRow]:
        with self._connection() as conn:
            return journal.jobs_in_state(conn, "uncertain")

    def resolve_uncertain(self, job_id: int, reprint: bool) -> bool:
        """Shopkeeper's answer for a job cut by a crash: print again, or it came out fine."""
        with self._connection() as conn:
            changed = journal.resolve_uncertain(conn, job_id, reprint)
            if changed:
                self._emit_job(conn, job_id)
        if changed and reprint:
            self.wake()
        return changed

    def jobs(self, *states: str) -> list[journal.JobRow]:
        with self._connection() as conn:
            return journal.jobs_in_state(conn, *(states or journal.JOB_STATES))

    # -- worker ----------------------------------------------------------
    def _connection(self) -> closing[sqlite3.Connection]:
        return closing(journal.connect(self.db_path))

    def _run(self, stop: threading.Event) -> None:
        with self._connection() as conn:
            while not stop.is_set():
                try:
                    delay = self._step(conn)
                except Exception:  # the worker must survive anything, e.g. a locked database
                    log.exception("print queue step failed")
                    delay = self._backoff.next_delay()
                if delay:
                    self._wake.wait(delay)
                self._wake.clear()

    def _step(self, conn: sqlite3.Connection) -> float:
        """Try the oldest queued job; returns how long to wait before the next step."""
        job = journal.next_queued(conn)
        if job is None:
            return self.idle_poll_s
        try:
            backend = self.backend_factory()
        except PrinterUnavailableError as exc:  # e.g. pyusb missing: wait for new settings
            journal.requeue(conn, job.id, exc.detail, count_attempt=False)
            self._report(PrinterStatus(exc.state, exc.detail, self._queued_count(conn)))
            return self._backoff.next_delay()
        try:
            document = TicketDocument.from_json(job.document)
            config = backend.config
            # Laid out when queued: the paper may have become narrower since.
            payload = render_escpos(document, config.code_page, config.profile, job.copies,
                                    columns=config.line_columns)
        except Exception as exc:  # a document we cannot read will never print
            journal.mark_failed(conn, job.id, f"unreadable document: {exc!r}")
            self._emit_job(conn, job.id)
            return 0
        sent = False

        def mark_sending() -> None:
            nonlocal sent
            if not journal.mark_printing(conn, job.id):
                # Someone else took it (or it was resolved meanwhile): never send it twice.
                raise _JobTaken(job.id)
            sent = True
            self._emit_job(conn, job.id)

        try:
            after = deliver(backend, payload, mark_sending)
        except _JobTaken:  # deliver() has already dropped the connection
            return 0.0
        except UnconfirmedDeliveryError as exc:
            # The paper may hold the whole ticket: the next copy says DUPLICATA, so a
            # second ticket is never silent and an order is never left unprinted.
            duplicate = document.with_banner(DUPLICATE_BANNER, UNCONFIRMED_NOTE)
            journal.requeue_unconfirmed(conn, job.id, duplicate.to_json(), exc.detail)
            self._emit_job(conn, job.id)
            self._report(PrinterStatus(exc.state, exc.detail, self._queued_count(conn)))
            return self._backoff.next_delay()
        except PrinterUnavailableError as exc:
            # Cut off mid-write: the paper may hold all of it but the cut (a spooler that
            # refused the job printed nothing: its writes only fill a buffer).
            if sent and not backend.submits_on_close:
                cut_off = document.with_banner(DUPLICATE_BANNER, INTERRUPTED_NOTE)
                journal.requeue_unconfirmed(conn, job.id, cut_off.to_json(), exc.detail)
            else:
                journal.requeue(conn, job.id, exc.detail, count_attempt=True)
            self._emit_job(conn, job.id)
            self._report(PrinterStatus(exc.state, exc.detail, self._queued_count(conn)))
            return self._backoff.next_delay()
        journal.mark_printed(conn, job.id)
        self._emit_job(conn, job.id)
        self._backoff.reset()
        # Bytes accepted but e.g. paper ran out at the end: the printer keeps them
        # and finishes after the new roll, yet the shopkeeper must hear about it.
        state = after or PrinterState.READY
        self._report(PrinterStatus(state, "", self._queued_count(conn)))
        return 0 if state.is_ready else self._backoff.next_delay()

    @staticmethod
    def _queued_count(conn: sqlite3.Connection) -> int:
        return conn.execute("SELECT count(*) FROM print_jobs WHERE state = 'queued'").fetchone()[0]

    # -- callbacks -------------------------------------------------------
    def _report(self, status: PrinterStatus) -> None:
        previous = self._last_status
        self._last_status = status
        if previous is not None and (previous.state, previous.detail) == (
            status.state,
            status.detail,
        ):
            return
        self._call(self.on_status, status)

    def _emit_job(self, conn: sqlite3.Connection, job_id: int) -> None:
        row = journal.get_job(conn, job_id)
        if row is not None:
            self._call(self.on_job, JobEvent.from_row(row))

    @staticmethod
    def _call(callback: Callable[[Any], None] | None, arg: Any) -> None:
        if callback is None:
            return
        try:
            callback(arg)
        except Exception:  # a broken listener must not stop the printing
            log.exception("print queue callback failed")
