"""Print crash lab: the real print queue against a misbehaving virtual network printer.

One scenario (``run_print_scenario(seed, ...)``):
1. a shop database with the print journal, a ``VirtualPrinter`` on loopback and the real
   ``PrintQueue`` (network backend, real sockets, the app's timings or shortened ones);
2. orders arrive at random moments (order ticket + kitchen copy, as the sync engine queues
   them) while faults are switched on and off at random: cut mid-ticket, hang-up right
   after the cut, late status answers, no status answers, refused connections, paper out,
   and restarts of the queue; with ``kill_app=True`` the queue runs in its own process
   (``print_driver``) and is SIGKILLed instead, and after each restart the lab answers the
   start-up question as a shopkeeper would, looking at the paper (print again only what
   is not whole on it);
3. every action is appended to ``actions.jsonl`` in the work folder (outside the shop
   database, so a broken journal cannot hide what was asked of it);
4. then the faults stop, the queue drains, and the invariants are checked on **what the
   printer received**, not on what the journal says:
   - every order has its ticket and its kitchen copy whole on paper (a cut at the end);
   - no silent duplicate: at most one whole copy of a ticket lacks the DUPLICATA banner;
   - every byte stream received is a prefix of one of the two renderings the queue may
     send (original or DUPLICATA): no garbage, no mixed tickets;
   - the journal agrees: every job `printed`, none left `queued`, `printing` or `failed`.

``long_outage=True`` runs the app's production timings (status 0.5 s, connect 5 s,
retry 1 s doubling up to 30 s) through a printer that refuses connections for
``outage_s`` seconds while orders keep arriving, then measures how long after the printer
comes back the last ticket is on paper.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from printing import journal
from printing.backends import make_backend
from printing.config import PrinterConfig
from printing.enqueue import DUPLICATE_BANNER, UNCONFIRMED_NOTE, enqueue_order
from printing.escpos_decode import decode_escpos
from printing.escpos_render import render_escpos
from printing.queue import PrintQueue
from printing.ticket import TicketDocument
from printing.virtual_printer import VirtualPrinter

__all__ = ["FAULTS", "PrintLabResult", "run_kill_mid_ticket", "run_print_scenario"]

FAULTS = ("cut_mid_ticket", "hang_up_after_cut", "late_status", "no_status", "refused",
          "paper_out", "queue_restart")
ROOT = Path(__file__).resolve().parents[2]
SHOP = {"name": "Boulangerie Chez Léonie", "address": "12 rue de la Croix-Rousse, Lyon"}
DRAIN_TIMEOUT_S = 60.0  # fast timings
# Production backoff tops at 30 s (±20 % jitter): the printer back, the queue must find it
# within one longest wait, plus the time to print what piled up.
LONG_OUTAGE_RECOVERY_S = 30.0 * 1.2 + 15.0


@dataclass
class PrintLabResult:
    seed: int
    orders: int = 0
    connections: int = 0
    faults: Counter[str] = field(default_factory=Counter)
    marked_duplicates: int = 0  # whole copies printed with the DUPLICATA banner
    uncertain_answered: int = 0  # start-up questions answered after a kill
    recovery_s: float | None = None  # long outage: printer back → last ticket on paper
    violations: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.violations


class _ActionLog:
    """JSON lines, flushed at once: readable even if the run dies half-way."""

    def __init__(self, path: Path) -> None:
        self.file = path.open("a", encoding="utf-8")
        self.started = time.monotonic()

    def __call__(self, action: str, **details: Any) -> None:
        entry = {"t": round(time.monotonic() - self.started, 3), "action": action, **details}
        self.file.write(json.dumps(entry, ensure_ascii=False) + "\n")
        self.file.flush()

    def close(self) -> None:
        self.file.close()


def _order(seed: int, n: int, rng: random.Random) -> dict[str, Any]:
    names = ["Croissant", "Bœuf bourguignon", "Pain au chocolat", "Opéra façon grand-mère",
             "Tarte à l’oignon…", "Éclair café"]
    lines = [
        {"sku": f"S{i}", "name": rng.choice(names), "qty": rng.randint(1, 4),
         "unit_price_cents": rng.randint(90, 2500), "options": []}
        for i in range(rng.randint(1, 4))
    ]
    return {
        "id": f"ord_{seed}_{n}",
        "number": n,
        "channel": rng.choice(["collect", "delivery"]),
        "customer": {"name": "Zoé Lefèvre", "phone": "06 12 34 56 78",
                     "address": "3 place Bellecour"},
        "lines": lines,
        "note": rng.choice(["", "Sonnez deux fois – c’est au 3e"]),
        "allergens": rng.choice(["", "noix, œufs"]),
        "paid": rng.random() < 0.3,
        "ready_by": "2026-11-23T15:45:00.000Z",
        "created_at": "2026-11-23T14:02:00.000Z",
    }


def _config(printer: VirtualPrinter, production: bool, rng: random.Random) -> PrinterConfig:
    return PrinterConfig(
        kind="network",
        address=printer.host,
        port=printer.port,
        paper_width_mm=rng.choice([58, 80]),
        code_page=rng.choice(["CP858", "CP437", "CP1252"]),
        kitchen_copy=True,
        timeout_s=5.0 if production else 0.5,
        status_timeout_s=0.5 if production else 0.1,
    )


def _make_queue(db_path: Path, config: PrinterConfig, production: bool) -> PrintQueue:
    timings = (dict(retry_base_s=1.0, retry_max_s=30.0, idle_poll_s=5.0) if production
               else dict(retry_base_s=0.02, retry_max_s=0.2, idle_poll_s=0.2))
    return PrintQueue(db_path, lambda: make_backend(config), **timings)


class _Faults:
    """Switches the virtual printer's misbehaviours on and off."""

    def __init__(self, printer: VirtualPrinter, config: PrinterConfig, log: _ActionLog) -> None:
        self.printer, self.config, self.log = printer, config, log

    def inject(self, fault: str, rng: random.Random) -> None:
        p = self.printer
        if fault == "cut_mid_ticket":
            p.hang_up_next(after_bytes=rng.randint(20, 600), connections=rng.randint(1, 2))
        elif fault == "hang_up_after_cut":
            p.hang_up_after_cut_next(connections=rng.randint(1, 2))
        elif fault == "late_status":
            p.status_delay_s = self.config.status_timeout_s * rng.uniform(1.5, 3)
        elif fault == "no_status":
            p.answers_status = False
        elif fault == "refused":
            if not p.refusing:
                p.refuse_connections()
        elif fault == "paper_out":
            p.paper_out = True
        self.log("fault", kind=fault)

    def clear(self) -> None:
        p = self.printer
        p.hang_up_after = None
        p.hang_ups_left = p.cut_hang_ups_left = 0
        p.status_delay_s = 0.0
        p.answers_status = True
        p.come_back()  # paper back, port open
        self.log("faults_cleared")


class _AppProcess:
    """The queue in its own process, so that it can be killed like the app."""

    def __init__(self, db_path: Path, config: PrinterConfig) -> None:
        self.db_path, self.config = db_path, config
        self.proc: subprocess.Popen[str] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.faults.print_driver", str(self.db_path),
             json.dumps(self.config.to_dict())],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        assert self.proc.stdout is not None
        if self.proc.stdout.readline().strip() != "READY":
            raise RuntimeError("print driver did not start")

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()

    def wake(self) -> None:  # the driver polls the journal every 50 ms
        pass


def _answer_uncertain(
    db_path: Path, printer: VirtualPrinter, config: PrinterConfig, result: PrintLabResult,
    log: _ActionLog,
) -> None:
    """The start-up question, answered by looking at the paper: whole → it came out."""
    printer.wait_until(lambda p: True, timeout=0.1)  # let the printer read what is in flight
    time.sleep(0.1)
    renderings = _renderings(db_path, config)
    with printer._lock:
        payloads = [c.payload for c in printer.connections]
    conn = journal.connect(db_path)
    try:
        for job in journal.jobs_in_state(conn, "uncertain"):
            whole = any(p in renderings[job.job_key] for p in payloads)
            journal.resolve_uncertain(conn, job.id, reprint=not whole)
            result.uncertain_answered += 1
            log("uncertain_answered", job=job.job_key, reprint=not whole)
    finally:
        conn.close()


def _renderings(db_path: Path, config: PrinterConfig) -> dict[str, list[bytes]]:
    """job_key → the byte streams the queue may legitimately send for it."""
    conn = journal.connect(db_path)
    try:
        jobs = journal.jobs_in_state(conn, *journal.JOB_STATES)
    finally:
        conn.close()
    out: dict[str, list[bytes]] = {}
    for job in jobs:
        document = TicketDocument.from_json(job.document)
        original = _strip_duplicate(document)
        variants = [original, original.with_banner(DUPLICATE_BANNER, UNCONFIRMED_NOTE)]
        out[job.job_key] = [render_escpos(d, config.code_page, config.profile, job.copies)
                            for d in variants]
    return out


def _strip_duplicate(document: TicketDocument) -> TicketDocument:
    plain = TicketDocument.from_json(document.to_json())
    texts = plain.texts()
    if texts and texts[0].strip() == DUPLICATE_BANNER:
        plain.blocks = plain.blocks[2:] if len(texts) > 1 and texts[1] == UNCONFIRMED_NOTE \
            else plain.blocks[1:]
    return plain


def check_paper(
    printer: VirtualPrinter, db_path: Path, config: PrinterConfig, result: PrintLabResult
) -> None:
    """The invariants, on what the printer received."""
    renderings = _renderings(db_path, config)
    whole: Counter[tuple[str, bool]] = Counter()  # (job_key, marked duplicate)
    with printer._lock:
        payloads = [c.payload for c in printer.connections]
    result.connections = len(payloads)
    for i, payload in enumerate(payloads):
        if not payload:
            continue  # status queries only
        matches = [(key, n) for key, variants in renderings.items()
                   for n, full in enumerate(variants) if full.startswith(payload)]
        if not matches:
            result.violations.append(f"connection {i}: bytes that are no ticket's rendering")
            continue
        exact = [(key, n) for key, n in matches if renderings[key][n] == payload]
        if exact:
            key, variant = exact[0]
            whole[key, variant == 1] += 1
    for key in renderings:
        plain, marked = whole[key, False], whole[key, True]
        result.marked_duplicates += marked
        if plain + marked == 0:
            result.violations.append(f"{key}: never whole on paper")
        if plain > 1:
            result.violations.append(f"{key}: {plain} unmarked whole copies (silent duplicate)")
        if marked and not plain and not _duplicate_first(printer, renderings[key]):
            result.violations.append(f"{key}: DUPLICATA printed but no first copy was sent")
    conn = journal.connect(db_path)
    try:
        states = Counter(job.state for job in journal.jobs_in_state(conn, *journal.JOB_STATES))
    finally:
        conn.close()
    if set(states) - {"printed"}:
        result.violations.append(f"journal not drained: {dict(states)}")
    # decoding must work on every whole ticket (it is what a printer would read)
    for payload in payloads:
        if payload and decode_escpos(payload).undecodable:
            result.violations.append("a ticket has bytes no code page decodes")
            break


def _dump_connections(printer: VirtualPrinter, workdir: Path) -> None:
    """What the printer received, per connection, kept beside actions.jsonl for diagnosis."""
    with printer._lock:
        records = list(printer.connections)
    for i, record in enumerate(records):
        flags = ("-hungup" if record.hung_up else "") + ("-paperout" if record.paper_out else "")
        (workdir / f"connection-{i:03d}{flags}.bin").write_bytes(bytes(record.data))


def _duplicate_first(printer: VirtualPrinter, variants: list[bytes]) -> bool:
    """A DUPLICATA alone is fine only if an earlier try sent the start of the original."""
    original = variants[0]
    return any(c.payload and original.startswith(c.payload) for c in printer.connections)


def _enqueue(db_path: Path, order: dict[str, Any], config: PrinterConfig) -> None:
    """As the sync engine does: in the transaction that stores the order."""
    conn = journal.connect(db_path)
    try:
        with journal.transaction(conn):
            enqueue_order(conn, order, SHOP, config)
    finally:
        conn.close()


def _wait_for_printing(db_path: Path, timeout: float) -> bool:
    """Until a job is between its first byte and its confirmation (bounded)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with closing(sqlite3.connect(db_path)) as conn:
            if conn.execute("SELECT 1 FROM print_jobs WHERE state = 'printing'").fetchone():
                return True
        time.sleep(0.005)
    return False


def _drained(db_path: Path) -> bool:
    with closing(sqlite3.connect(db_path)) as conn:
        left = conn.execute(
            "SELECT count(*) FROM print_jobs WHERE state NOT IN ('printed', 'failed')"
        ).fetchone()[0]
    return left == 0


def run_print_scenario(
    seed: int,
    workdir: Path,
    *,
    duration: float = 3.0,
    long_outage: bool = False,
    outage_s: float = 90.0,
    outage: str = "refused",
    kill_app: bool = False,
) -> PrintLabResult:
    rng = random.Random(seed)
    result = PrintLabResult(seed)
    workdir.mkdir(parents=True, exist_ok=True)
    db_path = workdir / "shop.db"
    with closing(journal.connect(db_path)) as conn:
        journal.ensure_schema(conn)
    log = _ActionLog(workdir / "actions.jsonl")
    printer = VirtualPrinter().start()
    config = _config(printer, production=long_outage, rng=rng)
    log("start", seed=seed, code_page=config.code_page, paper_mm=config.paper_width_mm,
        long_outage=long_outage, kill_app=kill_app)
    faults = _Faults(printer, config, log)
    queue: PrintQueue | _AppProcess
    if kill_app:
        queue = _AppProcess(db_path, config)
    else:
        queue = _make_queue(db_path, config, production=long_outage)
    queue.start()
    try:
        if long_outage:
            assert isinstance(queue, PrintQueue)
            _long_outage(queue, printer, faults, config, rng, result, log, outage_s, outage)
        else:
            queue = _random_faults(queue, db_path, printer, faults, config, rng, result, log,
                                   duration)
        faults.clear()
        back = time.monotonic()
        if not long_outage:
            queue.wake()  # the long outage measures what the backoff alone does
        bound = DRAIN_TIMEOUT_S if not long_outage else LONG_OUTAGE_RECOVERY_S
        deadline = time.monotonic() + bound
        while not _drained(db_path) and time.monotonic() < deadline:
            time.sleep(0.02)
        if long_outage:
            result.recovery_s = round(time.monotonic() - back, 2)
            if not _drained(db_path):
                result.violations.append(f"not all printed {bound:.0f} s after the printer came back")
        log("drained", ok=_drained(db_path), recovery_s=result.recovery_s)
    finally:
        queue.stop()
        printer.stop()
    check_paper(printer, db_path, config, result)
    if result.violations:
        _dump_connections(printer, workdir)
    log("checked", connections=result.connections, violations=result.violations,
        marked_duplicates=result.marked_duplicates)
    log.close()
    return result


def _random_faults(
    queue: PrintQueue | _AppProcess,
    db_path: Path,
    printer: VirtualPrinter,
    faults: _Faults,
    config: PrinterConfig,
    rng: random.Random,
    result: PrintLabResult,
    log: _ActionLog,
    duration: float,
) -> PrintQueue | _AppProcess:
    end = time.monotonic() + duration
    while time.monotonic() < end:
        roll = rng.random()
        if roll < 0.45:
            result.orders += 1
            order = _order(result.seed, result.orders, rng)
            _enqueue(db_path, order, config)
            queue.wake()
            log("order", id=order["id"])
        elif roll < 0.8:
            fault = rng.choice(FAULTS)
            if fault == "queue_restart" and isinstance(queue, _AppProcess):
                fault = "app_kill"
            result.faults[fault] += 1
            if fault == "app_kill":  # kill -9, likely mid-ticket; start again, answer
                # A slow (but answering) printer widens the printing window to ~0.1 s.
                printer.status_delay_s = config.status_timeout_s * 0.6
                result.orders += 1
                order = _order(result.seed, result.orders, rng)
                _enqueue(db_path, order, config)
                log("order", id=order["id"])
                if rng.random() < 0.7:  # mostly mid-ticket, sometimes any moment
                    _wait_for_printing(db_path, timeout=1.0)
                    time.sleep(rng.uniform(0.0, 0.1))
                else:
                    time.sleep(rng.uniform(0.0, 0.5))
                queue.kill()
                log("fault", kind=fault)
                queue.start()
                _answer_uncertain(db_path, printer, config, result, log)
            elif fault == "queue_restart":  # the app closed and reopened
                queue.stop()
                queue = _make_queue(db_path, config, production=False)
                queue.start()
                log("fault", kind=fault)
            else:
                faults.inject(fault, rng)
        else:
            faults.clear()
            queue.wake()
        time.sleep(rng.uniform(0.02, 0.25))
    return queue


def _long_outage(
    queue: PrintQueue,
    printer: VirtualPrinter,
    faults: _Faults,
    config: PrinterConfig,
    rng: random.Random,
    result: PrintLabResult,
    log: _ActionLog,
    outage_s: float,
    kind: str,
) -> None:
    """Production timings: the printer refuses connections ("refused": rebooting) or
    vanishes ("silent": connections time out, 5 s each) for `outage_s` while orders keep
    coming (one every few seconds), then comes back."""
    result.faults[f"long_{kind}"] += 1
    if kind == "silent":
        printer.go_silent()
        log("fault", kind="silent")
    else:
        faults.inject("refused", rng)
    end = time.monotonic() + outage_s
    while time.monotonic() < end:
        result.orders += 1
        order = _order(result.seed, result.orders, rng)
        queue.enqueue_order(order, SHOP, config)
        log("order", id=order["id"])
        time.sleep(min(rng.uniform(2, 8), max(0.0, end - time.monotonic())))


def run_kill_mid_ticket(workdir: Path, orders: int = 3) -> PrintLabResult:
    """Deterministic: for each order, kill -9 the queue's process while its ticket is
    being printed by a slow printer, restart, answer from the paper, then check."""
    rng = random.Random(0)
    result = PrintLabResult(seed=0)
    workdir.mkdir(parents=True, exist_ok=True)
    db_path = workdir / "shop.db"
    with closing(journal.connect(db_path)) as conn:
        journal.ensure_schema(conn)
    log = _ActionLog(workdir / "actions.jsonl")
    printer = VirtualPrinter().start()
    config = _config(printer, production=False, rng=rng)
    printer.status_delay_s = config.status_timeout_s * 0.6  # slow, still answering
    log("start", seed=0, kill_mid_ticket=True)
    app = _AppProcess(db_path, config)
    app.start()
    try:
        for n in range(1, orders + 1):
            result.orders += 1
            order = _order(0, n, rng)
            _enqueue(db_path, order, config)
            log("order", id=order["id"])
            if not _wait_for_printing(db_path, timeout=5.0):
                result.violations.append(f"order {n}: never started printing")
            app.kill()
            result.faults["app_kill"] += 1
            log("fault", kind="app_kill")
            app.start()
            _answer_uncertain(db_path, printer, config, result, log)
        deadline = time.monotonic() + DRAIN_TIMEOUT_S
        while not _drained(db_path) and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        app.stop()
        printer.stop()
    check_paper(printer, db_path, config, result)
    log("checked", violations=result.violations)
    log.close()
    return result
