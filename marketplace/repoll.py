"""Re-polls that find nothing new, answered from memory (PostgreSQL, LISTEN feed up).

Every counter's long-poll ends after about 22 s when nothing happens and is sent again at
once: 10,000 counters make about 450 such re-polls a second, nearly all of which find
nothing new. Each used to take two pooled connections in turn (the token, then the pull's
REPEATABLE READ snapshot) and two trips through the thread pool; customers' orders queued
behind them. What such a re-poll needs is already known to the process that answered the
previous one, so each process remembers, for a while:

- a device token (by its digest): its shop, its device, and until when it is live;
- per shop, client id and cursor: the answer of the last pull that found nothing newer,
  and, after a pull that delivered changes, the empty answer its new cursor would get
  (the counter's re-poll right after each order).

Either is used only while the shop has had no change since it was read: the hub's clock
(``ChangeHub.stamp`` taken before the read, ``unchanged_since`` before each use). Every
commit that changes what a pull answers, or a token's life (a revocation, a rotation:
``tx.touch``), wakes the shop in every process through PostgreSQL's NOTIFY
(listener.py), so a remembered answer is never older than the newest commit that this
process has heard of, exactly like a waiter that has not been woken yet. While the feed
is down, and always on SQLite (one process, whose reads are cheap), nothing is
remembered: every request reads the database, as before. A pull that does not wait
(``wait=0``) always reads: it must see what its client has just committed through another
process, even before that process's NOTIFY arrives here. Writes made outside the
marketplace send no NOTIFY: entries are read again after ``MAX_AGE_S`` at the latest, and
``SELECT pg_notify('comptoir_shop_changed', '*')`` makes every process forget everything
(docs/DEPLOY.md).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from marketplace.hub import ChangeHub
from sync.protocol import utcnow_iso

__all__ = ["Remembered", "KnownDevice", "QuietAnswer", "still_live", "MAX_REMEMBERED",
           "MAX_AGE_S"]

# Per process and per kind: ~150 bytes a device, ~1 kB a quiet answer (its shop); far more
# than the counters one process serves. Past it the least recently used are forgotten.
MAX_REMEMBERED = 50_000
# A write that sends no NOTIFY (a hand edit in psql, a restore into the live database: see
# docs/DEPLOY.md) is missed by the memory: read again at least this often all the same.
# A counter re-polls every ~22 s: 60 s made one quiet re-poll in three read (150 reads a
# second at 10,000 counters, as many as the orders); 5 minutes, about one in fourteen.
MAX_AGE_S = 300.0


class ReadOfShop(Protocol):
    shop_id: str
    stamp: int  # ChangeHub.stamp() taken before the read


@dataclass(frozen=True)
class KnownDevice:
    shop_id: str
    device_id: int
    live_until: str | None  # ISO time; None: no expiry
    stamp: int


@dataclass(frozen=True)
class QuietAnswer:
    shop_id: str
    body: dict[str, Any]  # a pull's answer that found nothing newer than the cursor asked
    stamp: int


K = TypeVar("K")
V = TypeVar("V", bound=ReadOfShop)


class Remembered(Generic[K, V]):
    """What was read of shops, by key, trusted only while the hub says the shop has not
    changed since the read started."""

    def __init__(self, hub: ChangeHub, limit: int = MAX_REMEMBERED,
                 max_age_s: float = MAX_AGE_S) -> None:
        self.hub = hub
        self.limit = limit
        self.max_age_s = max_age_s
        self._entries: dict[K, tuple[V, float]] = {}  # value, when read (monotonic)
        self.hits = 0  # for tests and benchmarks

    def get(self, key: K) -> V | None:
        found = self._entries.pop(key, None)
        if found is None:
            return None
        value, read_at = found
        if (not self.hub.unchanged_since(value.shop_id, value.stamp)
                or time.monotonic() - read_at > self.max_age_s):
            return None  # forgotten
        self._entries[key] = found  # used: last to be forgotten
        self.hits += 1
        return value

    def put(self, key: K, value: V) -> None:
        """Remember ``value`` if its shop has not changed since its read started."""
        if not self.hub.unchanged_since(value.shop_id, value.stamp):
            return  # changed during the read, or no feed: nothing to trust
        self._entries.pop(key, None)  # re-inserted last: the oldest go first
        self._entries[key] = (value, time.monotonic())
        if len(self._entries) > self.limit:
            del self._entries[next(iter(self._entries))]

    def __len__(self) -> int:
        return len(self._entries)


def still_live(device: KnownDevice) -> bool:
    return device.live_until is None or utcnow_iso() < device.live_until
