"""The sync engine: two worker threads that keep the shop and the marketplace converged.

- The **puller** long-polls ``/v1/pull`` and applies each answer to the local
  replica in one transaction; a new order reaches the store as soon as the
  server hears of it. A long history comes in pages, pulled back to back (20 at a
  time, then a pause of a second: a server that says ``more`` forever is not hammered).
- The **pusher** sends the outbox in id order whenever something is queued
  (``push_soon``, which also cuts a retry wait short) and on a slow timer.

Each thread opens its own replica (its own SQLite connection) and its own
HTTP client. Failures never stop the engine: transient ones back off
exponentially with full jitter under a low cap (``backoff_cap``, 3 s: back
within seconds of a server's return, spread so that shops do not reconnect in
step); a server's ``Retry-After`` wins. While the server does not answer, only
the puller probes (~0.7 request/s per shop at the cap): the pusher waits for its
success, or a counter action, which has the puller probe at once.
After a failure the puller's first request is a plain pull (no long-poll), so
"online" shows as soon as the server answers; its backoff starts over only when a
long-poll or a push gets through (a proxy may pass quick requests and cut long ones); whichever loop gets through first
wakes the other (a push that succeeds also cuts a long-poll that may be hanging
on a dead connection).
A refused request waits for a longer pause, a revoked token parks the engine
until ``set_credentials``. The engine reports through a plain listener (no Qt),
one call at a time, in the order the changes happened.

Control API (any thread) and its guarantees:

- ``start()``: begins a *run* (two threads, one stop signal of its own). Calling it
  while running does nothing.
- ``stop()``: ends the run. It cuts requests in flight (plain HTTP or TLS), so it
  returns within a second even mid-long-poll, and once it returns **no answer of that
  run is applied** (an apply in progress is waited for; a later one is refused).
- ``set_credentials(url, token)``: new marketplace or token; requests in flight for
  the old ones are cut, their answers discarded.
- ``store_replaced()``: call after the store's content was swapped under the engine
  (a backup restored, another shop's data): bumps the *store generation*; answers asked
  for the old store are discarded and the loops open fresh replicas (cursor and
  client id read anew). A replica that failed is replaced too, and a loop that
  crashed starts over after 5 s: nothing short of ``stop`` ends syncing.
  ``with engine.paused(): ...`` is stop / body / store_replaced + start for one go.

Every answer is applied only if the run, the credentials generation and the store
generation it was asked under are all still current, checked under the lock that
``stop``/``set_credentials``/``store_replaced`` take before they return.
"""

from __future__ import annotations

import contextlib
import logging
import random
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any, Protocol, TypeVar

from sync.backoff import Backoff
from sync.client import (
    AuthError,
    MarketplaceClient,
    RequestRefused,
    SyncError,
    TransientError,
    Verify,
)
from sync.messages import sync_message
from sync.protocol import MAX_PUSH_BATCH, Mutation, utcnow_iso

__all__ = ["SyncEngine", "SyncStatus", "SyncListener", "Replica", "Backoff"]

log = logging.getLogger(__name__)
T = TypeVar("T")


class Replica(Protocol):
    def client_id(self) -> str: ...
    def cursor(self) -> int: ...
    def mutations_to_push(self, limit: int) -> list[Mutation]: ...
    def record_push(self, last_mutation_id: int, results: list[dict[str, Any]]) -> list[dict]: ...
    def apply_pull(self, pull: dict[str, Any]) -> Any: ...
    def pending_count(self) -> int: ...
    def get_state(self, key: str, default: str | None = None) -> str | None: ...
    def set_state(self, key: str, value: str | None) -> None: ...


@dataclass(frozen=True)
class SyncStatus:
    online: bool = False
    pending: int = 0
    last_sync_at: str | None = None
    last_error: str | None = None
    auth_required: bool = False


class SyncListener(Protocol):
    def sync_status_changed(self, status: SyncStatus) -> None: ...
    def pulled(self, summary: Any) -> None: ...
    def mutations_refused(self, refused: list[dict]) -> None: ...


INTERNAL_ERROR = sync_message("sync.internal")
REFUSED_PAUSE_S = 300.0  # a 4xx on a whole request is a bug or a config problem: don't hammer
# Pages pulled back to back before a pause: a long history still pairs quickly (100
# orders a page), a server that says ``more`` forever costs a few requests a second.
PAGES_IN_A_ROW = 20
PAGES_PAUSE_S = 1.0


@dataclass(eq=False)
class _Run:
    """One start()…stop(): its own stop signal, wake-ups and the clients it opened."""

    stop: threading.Event = field(default_factory=threading.Event)
    push_wanted: threading.Event = field(default_factory=threading.Event)
    pull_wake: threading.Event = field(default_factory=threading.Event)
    # Set by stop, set_credentials and store_replaced: ends a wait no push_soon may cut
    # (a server's Retry-After asked of the old credentials or store).
    reconfigured: threading.Event = field(default_factory=threading.Event)
    threads: list[threading.Thread] = field(default_factory=list)
    clients: set[MarketplaceClient] = field(default_factory=set)
    pull_client: MarketplaceClient | None = None
    # The puller's, reset by a long-poll or a push that succeeds (a quick probe that
    # succeeds says little: a proxy may cut every long request).
    pull_backoff: Backoff | None = None
    # The server did not answer the puller: until it does, only the puller probes (the
    # pusher waits for its success), unless the pause was the server's own Retry-After.
    unreachable: bool = False
    pull_retry_after: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    def cut(self) -> None:
        """Cut every request in flight; the loops notice and start over (or end)."""
        with self.lock:
            clients = list(self.clients)
        for client in clients:
            client.interrupt()
        self.reconfigured.set()
        self.push_wanted.set()
        self.pull_wake.set()

    def retry_pull_now(self) -> None:
        """The server is back: end the puller's wait, and its request, which may be stuck
        on a connection that died without a word (a black-holed network)."""
        client = self.pull_client
        if client is not None:
            client.interrupt()
        self.pull_wake.set()


@dataclass(frozen=True)
class _Ticket:
    """What a request was asked under; its answer counts only while all three hold."""

    run: _Run
    creds: int
    store: int


class _Stale(Exception):
    """The answer belongs to a run, credentials or store that are no longer current."""


class SyncEngine:
    def __init__(
        self,
        base_url: str,
        token: str | None,
        open_replica: Callable[[], Replica],
        listener: SyncListener,
        *,
        wait: float = 25.0,
        timeout: float = 10.0,
        push_interval: float = 10.0,
        backoff_base: float = 0.5,
        backoff_cap: float = 3.0,
        verify: Verify = True,
        rng: random.Random | None = None,
    ):
        self.base_url = base_url
        self._token = token
        self._open_replica = open_replica
        self._listener = listener
        self.wait = wait
        self.timeout = timeout
        self.push_interval = push_interval
        self.backoff_base, self.backoff_cap = backoff_base, backoff_cap
        self.verify = verify
        self._rng = rng or random.Random()
        self._state = threading.Condition()  # credentials, generations, the current run
        self._creds_generation = 0
        self._store_generation = 0
        self._run: _Run | None = None
        self._apply_lock = threading.Lock()  # held while an answer is applied
        self._status_lock = threading.Lock()
        self._emit_lock = threading.Lock()  # one listener call at a time, in order
        self._status = SyncStatus(auth_required=token is None)

    # -- control (any thread) ----------------------------------------------
    def start(self) -> None:
        with self._state:
            if self._run is not None:
                return
            run = self._run = _Run()
        run.push_wanted.set()  # what an earlier session left in the outbox goes at once
        for name, loop in (("comptoir-pull", self._pull_loop), ("comptoir-push", self._push_loop)):
            thread = threading.Thread(target=self._guard(loop, run), name=name, daemon=True)
            run.threads.append(thread)
            thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        with self._state:
            run, self._run = self._run, None
            if run is not None:
                run.stop.set()  # before the notify: a loop parked for pairing ends now
            self._state.notify_all()
        if run is None:
            return
        run.cut()
        with self._apply_lock:
            pass  # an answer being applied finishes; no later one passes the ticket check
        for thread in run.threads:
            if thread is not threading.current_thread():
                thread.join(timeout)

    def push_soon(self) -> None:
        run = self._run
        if run is not None:
            run.push_wanted.set()

    def set_credentials(self, base_url: str, token: str) -> None:
        with self._state:
            self.base_url, self._token = base_url, token
            self._creds_generation += 1
            run = self._run
            self._state.notify_all()
        self._invalidate(run)
        self._set_status(auth_required=False, last_error=None)

    def store_replaced(self) -> None:
        """The store's content changed under the engine: forget answers asked for the old one."""
        with self._state:
            self._store_generation += 1
            run = self._run
        self._invalidate(run)

    @contextlib.contextmanager
    def paused(self) -> Iterator[None]:
        """Sync stopped around the body (e.g. a restore), then resumed on the new store."""
        was_running = self._run is not None
        self.stop()
        try:
            yield
        finally:
            self.store_replaced()
            if was_running:
                self.start()

    @property
    def status(self) -> SyncStatus:
        with self._status_lock:
            return self._status

    @property
    def running(self) -> bool:
        return self._run is not None

    # -- internals -----------------------------------------------------------
    def _invalidate(self, run: _Run | None) -> None:
        if run is not None:
            run.cut()
        with self._apply_lock:
            pass

    def _guard(self, loop: Callable[[_Run], None], run: _Run) -> Callable[[], None]:
        def target() -> None:
            while not run.stop.is_set():
                try:
                    loop(run)
                    return
                except Exception:  # a bug or a store that fails to open: say so, start over
                    log.exception("sync thread crashed; restarting it in 5 s")
                    if self._run is run:
                        self._set_status(online=False, last_error=INTERNAL_ERROR)
                    run.stop.wait(5.0)
        return target

    def _set_status(self, **changes: Any) -> None:
        # The emit lock spans compute + emit: two threads cannot deliver out of order.
        with self._emit_lock:
            with self._status_lock:
                new = replace(self._status, **changes)
                if new == self._status:
                    return
                self._status = new
            self._listener.sync_status_changed(new)

    def _current(self, ticket: _Ticket) -> bool:
        return (
            self._run is ticket.run
            and not ticket.run.stop.is_set()
            and self._creds_generation == ticket.creds
            and self._store_generation == ticket.store
        )

    def _apply(self, ticket: _Ticket, apply: Callable[[], T]) -> T:
        with self._apply_lock:
            if not self._current(ticket):
                raise _Stale
            return apply()

    def _client(self, run: _Run, *, puller: bool = False
                ) -> tuple[MarketplaceClient, _Ticket] | None:
        """A client for the current credentials, or None once the run is stopped."""
        with self._state:
            while self._token is None and not run.stop.is_set():
                self._state.wait(1.0)
            if run.stop.is_set():
                return None
            client = MarketplaceClient(self.base_url, self._token, timeout=self.timeout,
                                       verify=self.verify)
            ticket = _Ticket(run, self._creds_generation, self._store_generation)
        with run.lock:
            run.clients.add(client)
            if puller:
                run.pull_client = client
        if not self._current(ticket):
            client.interrupt()  # cut between the ticket and the registration
        return client, ticket

    def _drop_client(self, run: _Run, client: MarketplaceClient) -> None:
        with run.lock:
            run.clients.discard(client)
            if run.pull_client is client:
                run.pull_client = None
        client.close()

    def _park_for_auth(self, ticket: _Ticket, message: str) -> None:
        if not self._current(ticket):
            return
        self._set_status(online=False, auth_required=True, last_error=message)
        with self._state:
            if self._creds_generation == ticket.creds:
                self._token = None  # every loop now waits for set_credentials
            while self._token is None and not ticket.run.stop.is_set():
                self._state.wait(1.0)

    def _pull_loop(self, run: _Run) -> None:
        replica, opened_for = self._open_replica(), self._store_generation
        self._set_status(
            pending=replica.pending_count(), last_sync_at=replica.get_state("last_sync_at")
        )
        backoff = run.pull_backoff = Backoff(self.backoff_base, self.backoff_cap, rng=self._rng)
        wait = 0.0  # the first pull returns at once
        after_reset = False  # the last page applied was a reset: another one is refused
        pages_in_a_row = 0
        while not run.stop.is_set():
            got = self._client(run, puller=True)
            if got is None:
                break
            client, ticket = got
            delay = 0.0
            try:
                if ticket.store != opened_for:  # the store was replaced: a replica on it
                    replica, opened_for = self._open_replica(), ticket.store
                client_id = replica.client_id()  # re-read: a restored store may have another
                while self._current(ticket):
                    pull = client.pull(replica.cursor(), client_id, wait=wait,
                                       after_reset=after_reset)
                    run.unreachable = False
                    summary = self._apply(ticket, partial(replica.apply_pull, pull))
                    after_reset = pull["reset"]
                    if wait > 0:
                        backoff.reset()
                    self._set_status(
                        online=True,
                        last_error=None,
                        pending=replica.pending_count(),
                        last_sync_at=utcnow_iso(),
                    )
                    self._listener.pulled(summary)
                    if replica.mutations_to_push(1):
                        run.push_wanted.set()  # e.g. back after an outage: push at once
                    wait = 0.0 if pull["more"] else self.wait
                    pages_in_a_row = pages_in_a_row + 1 if pull["more"] else 0
                    if pages_in_a_row >= PAGES_IN_A_ROW:
                        pages_in_a_row, delay = 0, PAGES_PAUSE_S
                        break
            except _Stale:
                pass
            except AuthError as exc:
                self._park_for_auth(ticket, str(exc))
            except TransientError as exc:
                wait = 0.0  # the next request is a quick probe, not a long-poll
                if self._current(ticket) and not client.interrupted:
                    self._set_status(online=False, last_error=str(exc))
                    delay = backoff.next_delay(exc.retry_after or 0.0)
                    run.unreachable, run.pull_retry_after = True, bool(exc.retry_after)
            except RequestRefused as exc:
                if self._current(ticket):
                    self._set_status(online=False, last_error=str(exc))
                    delay = REFUSED_PAUSE_S
            except SyncError as exc:
                if self._current(ticket):
                    self._set_status(online=False, last_error=str(exc))
                    delay = backoff.next_delay()
                    run.unreachable, run.pull_retry_after = True, False
            except Exception:  # a bug or a locked database: say so, back off, keep syncing
                log.exception("pull failed")
                opened_for = -1  # and start again on a fresh replica (connection)
                self._set_status(online=False, last_error=INTERNAL_ERROR)
                delay = max(5.0, backoff.next_delay())
            finally:
                self._drop_client(run, client)
            if delay:
                run.pull_wake.wait(delay)  # stop, new credentials or store cut it short
            run.pull_wake.clear()

    def _push_loop(self, run: _Run) -> None:
        replica, opened_for = self._open_replica(), self._store_generation
        backoff = Backoff(self.backoff_base, self.backoff_cap, rng=self._rng)
        delay = 0.0  # a retry's wait; push_soon (a new counter action) cuts it short
        invited = False  # the server's Retry-After ran out: it asked for this request
        while not run.stop.is_set():
            woken = run.push_wanted.wait(delay or self.push_interval)
            run.push_wanted.clear()
            if run.stop.is_set():
                break
            delay = 0.0
            if run.unreachable and not invited:
                # The puller probes alone while the server is unreachable; its success
                # sets push_wanted. A counter action has it probe now (a plain backoff).
                if woken and not run.pull_retry_after:
                    run.pull_wake.set()
                continue
            invited = False
            if self._store_generation != opened_for:  # replaced, or the replica failed
                replica, opened_for = self._open_replica(), self._store_generation
            batch = replica.mutations_to_push(MAX_PUSH_BATCH)
            if not batch:
                self._set_status(pending=replica.pending_count())
                continue
            run.reconfigured.clear()  # before the ticket: a later change still ends a wait
            got = self._client(run)
            if got is None:
                break
            client, ticket = got
            try:
                client_id = replica.client_id()
                batch = replica.mutations_to_push(MAX_PUSH_BATCH)
                while batch and self._current(ticket):
                    answer = client.push(client_id, batch)
                    refused = self._apply(ticket, partial(
                        replica.record_push, answer["last_mutation_id"], answer["results"]))
                    if not self.status.online:  # back after a failure: so must the puller be
                        run.retry_pull_now()
                    backoff.reset()
                    if run.pull_backoff is not None:
                        run.pull_backoff.reset()
                    self._set_status(online=True, pending=replica.pending_count())
                    if refused:
                        self._listener.mutations_refused(refused)
                    if answer["last_mutation_id"] < batch[-1].id:
                        # The server did not take the whole batch; don't spin on it.
                        raise TransientError(sync_message("sync.partial_push"))
                    batch = replica.mutations_to_push(MAX_PUSH_BATCH)
            except _Stale:
                run.push_wanted.set()
            except AuthError as exc:
                self._park_for_auth(ticket, str(exc))
                run.push_wanted.set()
            except RequestRefused as exc:
                if self._current(ticket):
                    self._set_status(last_error=str(exc))
                    delay = REFUSED_PAUSE_S
            except SyncError as exc:
                if not self._current(ticket):
                    run.push_wanted.set()
                elif isinstance(exc, TransientError) and exc.retry_after:
                    # The server asked for a pause: even a new counter action waits for it.
                    self._set_status(online=False, last_error=str(exc))
                    run.reconfigured.wait(backoff.next_delay(exc.retry_after))
                    run.push_wanted.set()
                    invited = True
                else:
                    self._set_status(online=False, last_error=str(exc))
                    delay = backoff.next_delay()
            except Exception:  # a bug or a locked database: say so, back off, keep syncing
                log.exception("push failed")
                opened_for = -1
                self._set_status(last_error=INTERNAL_ERROR)
                delay = max(5.0, backoff.next_delay())
            finally:
                self._drop_client(run, client)
