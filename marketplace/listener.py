"""Wake-ups across server processes on PostgreSQL: NOTIFY in the writer, LISTEN per process.

Sending: every write transaction that changes shops runs ``pg_notify(CHANNEL, shop_id)``
for each of them just before its COMMIT (``send_wakeups``, a before-commit hook of the
storage backend, so operator commands send them too). PostgreSQL delivers a
notification only if and when its transaction commits, once per (channel, payload)
per transaction, to every session listening on the channel, the sender's own process
included; a listener that then reads the database sees the commit.

Receiving: each server process keeps ONE connection of its own that LISTENs
(``ChangeListener``, an asyncio task on the server's event loop, psycopg 3's async
connection) and hands each payload to the process's ``ChangeHub.wake``. While it
listens the hub's ``fed`` flag is up and the routes' own ``hub.notify`` calls do
nothing (the notification comes back to this process anyway: waking twice would
double the reads). When the connection breaks (PostgreSQL restarted, network cut,
found by a periodic probe or TCP keepalives), local commits wake local waiters
directly again, the listener reconnects with the project's backoff
(``sync/backoff.py``) and, once LISTEN is back, wakes every waiter once:
notifications sent while nobody listened are lost for good, and a waiter woken for
nothing only reads again.
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any

from marketplace.hub import ChangeHub
from marketplace.storage import PG_KEEPALIVES, prepared
from sync.backoff import Backoff

__all__ = ["CHANNEL", "WAKE_ALL", "ChangeListener", "send_wakeups", "listen_conninfo"]

log = logging.getLogger(__name__)

CHANNEL = "comptoir_shop_changed"
_NOTIFY = prepared("SELECT pg_notify(?, shop_id) FROM unnest(CAST(? AS text[])) AS t(shop_id)")
# The payload that wakes every shop (and makes every process forget what it remembers,
# repoll.py): for writes made outside the marketplace (docs/DEPLOY.md) and migrations.
WAKE_ALL = "*"
# With no notification for this long, the listener checks its connection with a query: a
# server that vanished without closing the socket is found within this plus PROBE_TIMEOUT_S.
PROBE_EVERY_S = 10.0
# A probe unanswered for this long means the connection is dead even if TCP says it is open
# (a hung or stopped backend still acknowledges packets: keepalives never fire). Meanwhile
# the hub is not fed: without the timeout, local commits would wake nobody until TCP gave up.
PROBE_TIMEOUT_S = 3.0
CONNECT_TIMEOUT_S = 5


def send_wakeups(tx: Any) -> None:
    """Before-commit hook of a PostgreSQL write transaction: one NOTIFY per shop it changed
    (delivered at commit only; a rolled-back transaction sends nothing)."""
    shops = sorted(tx.changed_shops)
    if shops:  # with the COMMIT: one round trip
        tx.with_commit(_NOTIFY, (CHANNEL, shops))


def listen_conninfo(url: str) -> str:
    """libpq's form of a database URL (``postgresql+psycopg://`` is SQLAlchemy's)."""
    return re.sub(r"^postgres(ql)?(\+\w+)?://", "postgresql://", url)


class ChangeListener:
    """One LISTEN connection feeding ``hub`` until ``run()`` is cancelled."""

    def __init__(self, url: str, hub: ChangeHub, *, probe_every_s: float = PROBE_EVERY_S,
                 probe_timeout_s: float = PROBE_TIMEOUT_S,
                 backoff: Backoff | None = None) -> None:
        self.conninfo = listen_conninfo(url)
        self.hub = hub
        self.probe_every_s = probe_every_s
        self.probe_timeout_s = probe_timeout_s
        # Same policy as the shop's sync engine: short first retries, capped at 3 s, jittered
        # so the processes of one deployment do not reconnect in step.
        self.backoff = backoff or Backoff(0.1, 3.0)
        self.listening = asyncio.Event()  # set while LISTEN is in place
        self.connections = 0  # LISTENs established so far (1 + reconnections)

    async def run(self) -> None:
        while True:
            try:
                await self._listen()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # psycopg.Error, OSError: the connection is gone
                # Once per outage at WARNING (the operator sees it), then quietly.
                level = logging.WARNING if self.backoff.failures == 0 else logging.DEBUG
                log.log(level, "change listener: no connection (%s: %s); retrying",
                        type(exc).__name__, exc)
            finally:
                self.hub.fed = False
                self.listening.clear()
            await asyncio.sleep(self.backoff.next_delay())

    async def _listen(self) -> None:
        import psycopg

        conn = await psycopg.AsyncConnection.connect(
            self.conninfo, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S,
            application_name="comptoir-listener", **PG_KEEPALIVES)
        try:
            await conn.execute(f"LISTEN {CHANNEL}")
            self.connections += 1
            if self.connections > 1:
                log.warning("change listener: listening again (after %d failed attempts)",
                            self.backoff.failures)
            self.backoff.reset()
            self.hub.fed = True
            self.listening.set()
            self.hub.wake_all()  # whatever was committed while nobody listened
            while True:
                async for note in conn.notifies(timeout=self.probe_every_s):
                    if note.payload == WAKE_ALL:
                        self.hub.wake_all()
                    else:
                        self.hub.wake(note.payload)
                await self._probe(conn)
                if not self.hub.fed:  # answered just after the deadline unfed the hub
                    raise TimeoutError("probe answered late")  # reconnect: wake_all again
        finally:
            await conn.close()

    async def _probe(self, conn: Any) -> None:
        """Quiet for a while: is the server still there? Raises TimeoutError if not. The hub
        stops counting on this feed as soon as the probe is overdue: psycopg may take a
        while more to give the query up and close the connection."""
        overdue = asyncio.get_running_loop().call_later(self.probe_timeout_s, self._unfeed)
        try:
            async with asyncio.timeout(self.probe_timeout_s):
                await conn.execute("SELECT 1")
        except TimeoutError:
            raise TimeoutError(f"no answer to the probe within {self.probe_timeout_s} s") from None
        finally:
            overdue.cancel()

    def _unfeed(self) -> None:
        self.hub.fed = False
        self.listening.clear()
