"""The print_jobs table and enqueueing: exactly once per order, inside the caller's transaction."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from printing import journal
from printing.config import PrinterConfig
from printing.enqueue import (
    enqueue_cancellation,
    enqueue_order,
    enqueue_reprint,
    enqueue_test,
    enqueue_z_report,
)
from printing.ticket import Text, TicketDocument
from printing.z_report import ZSummary

CONFIG = PrinterConfig(kind="file", address="/dev/null", paper_width_mm=58)


def test_schema_is_idempotent_and_has_the_agreed_columns(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "x.db")
    journal.ensure_schema(conn)
    journal.ensure_schema(conn)
    columns = [row[1] for row in conn.execute("PRAGMA table_info(print_jobs)")]
    assert columns == [
        "id",
        "job_key",
        "kind",
        "order_id",
        "copies",
        "document",
        "state",
        "attempts",
        "last_error",
        "created_at",
        "started_at",
        "printed_at",
    ]
    assert not conn.in_transaction  # callable inside a migration: no stray commit or begin


def test_ensure_schema_does_not_commit_the_callers_transaction(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "x.db")
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.execute("INSERT INTO t VALUES (1)")
    journal.ensure_schema(conn)
    conn.rollback()
    assert conn.execute("SELECT count(*) FROM t").fetchone()[0] == 0


def test_connect_uses_wal_and_busy_timeout(db_path: Path) -> None:
    conn = journal.connect(db_path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000


def test_order_enqueued_exactly_once(
    db: sqlite3.Connection, order: dict[str, Any], shop: dict[str, Any]
) -> None:
    with journal.transaction(db):
        first = enqueue_order(db, order, shop, CONFIG)
    with journal.transaction(db):
        again = enqueue_order(db, order, shop, CONFIG)  # the same pull applied twice
    assert len(first) == 1 and again == []
    (job,) = journal.jobs_in_state(db, "queued")
    assert (job.job_key, job.kind, job.order_id, job.state, job.copies, job.attempts) == (
        "order:ord_7f3a9c",
        "order",
        "ord_7f3a9c",
        "queued",
        1,
        0,
    )
    assert TicketDocument.from_json(job.document).order_id == "ord_7f3a9c"
    assert job.created_at.endswith("Z")


def test_enqueue_rolls_back_with_the_callers_transaction(
    db_path: Path, order: dict[str, Any], shop: dict[str, Any]
) -> None:
    conn = sqlite3.connect(db_path)  # default isolation: the caller's implicit transaction
    conn.execute("CREATE TABLE orders (id TEXT PRIMARY KEY)")
    conn.commit()
    conn.execute("INSERT INTO orders VALUES (?)", (order["id"],))
    assert enqueue_order(conn, order, shop, CONFIG)
    conn.rollback()  # the sync engine's transaction failed: neither order nor ticket stays
    assert conn.execute("SELECT count(*) FROM print_jobs").fetchone()[0] == 0
    conn.execute("INSERT INTO orders VALUES (?)", (order["id"],))
    enqueue_order(conn, order, shop, CONFIG)
    conn.commit()
    assert conn.execute("SELECT count(*) FROM print_jobs").fetchone()[0] == 1


def test_kitchen_copy_and_copies(
    db: sqlite3.Connection, order: dict[str, Any], shop: dict[str, Any]
) -> None:
    config = CONFIG.with_changes(kitchen_copy=True, copies=2)
    assert len(enqueue_order(db, order, shop, config)) == 2
    jobs = {j.kind: j for j in journal.jobs_in_state(db, "queued")}
    assert jobs["order"].copies == 2 and jobs["kitchen"].copies == 1
    assert jobs["kitchen"].job_key == "kitchen:ord_7f3a9c"


def test_auto_print_off_needs_a_manual_print(
    db: sqlite3.Connection, order: dict[str, Any], shop: dict[str, Any]
) -> None:
    config = CONFIG.with_changes(auto_print=False)
    assert enqueue_order(db, order, shop, config) == []
    assert len(enqueue_order(db, order, shop, config, manual=True)) == 1


def test_reprint_gets_a_unique_key_and_a_duplicate_banner(
    db: sqlite3.Connection, order: dict[str, Any], shop: dict[str, Any]
) -> None:
    enqueue_order(db, order, shop, CONFIG)
    first, second = enqueue_reprint(db, order["id"]), enqueue_reprint(db, order["id"])
    assert first != second
    reprints = [j for j in journal.jobs_for_order(db, order["id"]) if j.kind == "reprint"]
    assert len(reprints) == 2 and len({j.job_key for j in reprints}) == 2
    banner = TicketDocument.from_json(reprints[0].document).blocks[0]
    assert isinstance(banner, Text) and banner.text.strip() == "DUPLICATA" and banner.inverse


def test_reprint_of_an_unknown_order(db: sqlite3.Connection) -> None:
    with pytest.raises(LookupError, match="manual=True"):
        enqueue_reprint(db, "ord_nope")


def test_test_page_and_z_report_jobs(db: sqlite3.Connection, shop: dict[str, Any]) -> None:
    enqueue_test(db, CONFIG)
    summary = ZSummary(date(2026, 11, 23), 1, 100, 0, 0, 0, 0)
    enqueue_z_report(db, summary, shop, CONFIG)
    kinds = [j.kind for j in journal.jobs_in_state(db, "queued")]
    assert kinds == ["test", "z_report"]


def test_state_transitions(
    db: sqlite3.Connection, order: dict[str, Any], shop: dict[str, Any]
) -> None:
    (job_id,) = enqueue_order(db, order, shop, CONFIG)
    assert journal.mark_printing(db, job_id)
    assert not journal.mark_printing(db, job_id)  # only from queued
    assert journal.requeue(db, job_id, "connection lost", count_attempt=False)
    assert journal.get_job(db, job_id).attempts == 1
    assert journal.requeue(db, job_id, "offline", count_attempt=True)
    assert journal.get_job(db, job_id).attempts == 2
    journal.mark_printing(db, job_id)
    assert journal.mark_interrupted_uncertain(db) == [job_id]
    assert journal.get_job(db, job_id).state == "uncertain"
    assert journal.resolve_uncertain(db, job_id, reprint=False)
    job = journal.get_job(db, job_id)
    assert job.state == "printed" and job.printed_at
    assert not journal.resolve_uncertain(db, job_id, reprint=True)  # no longer uncertain


def test_unknown_kind_refused(db: sqlite3.Connection) -> None:
    with pytest.raises(ValueError):
        journal.insert_job(db, "x:1", "receipt", "{}")


def test_cancellation_withdraws_queued_tickets_and_voids_those_on_paper(
    db: sqlite3.Connection, order: dict[str, Any], shop: dict[str, Any]
) -> None:
    (job_id,) = enqueue_order(db, order, shop, CONFIG)
    assert enqueue_cancellation(db, {**order, "status": "cancelled"}, CONFIG) is None
    assert journal.get_job(db, job_id).state == "withdrawn"
    assert not journal.mark_printing(db, job_id)  # the queue can no longer take it
    # A second order's ticket was cut mid-way and waits for a retry: part of it is out.
    other = {**order, "id": "ord_2", "number": 2}
    (cut,) = enqueue_order(db, other, shop, CONFIG)
    assert journal.mark_printing(db, cut)
    assert journal.requeue(db, cut, "connection lost", count_attempt=False)
    assert enqueue_cancellation(db, {**other, "status": "cancelled"}, CONFIG) is not None
    assert journal.get_job(db, cut).state == "withdrawn"


def test_reprinting_an_uncertain_ticket_of_a_withdrawn_order_withdraws_it(
    db: sqlite3.Connection, order: dict[str, Any], shop: dict[str, Any]
) -> None:
    (job_id,) = enqueue_order(db, order, shop, CONFIG)
    journal.mark_printing(db, job_id)
    journal.mark_interrupted_uncertain(db)
    slip = enqueue_cancellation(db, {**order, "status": "cancelled"}, CONFIG)
    assert slip is not None  # maybe on paper: it gets its slip
    assert journal.resolve_uncertain(db, job_id, reprint=True)
    assert journal.get_job(db, job_id).state == "withdrawn"  # never after the slip
    assert [j.id for j in journal.jobs_in_state(db, "queued")] == [slip]
