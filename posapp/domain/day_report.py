"""The day's figures for the shopkeeper (report tab, Z ticket, CSV for the accountant).

An order belongs to the local day it was *placed* (``orders.created_at``, UTC
in the store, cut at local midnight so DST days have 23 or 25 hours). Statuses
are the ones the counter shows (pending decision, else confirmed), like the board.

- revenue: orders accepted, ready or completed (a new order is not a sale yet;
  rejected and cancelled ones never are); counter revenue only if the store
  keeps a ``stock_ledger`` (detected at run time: older stores have none).
- acceptance time: first ``new`` → first ``accepted`` in ``order_history``;
  preparation: ``accepted`` → first ``ready`` (or ``completed`` when the shop
  skipped "ready", which DESIGN.md allows).
- late: done after ``ready_by``, or not done yet and ``ready_by`` is past.

Comptoir is not a cash register: this is an indicative summary, not a fiscal Z.
"""

from __future__ import annotations

import csv
import datetime as dt
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from statistics import fmean
from typing import Any

import l10n
from printing import ZSummary
from sync.protocol import parse_iso, to_iso

__all__ = ["BestSeller", "ChannelFigures", "DayReport", "DaySummary", "SOLD_STATUSES", "day_bounds"]

DEFAULT_TZ = l10n.DEFAULT_TZ
SOLD_STATUSES = ("accepted", "ready", "completed")
BEST_SELLERS = 5
_LEDGER_TIME_COLUMNS = ("at", "created_at", "recorded_at")
_LEDGER_PRICE_COLUMNS = ("price_cents", "unit_price_cents")


@dataclass(frozen=True, slots=True)
class ChannelFigures:
    orders: int = 0  # sold orders (accepted, ready, completed)
    revenue_cents: int = 0


@dataclass(frozen=True, slots=True)
class BestSeller:
    sku: str
    name: str
    qty: int
    revenue_cents: int


@dataclass(frozen=True, slots=True)
class DaySummary:
    day: dt.date
    received: int  # every order placed that day, whatever became of it
    sold: int
    waiting: int  # still "new": nobody decided yet
    rejected: int
    cancelled: int
    late: int
    by_channel: dict[str, ChannelFigures] = field(default_factory=dict)
    counter_revenue_cents: int = 0
    counter_items: int = 0
    counter_known: bool = False  # False: this store keeps no counter-sale ledger
    avg_accept_s: float | None = None
    avg_prep_s: float | None = None
    best_sellers: tuple[BestSeller, ...] = ()

    def channel(self, name: str) -> ChannelFigures:
        return self.by_channel.get(name, ChannelFigures())

    @property
    def revenue_total_cents(self) -> int:
        online = sum(c.revenue_cents for c in self.by_channel.values())
        return online + self.counter_revenue_cents

    def to_z_summary(self) -> ZSummary:
        return ZSummary(
            day=self.day,
            orders_count=self.received,
            revenue_collect_cents=self.channel("collect").revenue_cents,
            revenue_delivery_cents=self.channel("delivery").revenue_cents,
            revenue_counter_cents=self.counter_revenue_cents,
            rejected_count=self.rejected,
            late_count=self.late,
            cancelled_count=self.cancelled,
        )

    def to_csv(self, path: str | Path) -> Path:
        """French Excel reads it as is: ';' separator, decimal comma, UTF-8 with BOM."""
        path = Path(path)
        with path.open("w", encoding="utf-8-sig", newline="") as out:
            writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
            writer.writerows(self._csv_rows())
        return path

    def _csv_rows(self) -> Iterable[list[str]]:
        collect, delivery = self.channel("collect"), self.channel("delivery")
        yield ["Bilan du jour", l10n.numeric_date(self.day)]
        yield ["Indicateur", "Valeur"]
        yield ["Commandes reçues", str(self.received)]
        yield ["Commandes vendues", str(self.sold)]
        yield ["Click & collect : commandes", str(collect.orders)]
        yield ["Click & collect : chiffre d’affaires (€)", _euros(collect.revenue_cents)]
        yield ["Livraison : commandes", str(delivery.orders)]
        yield ["Livraison : chiffre d’affaires (€)", _euros(delivery.revenue_cents)]
        yield ["Comptoir : articles vendus", str(self.counter_items) if self.counter_known else ""]
        yield ["Comptoir : chiffre d’affaires (€)",
               _euros(self.counter_revenue_cents) if self.counter_known else ""]
        yield ["Chiffre d’affaires total (€)", _euros(self.revenue_total_cents)]
        yield ["Refusées", str(self.rejected)]
        yield ["Annulées", str(self.cancelled)]
        yield ["En retard", str(self.late)]
        yield ["En attente de décision", str(self.waiting)]
        yield ["Délai moyen d’acceptation (min)", _minutes(self.avg_accept_s)]
        yield ["Temps moyen de préparation (min)", _minutes(self.avg_prep_s)]
        yield []
        yield ["Meilleures ventes"]
        yield ["Rang", "Référence", "Produit", "Quantité", "Chiffre d’affaires (€)"]
        for rank, item in enumerate(self.best_sellers, 1):
            yield [str(rank), item.sku, item.name, str(item.qty), _euros(item.revenue_cents)]
        yield []
        yield ["Récapitulatif indicatif : Comptoir n’est pas une caisse enregistreuse."]


def _euros(cents: int) -> str:
    return l10n.amount(cents)  # no thousands separator, no "€": Excel must read a number


def _minutes(seconds: float | None) -> str:
    return "" if seconds is None else l10n.one_decimal(seconds / 60)


def day_bounds(day: dt.date, tz: str | dt.tzinfo = DEFAULT_TZ) -> tuple[str, str]:
    """[start, end) of the local day as store timestamps (UTC ISO, comparable as text)."""
    zone = l10n.as_zone(tz)
    start = dt.datetime.combine(day, dt.time(), tzinfo=zone)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=zone)
    return to_iso(start), to_iso(end)


# The day's orders, read once through the orders(created_at) index.
_DAY_ORDERS = """
    SELECT id, COALESCE(pending_status, status) AS status, channel, total_cents, created_at,
           COALESCE(pending_ready_by, ready_by) AS ready_by
    FROM orders WHERE created_at >= ? AND created_at < ?
"""
_DAY_HISTORY = """
    SELECT h.order_id, h.status, h.at FROM orders o JOIN order_history h ON h.order_id = o.id
    WHERE o.created_at >= ? AND o.created_at < ? ORDER BY h.order_id, h.seq
"""
_BEST_SELLERS = f"""
    SELECT l.sku, MIN(l.name) AS name, SUM(l.qty) AS qty,
           SUM(l.qty * l.unit_price_cents) AS revenue
    FROM orders o JOIN order_lines l ON l.order_id = o.id
    WHERE o.created_at >= ? AND o.created_at < ?
      AND COALESCE(o.pending_status, o.status) IN ({", ".join("?" * len(SOLD_STATUSES))})
    GROUP BY l.sku ORDER BY qty DESC, revenue DESC, l.sku LIMIT {BEST_SELLERS}
"""


class DayReport:
    """Reads with the caller's store (GUI thread): a day costs a few index lookups."""

    def __init__(self, store: Any, now: dt.datetime | None = None):
        self.conn: sqlite3.Connection = store.conn if hasattr(store, "conn") else store
        self._now = now  # tests pin "now" to decide lateness of unfinished orders

    def compute(self, day: dt.date, tz: str | dt.tzinfo = DEFAULT_TZ) -> DaySummary:
        start, end = day_bounds(day, tz)
        now = self._now or dt.datetime.now(dt.UTC)
        orders = self.conn.execute(_DAY_ORDERS, (start, end)).fetchall()
        history: dict[str, list[tuple[str, str]]] = {}
        for order_id, status, at in self.conn.execute(_DAY_HISTORY, (start, end)):
            history.setdefault(order_id, []).append((status, at))

        counts = {"new": 0, "rejected": 0, "cancelled": 0}
        channels: dict[str, list[int]] = {"collect": [0, 0], "delivery": [0, 0]}
        accept_s: list[float] = []
        prep_s: list[float] = []
        late = 0
        for order_id, status, channel, total, created_at, ready_by in orders:
            if status in counts:
                counts[status] += 1
            if status not in SOLD_STATUSES:
                continue
            figures = channels.setdefault(channel, [0, 0])
            figures[0] += 1
            figures[1] += total
            times = _first_times(history.get(order_id, ()))
            placed = times.get("new") or parse_iso(created_at)
            accepted = times.get("accepted")
            done = times.get("ready") or times.get("completed")
            if placed and accepted:
                accept_s.append(max(0.0, (accepted - placed).total_seconds()))
            if accepted and done:
                prep_s.append(max(0.0, (done - accepted).total_seconds()))
            if _is_late(status, done, parse_iso(ready_by), now):
                late += 1

        counter_cents, counter_items, counter_known = self._counter_sales(start, end)
        return DaySummary(
            day=day,
            received=len(orders),
            sold=sum(f[0] for f in channels.values()),
            waiting=counts["new"],
            rejected=counts["rejected"],
            cancelled=counts["cancelled"],
            late=late,
            by_channel={name: ChannelFigures(n, cents) for name, (n, cents) in channels.items()},
            counter_revenue_cents=counter_cents,
            counter_items=counter_items,
            counter_known=counter_known,
            avg_accept_s=fmean(accept_s) if accept_s else None,
            avg_prep_s=fmean(prep_s) if prep_s else None,
            best_sellers=self._best_sellers(start, end),
        )

    def _best_sellers(self, start: str, end: str) -> tuple[BestSeller, ...]:
        rows = self.conn.execute(_BEST_SELLERS, (start, end, *SOLD_STATUSES))
        return tuple(BestSeller(sku, name, int(qty), int(rev)) for sku, name, qty, rev in rows)

    def _counter_sales(self, start: str, end: str) -> tuple[int, int, bool]:
        """(revenue cents, items, known?) of counter sales, from ``stock_ledger`` if any.

        The outbox is no source: its entries leave once the marketplace confirms them.
        A sale is a negative delta; the ledger's own price wins over today's catalogue price.
        """
        columns = {row[1] for row in self.conn.execute("PRAGMA table_info(stock_ledger)")}
        time_col = next((c for c in _LEDGER_TIME_COLUMNS if c in columns), None)
        if not {"sku", "delta", "reason"} <= columns or time_col is None:
            return 0, 0, False
        price_col = next((c for c in _LEDGER_PRICE_COLUMNS if c in columns), None)
        own = f"s.{price_col}, " if price_col else ""
        price = f"COALESCE({own}p.price_cents, 0)"
        row = self.conn.execute(
            f"SELECT COALESCE(SUM(-s.delta * {price}), 0), COALESCE(SUM(-s.delta), 0)"
            f" FROM stock_ledger s LEFT JOIN products p ON p.sku = s.sku"
            f" WHERE s.reason = 'counter_sale' AND s.{time_col} >= ? AND s.{time_col} < ?",
            (start, end),
        ).fetchone()
        return int(row[0]), int(row[1]), True


def _first_times(rows: Iterable[tuple[str, str]]) -> dict[str, dt.datetime]:
    first: dict[str, dt.datetime] = {}
    for status, at in rows:
        moment = parse_iso(at)
        if moment is not None and status not in first:
            first[status] = moment
    return first


def _is_late(
    status: str, done: dt.datetime | None, ready_by: dt.datetime | None, now: dt.datetime
) -> bool:
    if ready_by is None:
        return False
    if done is not None:
        return done > ready_by
    # Marked ready at the counter but not confirmed yet: its time is unknown, not late.
    return status == "accepted" and now > ready_by
