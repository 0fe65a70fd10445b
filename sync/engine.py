"""The sync engine: two worker threads that keep the shop and the marketplace converged.

- The **puller** long-polls ``/v1/pull`` and applies each answer to the local
  replica in one transaction; a new order reaches the store as soon as the
  server hears of it.
- The **pusher** sends the outbox in id order whenever something is queued
  (``push_soon``) and on a slow timer as a safety net.

Each thread opens its own replica (its own SQLite connection) and its own
HTTP client. Failures never stop the engine: transient ones back off
exponentially with full jitter, a refused request waits for a longer pause,
a revoked token parks the engine until ``set_credentials`` is called. The
engine reports through a plain listener (no Qt here); the app re-emits those
calls as Qt signals.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Protocol

from sync.client import AuthError, MarketplaceClient, RequestRefused, SyncError, TransientError
from sync.messages import sync_message
from sync.protocol import MAX_PUSH_BATCH, Mutation, utcnow_iso

__all__ = ["SyncEngine", "SyncStatus", "SyncListener", "Replica", "Backoff"]

log = logging.getLogger(__name__)


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


class Backoff:
    """Exponential backoff with full jitter (AWS architecture blog's recommendation)."""

    def __init__(self, base: float = 0.5, cap: float = 60.0, rng: random.Random | None = None):
        self.base, self.cap, self.attempt = base, cap, 0
        self.rng = rng or random.Random()

    def next_delay(self) -> float:
        delay = min(self.cap, self.base * (2**self.attempt))
        self.attempt = min(self.attempt + 1, 30)
        return max(0.05, self.rng.uniform(0, delay))

    def reset(self) -> None:
        self.attempt = 0


INTERNAL_ERROR = sync_message("sync.internal")
REFUSED_PAUSE_S = 300.0  # a 4xx on a whole request is a bug or a config problem: don't hammer


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
        backoff_cap: float = 60.0,
    ):
        self.base_url = base_url
        self._token = token
        self._open_replica = open_replica
        self._listener = listener
        self.wait = wait
        self.timeout = timeout
        self.push_interval = push_interval
        self.backoff_cap = backoff_cap
        self._stop = threading.Event()
        self._push_wanted = threading.Event()
        self._creds_changed = threading.Condition()
        self._status_lock = threading.Lock()
        self._status = SyncStatus(auth_required=token is None)
        self._threads: list[threading.Thread] = []
        self._clients: set[MarketplaceClient] = set()
        self._generation = 0  # bumped by set_credentials; parked loops resume on it

    # -- control (any thread) ----------------------------------------------
    def start(self) -> None:
        self._stop.clear()
        for name, target in (("comptoir-pull", self._pull_loop), ("comptoir-push", self._push_loop)):
            thread = threading.Thread(target=self._guard(target), name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._push_wanted.set()
        with self._creds_changed:
            self._creds_changed.notify_all()
        for client in list(self._clients):
            client.interrupt()  # a long-poll in flight returns now, not in 25 s
        for thread in self._threads:
            thread.join(timeout)
        self._threads.clear()

    def push_soon(self) -> None:
        self._push_wanted.set()

    def set_credentials(self, base_url: str, token: str) -> None:
        with self._creds_changed:
            self.base_url, self._token = base_url, token
            self._generation += 1
            self._creds_changed.notify_all()
        self._set_status(auth_required=False, last_error=None)
        self.push_soon()

    @property
    def status(self) -> SyncStatus:
        with self._status_lock:
            return self._status

    # -- internals -----------------------------------------------------------
    def _guard(self, target: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            try:
                target()
            except Exception:  # a bug must not kill sync silently
                log.exception("sync thread crashed")
                self._set_status(online=False, last_error=INTERNAL_ERROR)
        return run

    def _set_status(self, **changes: Any) -> None:
        with self._status_lock:
            new = replace(self._status, **changes)
            if new == self._status:
                return
            self._status = new
        self._listener.sync_status_changed(new)

    def _client(self) -> tuple[MarketplaceClient, int] | None:
        """A client for the current credentials, or None after waiting for pairing."""
        with self._creds_changed:
            while self._token is None and not self._stop.is_set():
                self._creds_changed.wait(1.0)
            if self._stop.is_set() or self._token is None:
                return None
            client = MarketplaceClient(self.base_url, self._token, timeout=self.timeout)
            self._clients.add(client)
            return client, self._generation

    def _drop_client(self, client: MarketplaceClient) -> None:
        self._clients.discard(client)
        client.close()

    def _park_for_auth(self, generation: int, message: str) -> None:
        self._set_status(online=False, auth_required=True, last_error=message)
        with self._creds_changed:
            if self._generation == generation:
                self._token = None  # every loop now waits for set_credentials
            while self._token is None and not self._stop.is_set():
                self._creds_changed.wait(1.0)

    def _sleep(self, seconds: float, wake: threading.Event | None = None) -> None:
        if wake is not None:
            wake.wait(seconds)
        else:
            self._stop.wait(seconds)

    def _pull_loop(self) -> None:
        replica = self._open_replica()
        client_id = replica.client_id()
        self._set_status(
            pending=replica.pending_count(), last_sync_at=replica.get_state("last_sync_at")
        )
        backoff = Backoff(cap=self.backoff_cap)
        wait = 0.0  # the first pull returns at once
        while not self._stop.is_set():
            got = self._client()
            if got is None:
                break
            client, generation = got
            try:
                while not self._stop.is_set() and generation == self._generation:
                    pull = client.pull(replica.cursor(), client_id, wait=wait)
                    summary = replica.apply_pull(pull)
                    backoff.reset()
                    self._set_status(
                        online=True,
                        last_error=None,
                        pending=replica.pending_count(),
                        last_sync_at=utcnow_iso(),
                    )
                    self._listener.pulled(summary)
                    if replica.mutations_to_push(1):
                        self.push_soon()  # e.g. a server that forgot pushes (restored backup)
                    wait = self.wait
            except AuthError as exc:
                self._park_for_auth(generation, str(exc))
            except TransientError as exc:
                if self._stop.is_set():
                    break
                self._set_status(online=False, last_error=str(exc))
                self._sleep(backoff.next_delay())
            except RequestRefused as exc:
                self._set_status(online=False, last_error=str(exc))
                self._sleep(REFUSED_PAUSE_S)
            except SyncError as exc:
                self._set_status(online=False, last_error=str(exc))
                self._sleep(backoff.next_delay())
            except Exception:  # a bug or a locked database: say so, back off, keep syncing
                log.exception("pull failed")
                self._set_status(online=False, last_error=INTERNAL_ERROR)
                self._sleep(max(5.0, backoff.next_delay()))
            finally:
                self._drop_client(client)

    def _push_loop(self) -> None:
        replica = self._open_replica()
        client_id = replica.client_id()
        backoff = Backoff(cap=self.backoff_cap)
        while not self._stop.is_set():
            self._push_wanted.wait(self.push_interval)
            self._push_wanted.clear()
            if self._stop.is_set():
                break
            batch = replica.mutations_to_push(MAX_PUSH_BATCH)
            if not batch:
                self._set_status(pending=replica.pending_count())
                continue
            got = self._client()
            if got is None:
                break
            client, generation = got
            try:
                while batch and not self._stop.is_set():
                    answer = client.push(client_id, batch)
                    refused = replica.record_push(answer["last_mutation_id"], answer["results"])
                    backoff.reset()
                    self._set_status(online=True, pending=replica.pending_count())
                    if refused:
                        self._listener.mutations_refused(refused)
                    if answer["last_mutation_id"] < batch[-1].id:
                        # The server did not take the whole batch; don't spin on it.
                        raise TransientError(sync_message("sync.partial_push"))
                    batch = replica.mutations_to_push(MAX_PUSH_BATCH)
            except AuthError as exc:
                self._park_for_auth(generation, str(exc))
                self._push_wanted.set()
            except RequestRefused as exc:
                self._set_status(last_error=str(exc))
                self._sleep(REFUSED_PAUSE_S, self._stop)
            except SyncError as exc:
                self._set_status(online=False, last_error=str(exc))
                self._sleep(backoff.next_delay(), self._stop)
                self._push_wanted.set()
            except Exception:  # a bug or a locked database: say so, back off, keep syncing
                log.exception("push failed")
                self._set_status(last_error=INTERNAL_ERROR)
                self._sleep(max(5.0, backoff.next_delay()), self._stop)
                self._push_wanted.set()
            finally:
                self._drop_client(client)
