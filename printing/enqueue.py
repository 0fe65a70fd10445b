"""Putting tickets in the journal. Only INSERTs, no commit: these run inside the
caller's transaction, so the sync engine stores an order and its tickets atomically.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from . import journal
from .cancellation_slip import build_cancellation_slip
from .codepages import CodePage, resolve_code_page
from .config import PrinterConfig, PrintMoment
from .fr_format import DEFAULT_TZ
from .kitchen_ticket import build_kitchen_ticket
from .order_ticket import build_ticket
from .order_view import ShopInfo
from .printer_test_ticket import build_test_ticket
from .ticket import TicketDocument
from .z_report import ZSummary, build_z_report

__all__ = [
    "DUPLICATE_BANNER",
    "UNCONFIRMED_NOTE",
    "INTERRUPTED_NOTE",
    "enqueue_cancellation",
    "enqueue_document",
    "enqueue_for_change",
    "enqueue_order",
    "enqueue_reprint",
    "enqueue_test",
    "enqueue_z_report",
    "order_job_key",
]

DUPLICATE_BANNER = "DUPLICATA"
# Under the banner when the queue prints again a ticket the printer took but never confirmed.
UNCONFIRMED_NOTE = "1er envoi non confirmé"
INTERRUPTED_NOTE = "1er envoi interrompu"  # cut off mid-ticket: part of it is on paper


def _code_page(config: PrinterConfig) -> CodePage:
    """Tickets are laid out in the characters the configured printer will print."""
    return resolve_code_page(config.code_page, config.profile)


def order_job_key(kind: str, order_id: str, manual: bool = False) -> str:
    """'order:<id>' / 'kitchen:<id>': the unique key makes each order print exactly once.

    A ticket printed by hand before its automatic one ('order:<id>:manual', e.g. Print
    pressed on a new order) has its own key: the ticket printed on acceptance, with the
    ready-by time, still comes out once."""
    return f"{kind}:{order_id}:manual" if manual else f"{kind}:{order_id}"


def enqueue_order(
    conn: sqlite3.Connection,
    order: Mapping[str, Any],
    shop: ShopInfo | Mapping[str, Any],
    config: PrinterConfig,
    tz: str | ZoneInfo = DEFAULT_TZ,
    *,
    manual: bool = False,
) -> list[int]:
    """Queue the order's ticket (and the kitchen copy if configured), at most once per order.

    Does nothing unless `config.auto_print` or `manual` (the shopkeeper pressed Print).
    Returns the ids of the jobs actually created; [] when they already existed.
    Call `PrintQueue.wake()` after the caller's commit.
    """
    if not (config.auto_print or manual):
        return []
    columns = config.line_columns
    ticket = build_ticket(order, shop, columns, tz, _code_page(config))
    order_id = ticket.order_id
    assert order_id is not None
    created = [
        journal.insert_job(
            conn,
            order_job_key("order", order_id, manual),
            "order",
            ticket.to_json(),
            order_id,
            config.copies,
        )
    ]
    if config.kitchen_copy:
        kitchen = build_kitchen_ticket(order, columns, tz, _code_page(config))
        created.append(
            journal.insert_job(
                conn, order_job_key("kitchen", order_id, manual), "kitchen", kitchen.to_json(),
                order_id,
            )
        )
    return [job_id for job_id in created if job_id is not None]


_TICKET_KINDS = ("order", "kitchen")
_ON_PAPER = ("printed", "printing", "uncertain")  # on paper, or maybe
_WITHDRAWN = ("cancelled", "rejected")
_ACCEPTED = ("accepted", "ready")
_HANDLED = (*_ACCEPTED, "completed")


def enqueue_cancellation(
    conn: sqlite3.Connection,
    order: Mapping[str, Any],
    config: PrinterConfig,
    tz: str | ZoneInfo = DEFAULT_TZ,
) -> int | None:
    """A slip saying "do not prepare" for a withdrawn order whose ticket is on paper.

    Its tickets still queued are withdrawn instead (never printed, so nothing to void),
    unless an earlier try already sent some of their bytes. The slip prints after any
    ticket being printed (the queue is first in, first out). At most once per order;
    None when no ticket of the order is on paper or its slip already exists.
    """
    order_id = str(order["id"])
    withdrawn = journal.withdraw_queued(conn, order_id, (*_TICKET_KINDS, "reprint"))
    on_paper = [j for j in journal.jobs_for_order(conn, order_id)
                if j.kind in (*_TICKET_KINDS, "reprint") and j.state in _ON_PAPER]
    if not on_paper and not any(j.started_at for j in withdrawn):
        return None
    slip = build_cancellation_slip(order, config.line_columns, tz, _code_page(config))
    return journal.insert_job(conn, order_job_key("cancellation", order_id), "cancellation",
                              slip.to_json(), order_id)


def enqueue_for_change(
    conn: sqlite3.Connection,
    order: Mapping[str, Any],
    previous: str | None,
    shop: ShopInfo | Mapping[str, Any],
    config: PrinterConfig,
    tz: str | ZoneInfo = DEFAULT_TZ,
    *,
    pairing: bool = False,
) -> list[int]:
    """What the journal needs when the counter learns an order's confirmed status.

    ``previous`` is the confirmed status before (None: first seen); ``pairing`` when it
    comes with the counter's first pull. The ticket prints on arrival (a new order first
    seen) or on acceptance (so it carries the ready-by time and a refused order never
    prints), as ``config.print_on`` says. Either way an order this counter saw new, or
    first sees already accepted (by another counter, while this one was offline), prints
    once it is accepted — possibly seen only once done — and the unique job key keeps it
    to one ticket. Orders first seen on the pairing pull are the day's history: only a
    new one prints, on arrival. A withdrawn order gets its slip.
    """
    status = order["status"]
    if status in _WITHDRAWN and previous is not None and previous != status:
        job_id = enqueue_cancellation(conn, order, config, tz)
        return [job_id] if job_id is not None else []
    arrival = config.print_on is PrintMoment.ARRIVAL
    if previous is None:
        wanted = (arrival and status == "new") or (not pairing and status in _ACCEPTED)
    else:
        wanted = previous == "new" and status in _HANDLED
    return enqueue_order(conn, order, shop, config, tz) if wanted else []


def enqueue_document(
    conn: sqlite3.Connection,
    document: TicketDocument,
    kind: str | None = None,
    copies: int = 1,
) -> int:
    """Queue any document under a fresh unique key (test page, Z report, reprint)."""
    kind = kind or document.kind
    key = f"{kind}:{document.order_id or '-'}:{uuid.uuid4().hex}"
    job_id = journal.insert_job(conn, key, kind, document.to_json(), document.order_id, copies)
    assert job_id is not None  # a fresh uuid cannot collide
    return job_id


def enqueue_reprint(conn: sqlite3.Connection, order_id: str, kitchen: bool = False) -> int:
    """A DUPLICATA of the ticket as first printed; raises LookupError if it never was queued."""
    wanted = "kitchen" if kitchen else "order"
    original = next(
        (j for j in reversed(journal.jobs_for_order(conn, order_id)) if j.kind == wanted), None
    )
    if original is None:
        raise LookupError(
            f"no {wanted} ticket for order {order_id}: use enqueue_order(manual=True)"
        )
    document = TicketDocument.from_json(original.document).with_banner(DUPLICATE_BANNER)
    return enqueue_document(conn, document, kind="reprint")


def enqueue_test(conn: sqlite3.Connection, config: PrinterConfig) -> int:
    return enqueue_document(conn, build_test_ticket(config), kind="test")


def enqueue_z_report(
    conn: sqlite3.Connection,
    summary: ZSummary,
    shop: ShopInfo | Mapping[str, Any],
    config: PrinterConfig,
    tz: str | ZoneInfo = DEFAULT_TZ,
) -> int:
    document = build_z_report(summary, shop, config.line_columns, tz,
                              code_page=_code_page(config))
    return enqueue_document(conn, document, kind="z_report")
