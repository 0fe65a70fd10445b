"""The marketplace's HTTP API (docs/PROTOCOL.md), as a Starlette app.

Database work (short transactions on pooled connections) runs a few calls at a time
per kind of work (``MarketState``): on PostgreSQL on the event loop, else in worker
threads; waiting long-polls hold no call, only an asyncio.Event of their shop (see
hub.py), so thousands can wait on one small box.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
from collections.abc import AsyncIterator, Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import anyio
import anyio.to_thread
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from marketplace import customer_access, orders, pairing, payments, shops, storefront
from marketplace.console.web import console_mount
from marketplace.errors import ApiError, error_response
from marketplace.hub import ChangeHub, hold_time
from marketplace.ids import hash_token
from marketplace.limits import CustomerRateLimit, Limiter, PairingGuard, client_address
from marketplace.listener import ChangeListener
from marketplace.mutations import process_push
from marketplace.openapi import OPENAPI
from marketplace.presence import Presence
from marketplace.pull import PullSnapshot, read_pull
from marketplace.repoll import KnownDevice, QuietAnswer, Remembered, still_live
from marketplace.schema import migrate
from marketplace.security import ORDER_SECRET_HEADER, CustomerCors
from marketplace.settings import Settings
from marketplace.shop_turns import ShopTurns, TurnNotHad
from marketplace.storage import Store, database_url, is_postgresql_url, read_tx, unavailable
from marketplace.storefront import api as storefront_api
from marketplace.validation import (
    bearer_token,
    parse_order_request,
    parse_pair,
    parse_pull_params,
    parse_push,
    read_json,
)
from sync.protocol import to_iso, utcnow_iso

__all__ = ["create_app", "MarketState"]

log = logging.getLogger(__name__)
T = TypeVar("T")
LISTEN_START_S = 5.0
# Threads for what a pull reads before it waits (its token, its first read), and for what
# a long-poll reads when every waiter was woken at once (the LISTEN feed back, ``*``). A
# wave of them (every counter reconnecting after a restart; on SQLite, every re-poll)
# queues here, behind these few, not in front of orders, pushes and deliveries to counters
# already waiting, which have threads of their own (``Settings.db_threads``). On
# PostgreSQL at most a third of the pooled connections.
POLL_READ_THREADS = 6
# Threads for the operator console's pages and reports: a heavy report queues behind these,
# never in front of a customer's order.
CONSOLE_THREADS = 2
# The sweeper's one thread: it locks every shop with an order overdue, one after the other,
# and a shop whose lock is held elsewhere holds it up to the lock timeout at each round.
# (Threads: its presence flush binds a row per counter seen, thousands after a restart.)
SWEEP_THREADS = 1
# Threads for the storefront's shop search: it folds every shop's name and address in Python
# (tens of milliseconds at 10,000 shops), which must not hold the event loop.
SEARCH_THREADS = 2
# On PostgreSQL these kinds run on the event loop (storage.Store.run_on_loop), each kind
# still a few at a time (the numbers above); the console's pages and reports, the shop
# search and the sweeper, whose Python can take a while, stay on threads: the loop never
# waits for them, and they hold at most their share of the pool (``thread_caps``).
ON_LOOP = frozenset({"calls", "polls"})
THREAD_KINDS = {"console": CONSOLE_THREADS, "search": SEARCH_THREADS, "sweep": SWEEP_THREADS}


def thread_caps(pool_limit: int) -> dict[str, int]:
    """The thread kinds' calls at once, for a PostgreSQL pool of ``pool_limit`` connections
    shared with the loop's calls: what ``THREAD_KINDS`` says while it leaves the loop
    at least half the pool, else one each (a small pool: the loop keeps the rest).
    ValueError if even that leaves the loop no connection."""
    if sum(THREAD_KINDS.values()) * 2 <= pool_limit:
        return dict(THREAD_KINDS)
    if len(THREAD_KINDS) < pool_limit:
        return dict.fromkeys(THREAD_KINDS, 1)
    raise ValueError(f"PostgreSQL: db_pool_size + db_max_overflow must be at least"
                     f" {len(THREAD_KINDS) + 1} (database calls on the event loop)")
# Loop calls still running when the process stops (their request was cancelled:
# storage.Store.run_on_loop) and the last presence flush get this long: within the
# supervisor's budget (__main__: graceful 5 s for the requests, then 5 s more).
CALLS_AT_STOP_S = 3.0


class MarketState:
    """What the routes share: settings, the connection pool, the long-poll hub."""

    def __init__(self, database: str | Path, settings: Settings):
        self.settings = settings
        pool_limit = settings.db_pool_size + settings.db_max_overflow
        on_loop = settings.db_calls_on_loop and is_postgresql_url(database_url(database))
        # On the loop, the thread kinds hold at most their share of the pool (thread_caps).
        self.thread_caps = thread_caps(pool_limit) if on_loop else dict(THREAD_KINDS)
        self.store = Store(database, pool_size=settings.db_pool_size,
                           max_overflow=settings.db_max_overflow,
                           timeouts=settings.db_timeouts,
                           thread_share=sum(self.thread_caps.values()) if on_loop else 0)
        self.presence = Presence(settings.unattended_after_s, settings.presence_write_interval_s)
        self.loop: asyncio.AbstractEventLoop | None = None
        self.limiter = Limiter(settings.limits_storage)
        self.pairing_guard = PairingGuard(self.limiter, settings.pairing_failures_per_address,
                                          settings.pairing_failures_per_shop)
        self.listener: ChangeListener | None = None
        self.new_hub()

    def new_hub(self) -> None:
        """A fresh long-poll hub (each time serving starts), and the memory of quiet
        re-polls that goes with its clock (repoll.py; used while the LISTEN feed is up)."""
        self.hub = ChangeHub()
        self._threads: dict[str, anyio.CapacityLimiter] = {}  # bound to the serving loop
        self.turns = ShopTurns()
        self.devices: Remembered[str, KnownDevice] = Remembered(self.hub)
        self.quiet: Remembered[tuple[str, str, int], QuietAnswer] = Remembered(self.hub)

    async def start_listener(self) -> asyncio.Task[None] | None:
        """PostgreSQL: listen for every process's changes (listener.py) and return the task;
        serving starts once LISTEN is in place, or after ``LISTEN_START_S`` at worst (a
        waiter that began before is woken when it is)."""
        if self.store.dialect != "postgresql":
            return None  # SQLite: one process per file, the routes' notify is enough
        self.listener = ChangeListener(self.store.url, self.hub)
        task = asyncio.create_task(self.listener.run(), name="marketplace-listener")
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(LISTEN_START_S):
                await self.listener.listening.wait()
        return task

    async def db(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(db, *args)`` on a pooled connection: orders, pushes, deliveries, customers'
        reads, pairing. On PostgreSQL on the event loop (``ON_LOOP``), on SQLite in a worker
        thread. At most ``Settings.db_threads`` at once in this process; the others wait
        their turn on the event loop."""
        return await self._db("calls", fn, *args)

    async def poll_read(self, fn: Callable[..., T], *args: Any) -> T:
        """``db`` for a pull's reads before it waits (``POLL_READ_THREADS``). Shutting
        down, what is still queued here is dropped (503 ``shutting_down``): no read that
        the graceful timeout would cut with a traceback."""
        if self.hub.closing:
            raise shutting_down()
        return await self._db("polls", self._unless_closing, fn, *args)

    async def console_db(self, fn: Callable[..., T], *args: Any) -> T:
        """``db`` for the operator console (``CONSOLE_THREADS``)."""
        return await self._db("console", fn, *args)

    async def search_db(self, fn: Callable[..., T], *args: Any) -> T:
        """``db`` for the storefront's shop search (``SEARCH_THREADS``)."""
        return await self._db("search", fn, *args)

    async def sweep_db(self, fn: Callable[..., T], *args: Any) -> T:
        """``db`` for the sweeper (``SWEEP_THREADS``)."""
        return await self._db("sweep", fn, *args)

    def _limiter(self, kind: str) -> anyio.CapacityLimiter:
        """How many calls of one kind of database work run at once (threads, or calls on
        the loop), made in the serving loop."""
        limiter = self._threads.get(kind)
        if limiter is None:
            pool = self.store.pool_limit
            threads = {"calls": self.settings.db_threads, **self.thread_caps,
                       "polls": POLL_READ_THREADS if pool is None
                       else min(POLL_READ_THREADS, max(1, pool // 3))}[kind]
            limiter = self._threads[kind] = anyio.CapacityLimiter(threads)
        return limiter

    def _unless_closing(self, db: Any, fn: Callable[..., T], *args: Any) -> T:
        if self.hub.closing:  # the server began to stop while this waited for a thread
            raise shutting_down()
        return fn(db, *args)

    async def _db(self, kind: str, fn: Callable[..., T], *args: Any) -> T:
        try:
            limiter = self._limiter(kind)
            if (kind in ON_LOOP and self.settings.db_calls_on_loop
                    and self.store.backend.is_postgresql):
                return await self.store.run_on_loop(fn, *args, limiter=limiter)
            return await anyio.to_thread.run_sync(self.store.run, fn, *args, limiter=limiter)
        except Exception as exc:
            if not unavailable(exc):
                raise
            # Nothing was committed: the client retries (Retry-After), no traceback per request.
            log.warning("database unavailable: %s", str(exc).strip().splitlines()[0:1])
            raise database_unavailable() from exc

    async def shop_db(self, shop_id: str, fn: Callable[..., T], *args: Any) -> T:
        """``db`` for a write that locks the shop: the shop's turn first (shop_turns.py).
        On PostgreSQL a turn not had within ``db_lock_timeout_s`` is given up like the
        lock (503): the writes ahead of it either waited that long for the shop's lock or
        queued that long for a thread (an overloaded process sheds them, retryable).
        SQLite has one writer at a time and no lock timeout: its turns wait."""
        timeout = self.settings.db_lock_timeout_s if self.store.backend.is_postgresql else 0
        try:
            async with self.turns.turn(shop_id, timeout or None):
                return await self.db(fn, *args)
        except TurnNotHad as exc:
            log.warning("database unavailable: no turn for a write of shop %s within %g s",
                        shop_id, timeout)
            raise database_unavailable() from exc

    async def device_of(self, token: str) -> tuple[str, int]:
        """(shop, device) of a live device token: remembered while its shop has not changed
        (a revocation or rotation notifies it: repoll.py), else read; ApiError 401."""
        digest = hash_token(token)
        known = self.devices.get(digest)
        if known is not None and still_live(known):
            return known.shop_id, known.device_id
        stamp = self.hub.stamp()
        device = await self.poll_read(shops.device_of_token, token)
        self.remember_device(token, device, stamp)
        return device[0], device[1]

    def remember_device(self, token: str, device: tuple[str, int, str | None],
                        stamp: int) -> None:
        """What ``shops.device_of_token`` read, its read begun at ``stamp`` (repoll.py)."""
        shop_id, device_id, live_until = device
        self.devices.put(hash_token(token), KnownDevice(shop_id, device_id, live_until, stamp))

    async def shop_of(self, request: Request) -> str:
        return await self.db(shops.authenticate, bearer_token(request))

    def notify_threadsafe(self, shop_id: str) -> None:
        """Wake a shop's long-polls from another thread (operator helpers, tests)."""
        loop = self.loop
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # loop closing right now
                loop.call_soon_threadsafe(self.hub.notify, shop_id)

    def close_waiters_threadsafe(self) -> None:
        loop = self.loop
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(self.hub.close)

    async def flush_presence(self) -> None:
        """Write the counters seen since the last flush (one transaction)."""
        seen = self.presence.take_pending()
        if not seen:
            return
        try:
            await self.sweep_db(shops.record_presence, seen)
        except BaseException:  # a busy disk delays presence; try again next sweep
            self.presence.put_back(seen)
            raise

    async def sweep_forever(self) -> None:
        """Reject orders nobody acknowledged in time (DESIGN.md: tablets time out too);
        reopen shops whose timed pause is over."""
        while True:
            await asyncio.sleep(self.settings.sweep_interval_s)
            try:
                await self.sweep_once()
            except Exception as exc:  # a locked or full disk must not kill the sweeper
                _log_failure("timeout sweep failed", exc)
            try:
                await self.flush_presence()
            except Exception as exc:
                _log_failure("presence not recorded", exc)

    async def sweep_once(self) -> None:
        cutoff = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=self.settings.auto_reject_after_s)
        batch = 200
        while True:
            rejected, changed = await self.sweep_db(orders.reject_overdue, to_iso(cutoff),
                                                    batch)
            for shop_id in changed:
                self.hub.notify(shop_id)
            if rejected < batch:
                break
        for shop_id in await self.sweep_db(shops.reopen_paused, utcnow_iso()):
            self.hub.notify(shop_id)


def _log_failure(what: str, exc: Exception) -> None:
    """A database outage in one line (the next round retries); anything else in full."""
    cause = exc.__cause__  # MarketState.db turns an outage into ApiError 503 from it
    if unavailable(exc) or (cause is not None and unavailable(cause)):
        log.warning("%s: database unavailable", what)
    else:
        log.error("%s", what, exc_info=exc)


_SMALL_BODY = 8192  # a pairing request: three short strings, even \u-escaped


def _state(request: Request) -> MarketState:
    return request.app.state.market


# -- shop endpoints ---------------------------------------------------------------------------

async def pair(request: Request) -> Response:
    st = _state(request)
    address = client_address(request.scope)
    code, device_name, shop_id = parse_pair(await read_json(request, _SMALL_BODY,
                                                                      st.settings.body_timeout_s))
    # The code's tag names its shop: every guess counts against that shop too, whether or
    # not the request names one (an unknown tag counts against the shop named, if any).
    tagged = await st.db(pairing.shop_of_code, code)
    counted = tagged or shop_id
    st.pairing_guard.check(address, counted)
    try:
        if tagged is None or (shop_id is not None and shop_id != tagged):
            raise ApiError(404, *pairing.REFUSED)
        answer = await st.db(pairing.pair, code, device_name, tagged,
                             st.settings.pairing_code_ttl_s, st.settings.device_token_ttl_s)
    except ApiError as exc:
        if exc.code == "invalid_pairing_code":
            st.pairing_guard.failed(address, counted)
        raise
    return JSONResponse(answer)


async def rotate_self(request: Request) -> Response:
    st = _state(request)
    return JSONResponse(await st.db(pairing.rotate_token, bearer_token(request),
                                    st.settings.device_token_ttl_s))


async def revoke_self(request: Request) -> Response:
    st = _state(request)
    st.presence.forget(await st.db(shops.revoke_device, bearer_token(request)))
    return Response(status_code=204)


async def push(request: Request) -> Response:
    st = _state(request)
    shop_id = await st.shop_of(request)
    client_id, mutations = parse_push(await read_json(request, st.settings.max_body_bytes,
                                                 st.settings.body_timeout_s))
    outcome = await st.shop_db(shop_id, process_push, shop_id, client_id, mutations)
    if outcome.changed:
        st.hub.notify(shop_id)
    return JSONResponse(outcome.to_wire())


async def pull(request: Request) -> Response:
    st = _state(request)
    if st.hub.closing:
        # Shutting down: no read queued that the graceful timeout would cut with a traceback
        # (10,000 counters re-poll at once when their waits are answered).
        raise shutting_down()
    token = bearer_token(request)
    shop_id, device_id = await st.device_of(token)
    cursor, wait, client_id = parse_pull_params(request.query_params, st.settings.max_wait_s)
    # Presence: the counter is connected while this pull is held and the client still there,
    # and seen when it starts and when it is answered (written by the sweeper: an order's
    # delivery never waits for that write). A client that went away ends the hold at once.
    st.presence.enter(shop_id, device_id)
    st.presence.note(shop_id, device_id)
    answer = asyncio.ensure_future(_wait_for_changes(st, token, shop_id, cursor, wait,
                                                     client_id))
    gone = asyncio.ensure_future(_client_gone(request))
    try:
        await asyncio.wait((answer, gone), return_when=asyncio.FIRST_COMPLETED)
    finally:
        st.presence.leave(shop_id, device_id)
        gone.cancel()
        if not answer.done():  # the client left (or this handler was cancelled)
            answer.cancel()
    if not answer.done() or answer.cancelled():  # cancelled above: it unwinds by itself
        return Response(status_code=204)  # nobody reads it
    body = answer.result()  # an error raised while waiting is answered as such
    st.presence.note(shop_id, device_id)
    return JSONResponse(body)


def database_unavailable() -> ApiError:
    """Nothing was committed: the client retries (Retry-After)."""
    return ApiError(503, "database_unavailable", "La place de marché est momentanément"
                    " indisponible ; réessayez dans un instant.", headers={"Retry-After": "1"})


def shutting_down() -> ApiError:
    """A pull refused while the server stops. No Retry-After: the counter retries on its
    own backoff, to another process or this one restarted (Connection: close)."""
    return ApiError(503, "shutting_down", "La place de marché redémarre ; réessayez dans un"
                    " instant.", headers={"Connection": "close"})


async def _client_gone(request: Request) -> None:
    """Returns when the client disconnects (uvicorn says so as soon as the socket closes)."""
    while (await request.receive())["type"] != "http.disconnect":
        pass  # the request's (empty) body; the next receive waits for the disconnect


async def _wait_for_changes(st: MarketState, token: str, shop_id: str, cursor: int,
                            wait: float, client_id: str | None) -> dict[str, Any]:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + hold_time(wait)  # a little less, at random: no herd (hub.py)
    first = None
    waited_from: int | None = None  # the stamp taken before the last wait
    quiet_key = (shop_id, client_id or "", cursor)
    while True:
        stamp = st.hub.stamp()
        event = st.hub.watch(shop_id)  # before reading: a later change sets this very event
        # A pull that waits may start from memory (a change meanwhile wakes it); one that
        # does not wait reads, so it sees what the client just committed elsewhere.
        known = st.quiet.get(quiet_key) if first is None and wait > 0 else None
        if known is not None:  # nothing new since the last answer to this very question
            snapshot = PullSnapshot(known.body, changed=False)
        else:
            # Woken: the token may have been revoked meanwhile (401), checked in the pull's
            # own snapshot (one trip through the pool, not two). Woken by a change of its
            # shop, this read is a delivery: with the orders. The first read, or one after
            # every waiter was woken at once: with the other polls' (POLL_READ_THREADS).
            delivery = waited_from is not None and st.hub.woken_for(shop_id, waited_from)
            read = st.db if delivery else st.poll_read
            snapshot = await read(read_pull, shop_id, cursor, client_id,
                                  st.settings.auto_reject_after_s, st.settings.pull_page_size,
                                  token if first is not None else None)
            if snapshot.device is not None:
                st.remember_device(token, snapshot.device, stamp)
            if first is None and not snapshot.changed:
                st.quiet.put(quiet_key, QuietAnswer(shop_id, snapshot.body, stamp))
            _remember_head(st, shop_id, client_id, snapshot, stamp)
        first = first or snapshot
        # Also answer when only the client's last id moved (a refused mutation changes no
        # entity, but the client learns it is confirmed).
        if snapshot.changed or snapshot.last_mutation_id != first.last_mutation_id:
            return snapshot.body
        remaining = deadline - loop.time()
        waited_from = stamp
        if remaining <= 0 or st.hub.closing or not await st.hub.wait(event, remaining):
            return snapshot.body
        if st.hub.closing:  # woken by shutdown: answer what we read, no new read to queue
            return snapshot.body


def _remember_head(st: MarketState, shop_id: str, client_id: str | None,
                   snapshot: PullSnapshot, stamp: int) -> None:
    """The client's next pull starts from this answer's cursor: what it would read there
    is known until the shop changes (repoll.py). A counter that has just received an
    order re-polls at once; without this, that re-poll read the database again, once
    for every order delivered."""
    at_head = snapshot.at_head()
    if at_head is not None:
        key = (shop_id, client_id or "", int(at_head["cursor"]))
        st.quiet.put(key, QuietAnswer(shop_id, at_head, stamp))


# -- customer endpoints (reference server only) ---------------------------------------------------

async def customer_shop(request: Request) -> Response:
    return JSONResponse(await storefront_api.catalogue(_state(request),
                                                       request.path_params["shop_id"]))


async def customer_place(request: Request) -> Response:
    st = _state(request)
    shop_id = request.path_params["shop_id"]
    order_request = parse_order_request(await read_json(request, st.settings.max_order_bytes,
                                                                st.settings.body_timeout_s))
    # Who watches the shop from this process is known here; what other processes saw is
    # read with the order, under the shop's lock (orders.place_order).
    now = dt.datetime.now(dt.UTC)
    attendance = orders.Attendance(st.presence.attended_here(shop_id),
                                   lambda last_seen: st.presence.seen_recently(last_seen, now))
    order, created = await st.shop_db(shop_id, orders.place_order, shop_id, order_request,
                                      st.settings.auto_reject_after_s,
                                      st.settings.order_caps, attendance)
    if created:
        st.hub.notify(shop_id)
    return JSONResponse(order, status_code=201,
                        headers=None if created else {"Idempotent-Replayed": "true"})


async def _check_order_secret(request: Request) -> None:
    p = request.path_params
    await _state(request).db(customer_access.check_secret, p["shop_id"], p["order_id"],
                             request.headers.get(ORDER_SECRET_HEADER, ""))


async def customer_get(request: Request) -> Response:
    st = _state(request)
    p = request.path_params
    await _check_order_secret(request)
    since, wait = storefront_api.parse_wait(request.query_params, st.settings.max_wait_s)
    return JSONResponse(await storefront_api.read_order(st, p["shop_id"], p["order_id"], since,
                                                        wait))


async def customer_cancel(request: Request) -> Response:
    st = _state(request)
    p = request.path_params
    await _check_order_secret(request)
    order = await st.shop_db(p["shop_id"], orders.cancel_order, p["shop_id"], p["order_id"],
                             st.settings.auto_reject_after_s)
    st.hub.notify(p["shop_id"])
    return JSONResponse(order)


async def payment_notify(request: Request) -> Response:
    st = _state(request)
    note = await payments.read_notification(request, st.settings.payment_secret)
    order, changed = await st.shop_db(note["shop_id"], payments.mark_paid, note["shop_id"],
                                      note["order_id"], note["amount_cents"], note["reference"])
    if changed:
        st.hub.notify(note["shop_id"])
    return JSONResponse(order)


# -- service endpoints ------------------------------------------------------------------------

def _ping(db: Any) -> None:
    with read_tx(db) as tx:
        tx.execute("SELECT 1 FROM shops WHERE id = ?", ("",)).fetchall()


async def health(request: Request) -> Response:
    await _state(request).db(_ping)
    # Which server process answered (serve --workers N): for operators and the fault tests.
    return JSONResponse({"status": "ok", "protocol": 1, "worker": os.getpid()})


async def openapi(request: Request) -> Response:
    return JSONResponse(OPENAPI)


# -- errors -------------------------------------------------------------------------------------

_HTTP_CODES = {404: "not_found", 405: "method_not_allowed"}


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.code, exc.message, exc.headers, exc.field)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    return error_response(exc.status_code, code, str(exc.detail),
                          dict(exc.headers) if exc.headers else None)


class CatchAll:
    """Answer any unexpected exception with a 500 in the error shape, and keep the connection.

    (Starlette's own 500 handler re-raises after answering, and uvicorn then drops the
    keep-alive connection, which the client sees as a reset instead of a 500.)"""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            if started:
                raise
            response = error_response(500, "internal_error",
                                      "Erreur interne de la place de marché ; réessayez plus tard.")
            await response(scope, receive, send)


PULL_PATH = "/v1/pull"


class LongPollShortcut:
    """``GET /v1/pull`` straight to ``pull``, past what only other requests need: the
    customer API's CORS and rate limits, Starlette's exception middleware and router.

    Every counter holds a pull all day: 10,000 counters send about 450 a second that find
    nothing new, plus two per order (its delivery, then the next wait). Measured for quiet
    re-polls: in-process ASGI calls 202 -> 176 µs; 5,000 counters waiting in one server
    process, 0.67 / 0.78 -> 0.60 / 0.64 ms of server CPU each; bench_repoll.py --against
    (16 counters) ratio 0.98 twice, within its noise.

    Kept: the same endpoint, ``ApiError`` answered by the app's own handler, anything else
    by ``CatchAll`` (placed before this one); other methods on the path still reach the
    router (405)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != PULL_PATH or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive, send)
        try:
            response = await pull(request)
        except ApiError as exc:
            response = await _api_error(request, exc)
        await response(scope, receive, send)


ROUTES = [
    Route("/v1/pair", pair, methods=["POST"]),
    Route("/v1/devices/self", revoke_self, methods=["DELETE"]),
    Route("/v1/devices/self/rotate", rotate_self, methods=["POST"]),
    Route("/v1/push", push, methods=["POST"]),
    Route(PULL_PATH, pull, methods=["GET"]),  # GET: LongPollShortcut
    Route("/v1/customer/shops", storefront_api.list_shops, methods=["GET"]),
    Route("/v1/customer/shops/{shop_id}", customer_shop, methods=["GET"]),
    Route("/v1/customer/shops/{shop_id}/orders", customer_place, methods=["POST"]),
    Route("/v1/customer/shops/{shop_id}/orders/{order_id}", customer_get, methods=["GET"]),
    Route("/v1/customer/shops/{shop_id}/orders/{order_id}/cancel", customer_cancel,
          methods=["POST"]),
    Route("/v1/customer/shops/{shop_id}/orders/{order_id}/qr.svg", storefront_api.order_qr,
          methods=["GET"]),
    Route("/v1/payments/notify", payment_notify, methods=["POST"]),
    Route("/v1/health", health, methods=["GET"]),
    Route("/v1/openapi.json", openapi, methods=["GET"]),
]


def create_app(database: str | Path, *,
               settings: Settings | Mapping[str, Any] | None = None) -> Starlette:
    """The ASGI app over ``database`` (a SQLite path or a database URL; created and
    migrated now: a broken or unreachable database fails here, before serving)."""
    migrate(database)
    state = MarketState(database_url(database), Settings.coerce(settings))

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        state.loop = asyncio.get_running_loop()
        state.new_hub()
        listening = await state.start_listener()
        sweeper = asyncio.create_task(state.sweep_forever(), name="marketplace-timeouts")
        try:
            yield
        finally:
            state.hub.close()
            for task in (sweeper, listening):
                if task is not None:
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task
            # Loop calls whose request was cancelled go on to their end (a lock wait at
            # most, usually): let them, rather than cut them when the loop closes.
            with contextlib.suppress(Exception, TimeoutError):
                async with asyncio.timeout(CALLS_AT_STOP_S):
                    await state.store.loop_calls_done()
                    await state.flush_presence()  # best effort: counters re-poll anyway
            state.store.close()

    app = Starlette(
        routes=[*ROUTES, *storefront.routes(), console_mount()],
        lifespan=lifespan,
        middleware=[Middleware(CatchAll), Middleware(LongPollShortcut),
                    Middleware(CustomerCors, origins=state.settings.cors_origins),
                    Middleware(CustomerRateLimit, limiter=state.limiter,
                               settings=state.settings)],
        exception_handlers={ApiError: _api_error, HTTPException: _http_error},
    )
    app.state.market = state
    return app
